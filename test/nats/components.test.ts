import * as pulumi from "@pulumi/pulumi";
import { fromSeed } from "nkeys.js";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { inspect, installNatsMocks, isSecretWire, runStack, unwrap, type RawInputs, type Registration } from "./mocks";

// Mocks first, then the components (a static import would run them in the SDK's silent test mode).
const registrations: Registration[] = installNatsMocks();

type Components = typeof import("../../components/nats-account") &
    typeof import("../../components/nats-authorization") &
    typeof import("../../components/nats-spec") &
    typeof import("../../components/nats-keys");
let c: Components;
let registry: ReturnType<typeof import("../../registry").loadRegistry>;
const NATS = { namespace: "nats", url: "nats://nats.nats.svc.cluster.local:4222" };
const KEYS = { masterKey: pulumi.secret(TEST_NATS_MASTER_KEY) };
/** The user nkey the components must derive for an owner (org id or PLATFORM) at a generation. */
const derived = (owner: string, generation = 1) => c.deriveUserNkey(TEST_NATS_MASTER_KEY, owner, generation);

/** Declares one NatsAccount per example tenant and the NatsAuthorization over them. */
async function declare() {
    const accounts = registry.entries.map(({ tenant, plan }) => new c.NatsAccount(`${tenant.slug}-nats`, { tenant, plan, nats: NATS, keys: KEYS }));
    const authorization = new c.NatsAuthorization("nats", { nats: NATS, tenants: [...accounts].reverse(), keys: KEYS });
    return { accounts, authorization };
}

let first: { declared: Awaited<ReturnType<typeof declare>>; raw: RawInputs; registered: Registration[] };

beforeAll(async () => {
    c = {
        ...(await import("../../components/nats-account")),
        ...(await import("../../components/nats-authorization")),
        ...(await import("../../components/nats-spec")),
        ...(await import("../../components/nats-keys")),
    };
    const { loadRegistry } = await import("../../registry");
    registry = loadRegistry(EXAMPLE_REGISTRY);
    let declared!: Awaited<ReturnType<typeof declare>>;
    const start = registrations.length;
    const raw = await runStack(async () => {
        declared = await declare();
    });
    first = { declared, raw, registered: registrations.slice(start) };
});

