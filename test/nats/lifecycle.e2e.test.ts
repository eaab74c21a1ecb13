/**
 * Suspending a tenant on a REAL nats-server: the components declare the same key and credential
 * Secret whatever the lifecycle, and only leave the suspended tenant's user out of auth.json. The
 * server then closes its connections on reload and refuses its credential; making the tenant active
 * again lets the very same credential in.
 */
import * as pulumi from "@pulumi/pulumi";
import { connect, nkeyAuthenticator, StringCodec, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lifecycle, RegistryEntry } from "../../registry";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";
import { installNatsMocks, runStack, unwrap, type Registration } from "./mocks";
import { ensureNatsServer, startNats, type RunningNats } from "./server";

const registrations: Registration[] = installNatsMocks();
const NATS = { namespace: "nats", url: "nats://nats.nats.svc.cluster.local:4222" };
const ACME = "org_7f3k2m9q";
const KEYS = { masterKey: pulumi.secret(TEST_NATS_MASTER_KEY) };

/** What one run of the components declared: auth.json, permissions.json and acme's NATS resources. */
interface Declared {
    auth: string;
    permissions: { tenants: Array<{ slug: string; lifecycle?: string }> };
    acme: Registration[];
    seed: string;
}

let entries: RegistryEntry[];

/** Declares every example tenant's NatsAccount (acme with `lifecycle`) and the NatsAuthorization, as the program does. */
async function declare(lifecycle: Lifecycle): Promise<Declared> {
    const { NatsAccount } = await import("../../components/nats-account");
    const { NatsAuthorization } = await import("../../components/nats-authorization");
    const start = registrations.length;
    await runStack(() => {
        const accounts = entries.map(({ tenant, plan }) => new NatsAccount(`${tenant.slug}-nats`, { tenant: tenant.slug === "acme" ? { ...tenant, lifecycle } : tenant, plan, nats: NATS, keys: KEYS }));
        new NatsAuthorization("nats", { nats: NATS, tenants: accounts, keys: KEYS });
    });
    const mine = registrations.slice(start);
    const data = (name: string) => mine.find((r) => r.name === name)!.inputs.data;
    const acme = mine.filter((r) => r.name.startsWith("acme-nats"));
    const seed = unwrap(acme.find((r) => r.name === "acme-nats-credentials")!.inputs.stringData).NATS_NKEY_SEED as string;
    return { auth: data("nats-accounts")["auth.json"], permissions: JSON.parse(data("nats-authorization")["permissions.json"]), acme, seed };
}

let active: Declared;
let suspended: Declared;
let server: RunningNats;
const open: NatsConnection[] = [];
const sc = StringCodec();

beforeAll(async () => {
    const { loadRegistry } = await import("../../registry");
    // Every example tenant active, so that acme's lifecycle is the only difference between the runs.
    entries = loadRegistry(EXAMPLE_REGISTRY).entries.map((e) => ({ ...e, tenant: { ...e.tenant, lifecycle: "active" as const } }));
    active = await declare("active");
    suspended = await declare("suspended");
    server = await startNats(ensureNatsServer(), active.auth);
}, 120_000);

afterAll(async () => {
    await Promise.all(open.map((nc) => (nc.isClosed() ? undefined : nc.close().catch(() => undefined))));
    await server?.stop();
});

async function login(seed: string): Promise<NatsConnection> {
    const nc = await connect({ servers: server.url, reconnect: false, timeout: 5_000, authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) });
    open.push(nc);
    return nc;
}

/** "connected", or the code the client saw when the server refused the credential. */
async function attempt(seed: string): Promise<string> {
    return login(seed).then(
        () => "connected",
        (e: Error & { code?: string }) => e.code ?? e.message,
    );
}

/** Publishes on the tenant's own subject and reports what its subscription received. */
async function roundTrip(nc: NatsConnection): Promise<string[]> {
    const got: string[] = [];
    nc.subscribe("org.acme.>", { callback: (err, m) => got.push(err ? `error ${err.message}` : `${m.subject}|${sc.decode(m.data)}`) });
    nc.publish("org.acme.tasks.a1.inbox", sc.encode("hello"));
    await nc.flush();
    return got;
}

describe("a suspended tenant on nats-server", () => {
    it("keeps its account, key and credential Secret unchanged, and only loses its user in auth.json", () => {
        expect(suspended.acme).toEqual(active.acme);
        expect(suspended.seed).toBe(active.seed);
        expect(active.seed).toMatch(/^SU[A-Z2-7]{56}$/);
        const accountOf = (d: Declared) => JSON.parse(d.auth).accounts[ACME];
        expect(accountOf(active).users).toHaveLength(1);
        expect(accountOf(suspended)).toEqual({ ...accountOf(active), users: [] });
        expect(suspended.permissions.tenants.find((t) => t.slug === "acme")?.lifecycle).toBe("suspended");
        expect(active.permissions.tenants.find((t) => t.slug === "acme")).not.toHaveProperty("lifecycle");
        // Every other account is byte-for-byte the same: suspending one tenant touches no other.
        const others = (d: Declared) => JSON.stringify({ ...JSON.parse(d.auth).accounts, [ACME]: undefined });
        expect(others(suspended)).toBe(others(active));
        // The key derives from the master key, the org id and the generation, none of which the lifecycle touches.
        expect(active.acme.map((r) => r.type).sort()).toEqual(["kubernetes:core/v1:Secret", "tenancy:nats:NatsAccount"]);
    });

    it("closes the tenant's connections on reload and refuses its credential, leaving other tenants connected", async () => {
        const acme = await login(active.seed);
        expect(await roundTrip(acme)).toEqual(["org.acme.tasks.a1.inbox|hello"]);
        const globexSeed = unwrap(registrations.filter((r) => r.name === "globex-nats-credentials").at(-1)!.inputs.stringData).NATS_NKEY_SEED as string;
        const globex = await login(globexSeed);
        const closed = acme.closed().then(() => "closed");
        await server.reload(suspended.auth);
        expect(await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r("still open"), 5_000))])).toBe("closed");
        const logBefore = server.log().length;
        expect(["AUTHORIZATION_VIOLATION", "NATS_PROTOCOL_ERR", "EPIPE", "ECONNRESET"]).toContain(await attempt(active.seed));
        await new Promise((r) => setTimeout(r, 200));
        expect(server.log().slice(logBefore)).toContain(`authentication error - Nkey "${JSON.parse(active.auth).accounts[ACME].users[0].nkey}"`);
        await globex.flush();
        expect(globex.isClosed()).toBe(false);
    });

    it("lets the very same credential in again once the tenant is active", async () => {
        await server.reload(active.auth);
        const acme = await login(active.seed);
        expect(await roundTrip(acme)).toEqual(["org.acme.tasks.a1.inbox|hello"]);
    });
});
