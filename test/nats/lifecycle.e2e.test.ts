/**
 * Suspending a tenant on a REAL nats-server in operator mode: the components declare the same keys
 * and credential Secret whatever the lifecycle, and only set the suspended tenant's account JWT to
 * admit no connection. The server then closes its connections on reload and refuses its credential;
 * making the tenant active again lets the very same credential in.
 */
import * as pulumi from "@pulumi/pulumi";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lifecycle, RegistryEntry } from "../../registry";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";
import { sc, withCreds } from "./clients";
import { installNatsMocks, runStack, unwrap, type Registration } from "./mocks";
import { natsServerBinary, startNats, type NatsFiles, type RunningNats } from "./server";

const registrations: Registration[] = installNatsMocks();
const NATS = { namespace: "nats", url: "nats://nats.nats.svc.cluster.local:4222" };
const ACME = "org_7f3k2m9q";
const KEYS = { masterKey: pulumi.secret(TEST_NATS_MASTER_KEY) };

/** What one run of the components declared: the server's files and acme's and globex's credentials. */
interface Declared {
    files: NatsFiles;
    acme: Registration[];
    creds: Record<string, string>;
}

let entries: RegistryEntry[];
let decodeJwt: typeof import("../../components/nats-jwt").decodeJwt;

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
    const files: NatsFiles = {};
    for (const r of mine.filter((r) => r.type === "kubernetes:core/v1:ConfigMap")) Object.assign(files, r.inputs.data);
    const creds = Object.fromEntries(["acme", "globex"].map((slug) => [slug, unwrap(mine.find((r) => r.name === `${slug}-nats-credentials`)!.inputs.stringData).NATS_CREDS as string]));
    return { files, acme: mine.filter((r) => r.name.startsWith("acme-nats") || r.name === `nats-account-${ACME}`), creds };
}

let active: Declared;
let suspended: Declared;
let server: RunningNats;
const open: NatsConnection[] = [];

beforeAll(async () => {
    const { loadRegistry } = await import("../../registry");
    ({ decodeJwt } = await import("../../components/nats-jwt"));
    // Every example tenant active, so that acme's lifecycle is the only difference between the runs.
    entries = loadRegistry(EXAMPLE_REGISTRY).entries.map((e) => ({ ...e, tenant: { ...e.tenant, lifecycle: "active" as const } }));
    active = await declare("active");
    suspended = await declare("suspended");
    server = await startNats(natsServerBinary(), active.files);
}, 120_000);

afterAll(async () => {
    await Promise.all(open.map((nc) => (nc.isClosed() ? undefined : nc.close().catch(() => undefined))));
    await server?.stop();
});

async function login(creds: string): Promise<NatsConnection> {
    const nc = await connect({ servers: server.url, reconnect: false, timeout: 5_000, ...withCreds(creds) });
    open.push(nc);
    return nc;
}

const accountClaims = (d: Declared) => {
    const [, jwt] = /"(A[A-Z2-7]{55})": "([^"]+)"/.exec(d.files[`${ACME}.conf`])!.slice(1);
    return decodeJwt<{ limits: Record<string, unknown> }>(jwt).nats as { limits: Record<string, unknown> };
};

describe("a suspended tenant on nats-server in operator mode", () => {
    it("keeps its keys and credential Secret, and only its account JWT changes: no connection admitted", () => {
        const secretOf = (d: Declared) => d.acme.find((r) => r.name === "acme-nats-credentials");
        expect(secretOf(suspended)).toEqual(secretOf(active));
        expect(suspended.creds.acme).toBe(active.creds.acme);
        expect(active.creds.acme).toMatch(/^-----BEGIN NATS USER JWT-----\n[\w.-]+\n------END NATS USER JWT------\n[\s\S]*-----BEGIN USER NKEY SEED-----\nSU[A-Z2-7]{56}\n------END USER NKEY SEED------\n$/);
        expect(accountClaims(active).limits.conn).toBe(50);
        expect(accountClaims(suspended).limits).toEqual({ ...accountClaims(active).limits, conn: 0 });
        // Every other file is byte-for-byte the same: suspending one tenant touches no other.
        const others = (d: Declared) => Object.entries(d.files).filter(([name]) => name !== `${ACME}.conf`);
        expect(others(suspended)).toEqual(others(active));
    });

    it("closes the tenant's connections on reload and refuses its credential, leaving other tenants connected", async () => {
        const acme = await login(active.creds.acme);
        const got: string[] = [];
        acme.subscribe("org.acme.>", { callback: (err, m) => got.push(err ? `error ${err.message}` : `${m.subject}|${sc.decode(m.data)}`) });
        acme.publish("org.acme.tasks.a1.inbox", sc.encode("hello"));
        await acme.flush();
        expect(got).toEqual(["org.acme.tasks.a1.inbox|hello"]);
        const globex = await login(active.creds.globex);
        const closed = acme.closed().then(() => "closed");
        await server.reload(suspended.files);
        expect(await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r("still open"), 5_000))])).toBe("closed");
        const logBefore = server.log().length;
        const refused = await login(active.creds.acme).then(() => "connected", (e: Error & { code?: string }) => e.code ?? e.message);
        expect(["AUTHORIZATION_VIOLATION", "NATS_PROTOCOL_ERR", "EPIPE", "ECONNRESET"]).toContain(refused);
        await new Promise((r) => setTimeout(r, 200));
        expect(server.log().slice(logBefore)).toContain("maximum account active connections exceeded");
        await globex.flush();
        expect(globex.isClosed()).toBe(false);
    });

    it("lets the very same credential in again once the tenant is active", async () => {
        await server.reload(active.files);
        const acme = await login(active.creds.acme);
        await acme.flush();
        expect(acme.isClosed()).toBe(false);
    });
});