describe("NatsAccount under Pulumi mocks", () => {
    it("declares the nats-credentials Secret in the tenant namespace, and no random resource: its key derives from the master key", () => {
        const names = first.registered.filter((r) => r.name.startsWith("acme-nats")).map((r) => `${r.type} ${r.name}`);
        expect(names.sort()).toEqual(["kubernetes:core/v1:Secret acme-nats-credentials", "tenancy:nats:NatsAccount acme-nats"]);
        expect(first.registered.filter((r) => r.type.startsWith("random:"))).toEqual([]);
        const secret = first.registered.find((r) => r.name === "acme-nats-credentials")!;
        expect(secret.inputs.metadata).toEqual({
            name: "nats-credentials",
            namespace: "org-acme",
            labels: { "tenancy.io/tenant-id": "org_7f3k2m9q", tier: "standard", "app.kubernetes.io/managed-by": "tenancy" },
        });
    });

    it("puts URL, seed, account, subject and inbox prefixes in the Secret; the seed is the one derived for the org id, generation 1", async () => {
        const secret = first.registered.find((r) => r.name === "acme-nats-credentials")!;
        const data = unwrap(secret.inputs.stringData);
        const expected = derived("org_7f3k2m9q");
        expect(data).toEqual({
            NATS_ACCOUNT: "org_7f3k2m9q",
            NATS_INBOX_PREFIX: "_INBOX.acme",
            NATS_NKEY_SEED: expected.seed,
            NATS_STATUS_SUBJECT: "platform.status",
            NATS_SUBJECT_PREFIX: "org.acme",
            NATS_URL: NATS.url,
        });
        const acme = first.declared.accounts[0];
        expect(acme.accountName).toBe("org_7f3k2m9q");
        expect(acme.permissions).toEqual(c.tenantUserPermissions("acme"));
        const pub = await inspect(acme.userPublicKey);
        expect(pub).toEqual({ value: fromSeed(new TextEncoder().encode(data.NATS_NKEY_SEED)).getPublicKey(), known: true, secret: false });
        expect(acme.keyGeneration).toBe(1);
    });

    it("marks the seed secret end to end: in the Secret's inputs and never in a plain output", async () => {
        const raw = first.raw.get("acme-nats-credentials")!;
        expect(await pulumi.isSecret(raw.stringData.NATS_NKEY_SEED)).toBe(true);
        expect((await inspect(raw.stringData.NATS_NKEY_SEED)).secret).toBe(true);
        const wire = first.registered.find((r) => r.name === "acme-nats-credentials")!.inputs.stringData;
        // The engine receives the whole stringData as a secret, so state stores it encrypted.
        expect(isSecretWire(wire)).toBe(true);
        const seed = unwrap(wire).NATS_NKEY_SEED;
        expect(seed).toMatch(/^SU[A-Z2-7]{56}$/);
        const everythingPlain = JSON.stringify(first.registered.filter((r) => r.type !== "kubernetes:core/v1:Secret"));
        expect(everythingPlain).not.toContain(seed);
        expect(everythingPlain).not.toContain(TEST_NATS_MASTER_KEY);
    });

    it("refuses invalid arguments with one clear message instead of a stack trace", async () => {
        const { tenant, plan } = registry.entries[0];
        const attempt = (args: any) => {
            try {
                new c.NatsAccount("bad", args);
                return "accepted";
            } catch (error) {
                return `${(error as Error).constructor.name}: ${(error as Error).message}`;
            }
        };
        expect(attempt({ tenant: { ...tenant, slug: "Bad.Slug" }, plan, nats: { url: "http://x" }, keys: KEYS })).toBe(
            "RunError: invalid NatsAccount arguments:\n  tenant.slug: must be a DNS label: lowercase letters, digits and '-', starting and ending alphanumeric\n  nats.url: \"http://x\" must use nats://, tls://, ws:// or wss://",
        );
        expect(attempt({ tenant, plan, nats: { url: NATS.url }, keys: { generation: 0 } })).toBe(
            "RunError: invalid NatsAccount arguments:\n  keys.masterKey is required (the stack's tenancy:natsMasterKey)\n  keys.generation: must be a whole number ≥ 1, got 0",
        );
        expect(attempt({ tenant, plan, nats: { url: "nats://user:pw@nats:4222" }, keys: KEYS })).toBe(
            'RunError: invalid NatsAccount arguments:\n  nats.url: "nats://user:pw@nats:4222" must not embed credentials; the nkey in the Secret authenticates',
        );
    });
});

