import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";
import { inspect, installNatsMocks, runStack, type RawInputs, type Registration } from "./mocks";

// A preview of a stack whose tenants are all new: nothing exists yet, and the master key is the
// only key material. Every key derives from it, so the server's configuration is known.
const registrations: Registration[] = installNatsMocks({ preview: true });

let raw: RawInputs;
let authorization: import("../../components/nats-authorization").NatsAuthorization;
let accounts: import("../../components/nats-account").NatsAccount[];
let spec: typeof import("../../components/nats-spec");
let keys: typeof import("../../components/nats-keys");

beforeAll(async () => {
    const { NatsAccount } = await import("../../components/nats-account");
    const { NatsAuthorization } = await import("../../components/nats-authorization");
    spec = await import("../../components/nats-spec");
    keys = await import("../../components/nats-keys");
    const { loadRegistry } = await import("../../registry");
    const registry = loadRegistry(EXAMPLE_REGISTRY);
    const nats = { namespace: "nats", url: "nats://nats.nats.svc.cluster.local:4222" };
    const masterKey = pulumi.secret(TEST_NATS_MASTER_KEY);
    raw = await runStack(() => {
        accounts = registry.entries.map(({ tenant, plan }) => new NatsAccount(`${tenant.slug}-nats`, { tenant, plan, nats, keys: { masterKey } }));
        authorization = new NatsAuthorization("nats", { nats, tenants: accounts, keys: { masterKey } });
    });
});

describe("pulumi preview of new tenants", () => {
    it("knows every tenant's public key and auth.json, as plain values", async () => {
        for (const account of accounts) {
            expect(await inspect(account.userPublicKey)).toEqual({
                value: keys.deriveUserNkey(TEST_NATS_MASTER_KEY, account.spec.tenantId, 1).publicKey,
                known: true,
                secret: false,
            });
        }
        const auth = await inspect(authorization.authJson);
        expect(auth.known).toBe(true);
        expect(auth.secret).toBe(false);
        // What the engine (and so the policy pack) receives is the document itself, not an unknown.
        const sent = registrations.find((r) => r.name === "nats-accounts")!.inputs.data["auth.json"];
        expect(sent).toBe(auth.value);
        expect(Object.keys(JSON.parse(sent).accounts)).toEqual(["PLATFORM", "org_7f3k2m9q", "org_k4x8p2wn", "org_q9d5t1ze"]);
        expect(await pulumi.isSecret(raw.get("nats-accounts")!.data["auth.json"])).toBe(false);
    });

    it("knows the seeds too, and keeps them secret", async () => {
        const seed = raw.get("acme-nats-credentials")!.stringData.NATS_NKEY_SEED;
        expect(await inspect(seed)).toEqual({ value: keys.deriveUserNkey(TEST_NATS_MASTER_KEY, "org_7f3k2m9q", 1).seed, known: true, secret: true });
    });

    it("still gives the complete permission structure as a plain string in the nats-authorization ConfigMap", () => {
        const cm = registrations.find((r) => r.name === "nats-authorization")!;
        const permissions = raw.get("nats-authorization")!.data["permissions.json"];
        expect(typeof permissions).toBe("string");
        expect(cm.inputs.data["permissions.json"]).toBe(permissions);
        const parsed = spec.parsePermissionStructure(permissions);
        expect(parsed.problems).toEqual([]);
        expect(parsed.structure!.tenants.map((t) => [t.slug, t.account, t.imports.map((i) => `${i.kind}:${i.subject}->${i.to}`)])).toEqual([
            ["acme", "org_7f3k2m9q", ["stream:platform.broadcast.>->platform.broadcast.>", "service:platform.status.acme->platform.status"]],
            ["globex", "org_k4x8p2wn", ["stream:platform.broadcast.>->platform.broadcast.>", "service:platform.status.globex->platform.status"]],
            ["initech", "org_q9d5t1ze", ["stream:platform.broadcast.>->platform.broadcast.>", "service:platform.status.initech->platform.status"]],
        ]);
        expect(parsed.structure!.tenants[2].limits).toEqual({ maxConnections: 10, maxSubscriptions: 200, maxPayload: 262144 });
        expect(authorization.structure).toEqual(parsed.structure);
        expect(authorization.permissionsJson).toBe(permissions);
    });
});
