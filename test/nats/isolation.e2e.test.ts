/**
 * End-to-end isolation of tenants on a REAL nats-server (the Debian package), configured with the
 * authorization document the components generate. Nothing here is emulated: the server enforces
 * accounts, imports, permissions and limits, and the `nats` client speaks to it over TCP.
 */
import { connect, nkeyAuthenticator, StringCodec, type Msg, type NatsConnection } from "nats";
import { agentStatusSubject, PLATFORM_BROADCAST_SUBJECT, PLATFORM_STATUS_EXPORT, STATUS_LOCAL_SUBJECT, statusSender, taskInboxSubject, tenantSubjects } from "../../contract";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type UserNkey } from "../../components/nats-spec";
import { buildAuthorization, examplePlans, randomUserNkey, testTenant, type TestTenant } from "./fixture";
import { ensureNatsServer, startNats, type RunningNats } from "./server";

const sc = StringCodec();
const plans = examplePlans();
// Three tenants across all plans, as the registry would declare them.
const acme = testTenant("acme", "standard", plans);
const globex = testTenant("globex", "enterprise", plans);
const initech = testTenant("initech", "free", plans);
// A fourth tenant whose user permissions the test strips from auth.json: it stands for a defeated
// second wall, so the tests show that the account boundary alone still isolates.
const eve = testTenant("eve", "standard", plans);
// Added by the reload test.
const hooli = testTenant("hooli", "free", plans);
const TENANTS = [acme, globex, initech];
const platformKey = randomUserNkey();

function authJson(tenants: TestTenant[]): string {
    const { json } = buildAuthorization([...tenants, eve], platformKey);
    const doc = JSON.parse(json);
    delete doc.accounts[eve.spec.account].users[0].permissions;
    return JSON.stringify(doc);
}

let server: RunningNats;
const connections: NatsConnection[] = [];

interface Client {
    nc: NatsConnection;
    /** Server-sent async errors (permission violations) and status events, in order. */
    events: string[];
}

async function client(key: UserNkey, inboxPrefix?: string): Promise<Client> {
    const nc = await connect({
        servers: server.url,
        authenticator: nkeyAuthenticator(new TextEncoder().encode(key.seed)),
        // A closed connection must stay closed, so a reload that dropped it cannot hide behind a reconnect.
        reconnect: false,
        timeout: 5_000,
        ...(inboxPrefix ? { inboxPrefix } : {}),
    });
    connections.push(nc);
    const events: string[] = [];
    void (async () => {
        for await (const s of nc.status()) events.push(`${s.type}:${typeof s.data === "string" ? s.data : JSON.stringify(s.data)}`);
    })();
    return { nc, events };
}

/** Status events other than the informational "update" (a server INFO refresh, e.g. on reload): disconnects, reconnects, errors. */
const drops = (c: Client) => c.events.filter((e) => !e.startsWith("update:"));

const tenantClient = (t: TestTenant) => client(t.key, t.spec.inboxPrefix);

/**
 * Subscribes and collects every message as `subject|payload`; `ended` resolves with the error that
 * closed the subscription, if any. A callback (not an async iterator) records each message
 * synchronously as the client parses it, so a later flush() is a sound barrier.
 */
function collect(nc: NatsConnection, subject: string): string[] & { ended: Promise<string | undefined> } {
    const got: string[] = [];
    let end!: (reason: string | undefined) => void;
    const ended = new Promise<string | undefined>((resolve) => (end = resolve));
    const sub = nc.subscribe(subject, {
        callback: (err, m) => {
            if (err) end(err.message);
            else got.push(`${m.subject}|${sc.decode(m.data)}`);
        },
    });
    void sub.closed.then(() => end(undefined));
    // Non-enumerable, so toEqual compares only the messages.
    Object.defineProperty(got, "ended", { value: ended, enumerable: false });
    return got as string[] & { ended: Promise<string | undefined> };
}

/**
 * Tries to connect and returns "connected", or "refused: <server log line>" when the server
 * rejected the attempt. The server closes a refused socket right after its -ERR, so the client may
 * report the -ERR or a reset/broken pipe; the server's log is the authority on why.
 */
async function attempt(opts: Record<string, unknown>): Promise<string> {
    const logBefore = server.log().length;
    const outcome = await connect({ servers: server.url, reconnect: false, timeout: 5_000, ...opts }).then(
        async (nc) => {
            await nc.close();
            return undefined;
        },
        (e: Error & { code?: string }) => e.code ?? e.message,
    );
    if (outcome === undefined) return "connected";
    expect(["AUTHORIZATION_VIOLATION", "NATS_PROTOCOL_ERR", "EPIPE", "ECONNRESET"]).toContain(outcome);
    const deadline = Date.now() + 2_000;
    let line: string | undefined;
    while (!(line = server.log().slice(logBefore).split("\n").find((l) => l.includes("[ERR]")))) {
        if (Date.now() > deadline) return `refused without a server log line (${outcome})`;
        await new Promise((r) => setTimeout(r, 10));
    }
    return `refused: ${line.replace(/^.*? - cid:\d+ - (?:"[^"]*" - )?/, "")}`;
}