describe("NatsAuthorization under Pulumi mocks", () => {
    it("stores auth.json and permissions.json in two ConfigMaps in the NATS namespace and the platform credential in a Secret there", async () => {
        const kinds = first.registered.filter((r) => r.name.startsWith("nats")).map((r) => `${r.type} ${r.name}`);
        expect(kinds.sort()).toEqual([
            "kubernetes:core/v1:ConfigMap nats-accounts",
            "kubernetes:core/v1:ConfigMap nats-authorization",
            "kubernetes:core/v1:Secret nats-platform-credentials",
            "tenancy:nats:NatsAuthorization nats",
        ]);
        const labels = { "app.kubernetes.io/managed-by": "tenancy", "app.kubernetes.io/component": "nats-authorization" };
        const accounts = first.registered.find((r) => r.name === "nats-accounts")!;
        expect(accounts.inputs.metadata).toEqual({ name: "nats-accounts", namespace: "nats", labels });
        expect(Object.keys(accounts.inputs.data)).toEqual(["auth.json"]);
        const authorization = first.registered.find((r) => r.name === "nats-authorization")!;
        expect(authorization.inputs.metadata).toEqual({ name: "nats-authorization", namespace: "nats", labels });
        expect(Object.keys(authorization.inputs.data)).toEqual(["permissions.json"]);

        const secret = first.registered.find((r) => r.name === "nats-platform-credentials")!;
        const platform = derived("PLATFORM");
        expect(secret.inputs.metadata.namespace).toBe("nats");
        expect(isSecretWire(secret.inputs.stringData)).toBe(true);
        expect(unwrap(secret.inputs.stringData)).toEqual({ NATS_ACCOUNT: "PLATFORM", NATS_NKEY_SEED: platform.seed, NATS_URL: NATS.url });
        expect(await pulumi.isSecret(first.raw.get("nats-platform-credentials")!.stringData.NATS_NKEY_SEED)).toBe(true);
        // No tenant namespace ever holds the platform's credential.
        const holders = first.registered.filter((r) => JSON.stringify(r.inputs).includes(platform.seed)).map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`);
        expect(holders).toEqual(["nats/nats-platform-credentials"]);
    });

    it("renders auth.json from every tenant's public key (sorted by slug) and nothing secret", async () => {
        const cm = first.registered.find((r) => r.name === "nats-accounts")!;
        const auth = JSON.parse(cm.inputs.data["auth.json"]);
        const key = (owner: string) => derived(owner).publicKey;
        expect(Object.keys(auth.accounts)).toEqual(["PLATFORM", "org_7f3k2m9q", "org_k4x8p2wn", "org_q9d5t1ze"]);
        expect(auth.accounts.PLATFORM.users[0].nkey).toBe(key("PLATFORM"));
        expect(auth.accounts.org_7f3k2m9q.users[0].nkey).toBe(key("org_7f3k2m9q"));
        expect(auth.accounts.org_k4x8p2wn.users[0].nkey).toBe(key("org_k4x8p2wn"));
        // initech is suspended: its account stays, its user is not loaded.
        expect(auth.accounts.org_q9d5t1ze.users).toEqual([]);
        expect(auth.accounts.org_q9d5t1ze.limits).toEqual({ max_connections: 10, max_subscriptions: 200, max_payload: 262144 });
        expect(cm.inputs.data["auth.json"]).not.toMatch(/S[A-Z2-7]{57}/);
        expect(await pulumi.isSecret(first.raw.get("nats-accounts")!.data["auth.json"])).toBe(false);
        const structure = c.permissionStructure(first.declared.accounts.map((a) => a.spec));
        expect(cm.inputs.data["auth.json"]).toBe(
            c.renderAuthorization(structure, {
                platform: key("PLATFORM"),
                tenants: { org_7f3k2m9q: key("org_7f3k2m9q"), org_k4x8p2wn: key("org_k4x8p2wn"), org_q9d5t1ze: key("org_q9d5t1ze") },
            }),
        );
        expect(JSON.parse(first.registered.find((r) => r.name === "nats-authorization")!.inputs.data["permissions.json"])).toEqual(structure);
        expect(first.declared.authorization.structure).toEqual(structure);
    });

    it("produces the same bytes on a second run with the same registry and master key", async () => {
        const start = registrations.length;
        await runStack(async () => {
            await declare();
        });
        // Registration order follows input resolution; compare each resource's bytes by name.
        const canonical = (rs: Registration[]) => rs.map((r) => JSON.stringify(r)).sort();
        const second = registrations.slice(start);
        // The stack, 3 × (NatsAccount, Secret), NatsAuthorization, its Secret and two ConfigMaps.
        expect(second.length).toBe(11);
        expect(canonical(second)).toEqual(canonical(first.registered));
    });

    it("gives a tenant whose generation is raised a new key, and changes no other account or Secret", async () => {
        const start = registrations.length;
        await runStack(() => {
            const accounts = registry.entries.map(({ tenant, plan }) =>
                new c.NatsAccount(`${tenant.slug}-nats`, { tenant, plan, nats: NATS, keys: { ...KEYS, generation: tenant.slug === "acme" ? 2 : 1 } }),
            );
            new c.NatsAuthorization("nats", { nats: NATS, tenants: accounts, keys: KEYS });
        });
        const rotated = registrations.slice(start);
        const seedOf = (rs: Registration[], name: string) => unwrap(rs.find((r) => r.name === name)!.inputs.stringData).NATS_NKEY_SEED;
        expect(seedOf(rotated, "acme-nats-credentials")).toBe(derived("org_7f3k2m9q", 2).seed);
        expect(seedOf(rotated, "acme-nats-credentials")).not.toBe(seedOf(first.registered, "acme-nats-credentials"));
        expect(seedOf(rotated, "globex-nats-credentials")).toBe(seedOf(first.registered, "globex-nats-credentials"));
        const accountsOf = (rs: Registration[]) => JSON.parse(rs.find((r) => r.name === "nats-accounts")!.inputs.data["auth.json"]).accounts;
        const [before, after] = [accountsOf(first.registered), accountsOf(rotated)];
        expect(after.org_7f3k2m9q.users[0].nkey).toBe(derived("org_7f3k2m9q", 2).publicKey);
        expect({ ...after, org_7f3k2m9q: undefined }).toEqual({ ...before, org_7f3k2m9q: undefined });
        expect({ ...after.org_7f3k2m9q, users: undefined }).toEqual({ ...before.org_7f3k2m9q, users: undefined });
    });

    it("refuses a tenant set with duplicate accounts and a bad namespace with clear messages", () => {
        const [acme] = first.declared.accounts;
        const attempt = (args: any) => {
            try {
                new c.NatsAuthorization("bad", args);
                return "accepted";
            } catch (error) {
                return `${(error as Error).constructor.name}: ${(error as Error).message}`;
            }
        };
        expect(attempt({ nats: NATS, tenants: [acme, acme], keys: KEYS })).toBe(
            'RunError: cannot build the NATS authorization: tenants org_7f3k2m9q and org_7f3k2m9q share the NATS slug "acme"; every tenant needs its own',
        );
        expect(attempt({ nats: { namespace: "NATS", url: NATS.url }, tenants: [{ spec: { ...acme.spec, exports: [{ kind: "stream", subject: "org.acme.>" }], extra: 1 }, userPublicKey: "U" }], keys: KEYS })).toBe(
            'RunError: invalid NatsAuthorization arguments:\n  tenants[0].spec: Unrecognized key: "extra"\n  nats.namespace: "NATS" must be a DNS label',
        );
    });

    it("fails at construction (so at preview) when a document would pass the 1 MiB ConfigMap limit", () => {
        const plan = registry.plans.plans.standard;
        const specs = Array.from({ length: 1700 }, (_, i) => c.tenantAccountSpec({ id: `org_s${i}`, slug: `tenant-${String(i).padStart(5, "0")}`, plan: "standard" }, plan));
        const permissionsBytes = Buffer.byteLength(c.renderJson(c.permissionStructure(specs)));
        expect(permissionsBytes).toBeGreaterThan(1_048_576 - "permissions.json".length);
        expect(c.authorizationSize(c.permissionStructure(specs))).toBeLessThan(1_048_576);
        expect(() => new c.NatsAuthorization("huge", { nats: NATS, tenants: specs.map((spec, i) => ({ spec, userPublicKey: c.placeholderUserNkey(i + 1) })), keys: KEYS })).toThrow(
            `permissions.json for 1700 tenants needs ${permissionsBytes} bytes, over the 1048576-byte ConfigMap limit; this many tenants need NATS decentralized (JWT) auth instead of a config file`,
        );
    });
});
