/**
 * End-to-end isolation of tenants on a REAL nats-server in operator mode, loading the operator.conf
 * and account files the components generate: one account JWT per tenant, users issued by the
 * account's scoped signing key. Nothing here is emulated: the server enforces accounts, imports,
 * permissions and limits, and the `nats` client speaks to it over TCP with each tenant's `.creds`.
 */
import type { Msg, NatsConnection } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { agentStatusSubject, PLATFORM_BROADCAST_SUBJECT, PLATFORM_STATUS_EXPORT, STATUS_LOCAL_SUBJECT, statusSender, taskInboxSubject, tenantSubjects } from "../../contract";
import { attempt, barrier, client, closeAll, collect, drops, sc, untilConnections, withCreds, type Client } from "./clients";
import { examplePlans, platform, serverFiles, testTenant, withoutPermissions, type TestTenant } from "./fixture";
import { natsServerBinary, startNats, type RunningNats } from "./server";

const plans = examplePlans();
// Three tenants across all plans, as the registry would declare them.
const acme = testTenant("acme", "standard", plans);
const globex = testTenant("globex", "enterprise", plans);
const initech = testTenant("initech", "free", plans);
// A fourth tenant whose account JWT grants its users every subject: it stands for a defeated
// second wall, so the tests show that the account boundary alone still isolates.
const eve = withoutPermissions(testTenant("eve", "standard", plans));
const TENANTS = [acme, globex, initech];
const PLATFORM = platform();

let server: RunningNats;
const open: NatsConnection[] = [];
const tenantClient = (t: TestTenant) => client(server, open, { ...withCreds(t.material.creds), inboxPrefix: t.spec.inboxPrefix });
const platformClient = () => client(server, open, withCreds(PLATFORM.creds));

beforeAll(async () => {
    server = await startNats(natsServerBinary(), serverFiles([...TENANTS, eve]));
}, 120_000);

// Each test starts from no client connections, so per-account connection limits are not shared between tests.
afterEach(async () => {
    await closeAll(open);
    for (const t of [...TENANTS, eve]) await untilConnections(server, t.material.accountPublicKey, 0);
});

afterAll(async () => {
    await closeAll(open);
    await server?.stop();
});