const withKey = (key: UserNkey) => ({ authenticator: nkeyAuthenticator(new TextEncoder().encode(key.seed)) });

/**
 * Barrier: once every sender's flush and then every receiver's flush returned, the server has
 * routed every message published before and written it to the receivers ahead of their PONG.
 */
async function barrier(senders: Client[], receivers: Client[]): Promise<void> {
    for (const s of senders) await s.nc.flush();
    for (const r of receivers) await r.nc.flush();
    // Status events reach `events` through an async iterator: let every queued microtask run.
    await new Promise((resolve) => setImmediate(resolve));
}

beforeAll(async () => {
    const bin = ensureNatsServer();
    server = await startNats(bin, authJson(TENANTS));
}, 120_000);

/** Resolves once the server counts `count` client connections in the account (closes are asynchronous server-side). */
async function untilConnections(account: string, count: number): Promise<void> {
    const deadline = Date.now() + 5_000;
    for (;;) {
        const connz = await server.monitor(`/connz?acc=${account}`);
        if (connz.num_connections === count) return;
        if (Date.now() > deadline) throw new Error(`account ${account} has ${connz.num_connections} connections, expected ${count}`);
        await new Promise((r) => setTimeout(r, 10));
    }
}

// Each test starts from no client connections, so per-account connection limits are not shared between tests.
afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close().catch(() => undefined))));
    for (const t of [...TENANTS, eve]) await untilConnections(t.spec.account, 0);
});

afterAll(async () => {
    await Promise.all(connections.map((nc) => (nc.isClosed() ? undefined : nc.close().catch(() => undefined))));
    await server?.stop();
});

describe("nats-server with the generated authorization", () => {
    it("lets each tenant publish/subscribe and request/reply on its own subjects", async () => {
        for (const t of TENANTS) {
            const a = await tenantClient(t);
            const b = await tenantClient(t);
            const inbox = taskInboxSubject(t.spec.slug, "planner");
            const got = collect(a.nc, inbox);
            const status = collect(a.nc, tenantSubjects(t.spec.slug).agentStatuses);
            const responder = b.nc.subscribe(taskInboxSubject(t.spec.slug, "solver"), {
                callback: (_err, m: Msg) => m.respond(sc.encode(`solved:${sc.decode(m.data)}`)),
            });
            // Both subscriptions are registered on the server before anything is published.
            await barrier([a, b], [a, b]);
            b.nc.publish(inbox, sc.encode(`task for ${t.spec.slug}`));
            b.nc.publish(agentStatusSubject(t.spec.slug, "planner"), sc.encode("busy"));
            const reply = await a.nc.request(taskInboxSubject(t.spec.slug, "solver"), sc.encode("2+2"), { timeout: 2_000 });
            await barrier([b], [a]);
            expect(got).toEqual([`${inbox}|task for ${t.spec.slug}`]);
            expect(status).toEqual([`${agentStatusSubject(t.spec.slug, "planner")}|busy`]);
            expect(sc.decode(reply.data)).toBe("solved:2+2");
            expect(reply.subject.startsWith(`${t.spec.inboxPrefix}.`)).toBe(true);
            expect(drops(a)).toEqual([]);
            expect(drops(b)).toEqual([]);
            responder.unsubscribe();
        }
    });

    it("delivers no message of one tenant to another, including '>' wildcard and inbox subscriptions", async () => {
        const clients = new Map<string, Client>();
        const seen = new Map<string, string[]>();
        for (const t of TENANTS) {
            const c = await tenantClient(t);
            clients.set(t.spec.slug, c);
            const s = tenantSubjects(t.spec.slug);
            seen.set(t.spec.slug, collect(c.nc, s.all));
            const inboxSeen = collect(c.nc, s.inboxes);
            seen.set(`${t.spec.slug}:inbox`, inboxSeen);
        }
        // eve has no permissions at all: her '>' sees everything her account can see.
        const eveClient = await tenantClient(eve);
        const eveSeen = collect(eveClient.nc, ">");
        // A permitted tenant asking for '>' or another tenant's inbox is refused by the server.
        const acmeClient = clients.get("acme")!;
        const wideSeen = collect(acmeClient.nc, ">");
        const inboxSeen = collect(acmeClient.nc, `${globex.spec.inboxPrefix}.>`);
        const all = [...clients.values(), eveClient];
        await barrier(all, all);

        // Every tenant publishes on its subjects, its inbox, and does a request/reply.
        for (const t of [...TENANTS, eve]) {
            const c = t === eve ? eveClient : clients.get(t.spec.slug)!;
            const s = tenantSubjects(t.spec.slug);
            c.nc.publish(taskInboxSubject(t.spec.slug, "a1"), sc.encode(`from:${t.spec.slug}`));
            c.nc.publish(`${s.inboxPrefix}.direct`, sc.encode(`from:${t.spec.slug}`));
        }
        await barrier(all, all);

        for (const t of TENANTS) {
            const slug = t.spec.slug;
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
        const attacker = await tenantClient(acme);
        const unrestricted = await tenantClient(eve);
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

    it("delivers every platform broadcast to every tenant exactly once", async () => {
        const platform = await client(platformKey);
        const receivers = await Promise.all([...TENANTS, eve].map((t) => tenantClient(t)));
        const seen = receivers.map((r) => collect(r.nc, PLATFORM_BROADCAST_SUBJECT));
        await barrier(receivers, receivers);
        platform.nc.publish("platform.broadcast.maintenance", sc.encode("window at 02:00"));
        await barrier([platform], receivers);
        for (const s of seen) expect(s).toEqual(["platform.broadcast.maintenance|window at 02:00"]);
        // A tenant cannot broadcast: the publish is denied and nobody else receives it.
        const acmeClient = receivers[0];
        acmeClient.nc.publish("platform.broadcast.fake", sc.encode("fake"));
        await barrier([acmeClient], receivers);
        for (const s of seen) expect(s).toEqual(["platform.broadcast.maintenance|window at 02:00"]);
        expect(drops(acmeClient)).toEqual(["error:PERMISSIONS_VIOLATION"]);
    });

    it("routes each tenant's status to the platform under the sender's slug, and replies back", async () => {
        const platform = await client(platformKey);
        const got: Array<{ sender: string | undefined; body: string }> = [];
        platform.nc.subscribe(PLATFORM_STATUS_EXPORT, {
            callback: (_e, m: Msg) => {
                got.push({ sender: statusSender(m.subject), body: sc.decode(m.data) });
                if (m.reply) m.respond(sc.encode(`ack:${statusSender(m.subject)}`));
            },
        });
        await platform.nc.flush();
        for (const t of TENANTS) {
            const c = await tenantClient(t);
            c.nc.publish(STATUS_LOCAL_SUBJECT, sc.encode(`agent-1 of ${t.spec.slug} idle`));
            const ack = await c.nc.request(STATUS_LOCAL_SUBJECT, sc.encode("ping"), { timeout: 2_000 });
            expect(sc.decode(ack.data)).toBe(`ack:${t.spec.slug}`);
            await barrier([c], [platform]);
        }
        expect(got).toEqual(
            TENANTS.flatMap((t) => [
                { sender: t.spec.slug, body: `agent-1 of ${t.spec.slug} idle` },
                { sender: t.spec.slug, body: "ping" },
            ]),
        );
    });

    it("does not let a tenant send status as another tenant", async () => {
        const platform = await client(platformKey);
        const got = collect(platform.nc, PLATFORM_STATUS_EXPORT);
        await platform.nc.flush();
        const acmeClient = await tenantClient(acme);
        const unrestricted = await tenantClient(eve);
        for (const c of [acmeClient, unrestricted]) {
            c.nc.publish("platform.status.globex", sc.encode("forged"));
            c.nc.publish("platform.status.initech", sc.encode("forged"));
            c.nc.publish(`${STATUS_LOCAL_SUBJECT}.globex`, sc.encode("forged"));
        }
        // eve's only way out is her own import, so even without permissions her status says "eve".
        unrestricted.nc.publish(STATUS_LOCAL_SUBJECT, sc.encode("eve speaking"));
        await barrier([acmeClient, unrestricted], [platform]);
        expect(got).toEqual(["platform.status.eve|eve speaking"]);
        expect(drops(acmeClient).filter((e) => e.includes("PERMISSIONS_VIOLATION")).length).toBe(3);
    });

    it("refuses a missing, unknown or malformed credential", async () => {
        expect(await attempt({})).toBe(`refused: authentication error - Nkey ""`);
        const stranger = randomUserNkey();
        expect(await attempt(withKey(stranger))).toBe(`refused: authentication error - Nkey "${stranger.publicKey}"`);
        // Only nkey users exist, so the server checks every attempt as an nkey and finds none.
        expect(await attempt({ user: acme.spec.account, pass: acme.key.publicKey })).toBe(`refused: authentication error - Nkey ""`);
        expect(await attempt({ token: acme.key.seed })).toBe(`refused: authentication error - Nkey ""`);
        expect(await attempt(withKey(acme.key))).toBe("connected");
    });

    it("enforces the plan's payload and connection limits per account", async () => {
        const free = plans.free.nats;
        const enterprise = plans.enterprise.nats;
        // The server tells each client its account's payload limit, and the client refuses to send more.
        const c = await tenantClient(initech);
        expect(c.nc.info?.max_payload).toBe(free.maxPayload);
        expect(() => c.nc.publish(taskInboxSubject("initech", "a1"), new Uint8Array(free.maxPayload + 1))).toThrow("MAX_PAYLOAD_EXCEEDED");
        await c.nc.close();
        await untilConnections(initech.spec.account, 0);
        // The enterprise tenant may send the same payload.
        const big = await tenantClient(globex);
        expect(big.nc.info?.max_payload).toBe(enterprise.maxPayload);
        const got = collect(big.nc, taskInboxSubject("globex", "big"));
        big.nc.publish(taskInboxSubject("globex", "big"), new Uint8Array(free.maxPayload + 1));
        await barrier([big], [big]);
        expect(got.length).toBe(1);

        const open: Client[] = [];
        for (let i = 0; i < free.maxConnections; i++) open.push(await tenantClient(initech));
        // The server closes the extra connection while the client is still writing CONNECT, so the
        // client sees a reset or broken pipe; the server's log says why.
        await untilConnections(initech.spec.account, free.maxConnections);
        expect(await attempt(withKey(initech.key))).toBe("refused: maximum account active connections exceeded");
        // Another account is not affected by initech's full quota.
        const other = await tenantClient(acme);
        expect(other.nc.isClosed()).toBe(false);
        await Promise.all([...open, other].map((o) => o.nc.close()));
    });

    it("keeps existing connections open on reload, admits an added tenant and disconnects a removed one", async () => {
        const before = await Promise.all(TENANTS.map((t) => tenantClient(t)));
        const ids = before.map((c) => c.nc.info!.client_id).sort((a, b) => a - b);
        const serverCids = async () => ((await server.monitor("/connz?limit=1000")).connections as Array<{ cid: number }>).map((c) => c.cid);
        expect(await attempt(withKey(hooli.key))).toBe(`refused: authentication error - Nkey "${hooli.key.publicKey}"`);

        await server.reload(authJson([...TENANTS, hooli]));
        // The same server-side connections (same client ids), never dropped: no disconnect event and,
        // with reconnect off, a dropped connection would be closed for good.
        expect((await serverCids()).filter((cid) => ids.includes(cid)).sort((a, b) => a - b)).toEqual(ids);
        const added = await tenantClient(hooli);
        const platform = await client(platformKey);
        const seen = [...before, added].map((c) => collect(c.nc, PLATFORM_BROADCAST_SUBJECT));
        await barrier([...before, added], [...before, added]);
        platform.nc.publish("platform.broadcast.hello", sc.encode("after reload"));
        await barrier([platform], [...before, added]);
        for (const c of before) {
            expect(c.nc.isClosed()).toBe(false);
            expect(drops(c)).toEqual([]);
        }
        for (const s of seen) expect(s).toEqual(["platform.broadcast.hello|after reload"]);

        // Remove hooli again: the server drops its connection on reload, everyone else stays.
        const addedClosed = added.nc.closed().then(() => "closed");
        await server.reload(authJson(TENANTS));
        const outcome = await Promise.race([addedClosed, new Promise<string>((r) => setTimeout(() => r("still open"), 5_000))]);
        expect(outcome).toBe("closed");
        expect(added.nc.isClosed()).toBe(true);
        await untilConnections(hooli.spec.account, 0);
        for (const c of before) {
            await c.nc.flush();
            expect(c.nc.isClosed()).toBe(false);
            expect(drops(c)).toEqual([]);
        }
        expect((await serverCids()).filter((cid) => ids.includes(cid)).sort((a, b) => a - b)).toEqual(ids);
        expect(await attempt(withKey(hooli.key))).toBe(`refused: authentication error - Nkey "${hooli.key.publicKey}"`);
        expect(server.log()).not.toMatch(/\[ERR\].*reload/i);
    });

    it("keeps the previous accounts and connections when a reload is rejected", async () => {
        const c = await tenantClient(acme);
        const broken = JSON.stringify({ accounts: { [acme.spec.account]: { users: [{ nkey: "not-an-nkey" }] } } });
        await expect(server.reload(broken)).rejects.toThrow(/nats-server rejected the reload/);
        await c.nc.flush();
        expect(c.nc.isClosed()).toBe(false);
        expect(drops(c)).toEqual([]);
        // The server still runs the last good config: globex still gets in, hooli (removed) does not.
        expect(await attempt(withKey(globex.key))).toBe("connected");
        expect(await attempt(withKey(hooli.key))).toBe(`refused: authentication error - Nkey "${hooli.key.publicKey}"`);
        // Restore a valid file so the next reload (if any) starts from a good config.
        await server.reload(authJson(TENANTS));
    });
});