describe("nats-server in operator mode with the generated accounts", () => {
    it("lets each tenant publish/subscribe and request/reply on its own subjects", async () => {
        for (const t of TENANTS) {
            const [a, b] = [await tenantClient(t), await tenantClient(t)];
            const inbox = taskInboxSubject(t.spec.slug, "planner");
            const got = collect(a.nc, inbox);
            const status = collect(a.nc, tenantSubjects(t.spec.slug).agentStatuses);
            const responder = b.nc.subscribe(taskInboxSubject(t.spec.slug, "solver"), { callback: (_err, m: Msg) => m.respond(sc.encode(`solved:${sc.decode(m.data)}`)) });
            await barrier([a, b], [a, b]);
            b.nc.publish(inbox, sc.encode(`task for ${t.spec.slug}`));
            b.nc.publish(agentStatusSubject(t.spec.slug, "planner"), sc.encode("busy"));
            const reply = await a.nc.request(taskInboxSubject(t.spec.slug, "solver"), sc.encode("2+2"), { timeout: 2_000 });
            await barrier([b], [a]);
            expect(got).toEqual([`${inbox}|task for ${t.spec.slug}`]);
            expect(status).toEqual([`${agentStatusSubject(t.spec.slug, "planner")}|busy`]);
            expect(sc.decode(reply.data)).toBe("solved:2+2");
            expect(reply.subject.startsWith(`${t.spec.inboxPrefix}.`)).toBe(true);
            expect([...drops(a), ...drops(b)]).toEqual([]);
            responder.unsubscribe();
        }
    });

    it("delivers no message of one tenant to another, including '>' wildcard and inbox subscriptions", async () => {
        const clients = new Map<string, Client>();
        const seen = new Map<string, string[]>();
        for (const t of TENANTS) {
            const c = await tenantClient(t);
            clients.set(t.spec.slug, c);
            seen.set(t.spec.slug, collect(c.nc, tenantSubjects(t.spec.slug).all));
            seen.set(`${t.spec.slug}:inbox`, collect(c.nc, tenantSubjects(t.spec.slug).inboxes));
        }
        // eve's users may subscribe to anything: her '>' sees everything her account can see.
        const eveClient = await tenantClient(eve);
        const eveSeen = collect(eveClient.nc, ">");
        // A permitted tenant asking for '>' or another tenant's inbox is refused by the server.
        const acmeClient = clients.get("acme")!;
        const wideSeen = collect(acmeClient.nc, ">");
        const inboxSeen = collect(acmeClient.nc, `${globex.spec.inboxPrefix}.>`);
        const all = [...clients.values(), eveClient];
        await barrier(all, all);
        for (const t of [...TENANTS, eve]) {
            const c = t === eve ? eveClient : clients.get(t.spec.slug)!;
            c.nc.publish(taskInboxSubject(t.spec.slug, "a1"), sc.encode(`from:${t.spec.slug}`));
            c.nc.publish(`${t.spec.inboxPrefix}.direct`, sc.encode(`from:${t.spec.slug}`));
        }
        await barrier(all, all);
        for (const { spec: { slug } } of TENANTS) {
            expect(seen.get(slug)).toEqual([`org.${slug}.tasks.a1.inbox|from:${slug}`]);
            expect(seen.get(`${slug}:inbox`)).toEqual([`_INBOX.${slug}.direct|from:${slug}`]);
        }
        expect(eveSeen).toEqual([`org.eve.tasks.a1.inbox|from:eve`, `_INBOX.eve.direct|from:eve`]);
        expect(wideSeen).toEqual([]);
        expect(inboxSeen).toEqual([]);
        expect(await wideSeen.ended).toBe(`'Permissions Violation for Subscription to ">"'`);
        expect(await inboxSeen.ended).toBe(`'Permissions Violation for Subscription to "_INBOX.globex.>"'`);
        expect(drops(acmeClient)).toEqual(["error:PERMISSIONS_VIOLATION", "error:PERMISSIONS_VIOLATION"]);
    });

    it("delivers nothing when a tenant publishes into another tenant's subject names", async () => {
        const victim = await tenantClient(globex);
        const victimInbox = taskInboxSubject("globex", "a1");
        const got = collect(victim.nc, tenantSubjects("globex").all);
        const gotInbox = collect(victim.nc, tenantSubjects("globex").inboxes);
        const [attacker, unrestricted] = [await tenantClient(acme), await tenantClient(eve)];
        await barrier([victim], [victim]);
        for (const a of [attacker, unrestricted]) {
            a.nc.publish(victimInbox, sc.encode("injected"));
            a.nc.publish(agentStatusSubject("globex", "a1"), sc.encode("injected"));
            a.nc.publish(`${globex.spec.inboxPrefix}.x`, sc.encode("injected"));
        }
        // Positive control: the same subjects reach globex when globex itself publishes them.
        const own = await tenantClient(globex);
        own.nc.publish(victimInbox, sc.encode("legit"));
        own.nc.publish(`${globex.spec.inboxPrefix}.x`, sc.encode("legit"));
        await barrier([attacker, unrestricted, own], [victim]);
        expect(got).toEqual([`${victimInbox}|legit`]);
        expect(gotInbox).toEqual([`_INBOX.globex.x|legit`]);
        // The restricted attacker was also told off by the server; the unrestricted one was not (only the account wall held).
        await barrier([attacker], []);
        expect(drops(attacker).filter((e) => e.includes("PERMISSIONS_VIOLATION")).length).toBe(3);
        expect(drops(unrestricted)).toEqual([]);
    });

    it("delivers every platform broadcast to every tenant exactly once, and lets no tenant broadcast", async () => {
        const platformUser = await platformClient();
        const receivers = await Promise.all([...TENANTS, eve].map((t) => tenantClient(t)));
        const seen = receivers.map((r) => collect(r.nc, PLATFORM_BROADCAST_SUBJECT));
        await barrier(receivers, receivers);
        platformUser.nc.publish("platform.broadcast.maintenance", sc.encode("window at 02:00"));
        await barrier([platformUser], receivers);
        for (const s of seen) expect(s).toEqual(["platform.broadcast.maintenance|window at 02:00"]);
        const [acmeClient] = receivers;
        acmeClient.nc.publish("platform.broadcast.fake", sc.encode("fake"));
        // eve may publish anything, but a broadcast she sends stays in her own account.
        receivers[3].nc.publish("platform.broadcast.fake", sc.encode("from eve"));
        await barrier(receivers, receivers);
        expect(seen.slice(0, 3).every((s) => s.length === 1)).toBe(true);
        expect(seen[3]).toEqual(["platform.broadcast.maintenance|window at 02:00", "platform.broadcast.fake|from eve"]);
        expect(drops(acmeClient)).toEqual(["error:PERMISSIONS_VIOLATION"]);
    });

    it("routes each tenant's status to the platform under the sender's slug, and replies back", async () => {
        const platformUser = await platformClient();
        const got: Array<{ sender: string | undefined; body: string }> = [];
        platformUser.nc.subscribe(PLATFORM_STATUS_EXPORT, {
            callback: (_e, m: Msg) => {
                got.push({ sender: statusSender(m.subject), body: sc.decode(m.data) });
                if (m.reply) m.respond(sc.encode(`ack:${statusSender(m.subject)}`));
            },
        });
        await platformUser.nc.flush();
        for (const t of TENANTS) {
            const c = await tenantClient(t);
            c.nc.publish(STATUS_LOCAL_SUBJECT, sc.encode(`agent-1 of ${t.spec.slug} idle`));
            const ack = await c.nc.request(STATUS_LOCAL_SUBJECT, sc.encode("ping"), { timeout: 2_000 });
            expect(sc.decode(ack.data)).toBe(`ack:${t.spec.slug}`);
            await barrier([c], [platformUser]);
        }
        expect(got).toEqual(TENANTS.flatMap((t) => [{ sender: t.spec.slug, body: `agent-1 of ${t.spec.slug} idle` }, { sender: t.spec.slug, body: "ping" }]));
    });

    it("does not let a tenant send status as another tenant", async () => {
        const platformUser = await platformClient();
        const got = collect(platformUser.nc, PLATFORM_STATUS_EXPORT);
        await platformUser.nc.flush();
        const [acmeClient, unrestricted] = [await tenantClient(acme), await tenantClient(eve)];
        for (const c of [acmeClient, unrestricted]) {
            c.nc.publish("platform.status.globex", sc.encode("forged"));
            c.nc.publish("platform.status.initech", sc.encode("forged"));
            c.nc.publish(`${STATUS_LOCAL_SUBJECT}.globex`, sc.encode("forged"));
        }
        // eve's only way out is her own import, so even without permissions her status says "eve".
        unrestricted.nc.publish(STATUS_LOCAL_SUBJECT, sc.encode("eve speaking"));
        await barrier([acmeClient, unrestricted], [platformUser]);
        expect(got).toEqual(["platform.status.eve|eve speaking"]);
        expect(drops(acmeClient).filter((e) => e.includes("PERMISSIONS_VIOLATION")).length).toBe(3);
    });

    it("refuses a missing, unknown or forged credential", async () => {
        expect(await attempt(server, {})).toBe("refused: authentication error");
        // A user of an account the operator never signed, and acme's JWT presented with another seed.
        const stranger = testTenant("stranger", "free", plans);
        const outsider = await attempt(server, withCreds(stranger.material.creds));
        expect(outsider).toBe(`refused: authentication error - Nkey "${stranger.material.userPublicKey}"`);
        // The client signs the nonce with the seed it holds and presents that seed's key, which is not the JWT's user.
        const forged = acme.material.creds.replace(acme.material.userSeed, globex.material.userSeed);
        expect(await attempt(server, withCreds(forged))).toBe(`refused: authentication error - Nkey "${globex.material.userPublicKey}"`);
        expect(await attempt(server, { user: acme.spec.account, pass: acme.material.userSeed })).toBe(`refused: authentication error - User "${acme.spec.account}"`);
        expect(await attempt(server, withCreds(acme.material.creds))).toBe("connected");
    });

    it("enforces the plan's payload and connection limits per account", async () => {
        const [free, enterprise] = [plans.free.nats, plans.enterprise.nats];
        const c = await tenantClient(initech);
        expect(c.nc.info?.max_payload).toBe(free.maxPayload);
        expect(() => c.nc.publish(taskInboxSubject("initech", "a1"), new Uint8Array(free.maxPayload + 1))).toThrow("MAX_PAYLOAD_EXCEEDED");
        await c.nc.close();
        await untilConnections(server, initech.material.accountPublicKey, 0);
        const big = await tenantClient(globex);
        expect(big.nc.info?.max_payload).toBe(enterprise.maxPayload);
        const got = collect(big.nc, taskInboxSubject("globex", "big"));
        big.nc.publish(taskInboxSubject("globex", "big"), new Uint8Array(free.maxPayload + 1));
        await barrier([big], [big]);
        expect(got.length).toBe(1);
        for (let i = 0; i < free.maxConnections; i++) await tenantClient(initech);
        await untilConnections(server, initech.material.accountPublicKey, free.maxConnections);
        expect(await attempt(server, withCreds(initech.material.creds))).toBe("refused: maximum account active connections exceeded");
        // Another account is not affected by initech's full quota.
        const other = await tenantClient(acme);
        expect(other.nc.isClosed()).toBe(false);
    });
});
