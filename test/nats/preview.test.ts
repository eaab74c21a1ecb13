import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";
import { inspect, installNatsMocks, runStack, type RawInputs, type Registration } from "./mocks";

// A preview in which initech is new: its random bytes (hence its key) do not exist yet.
const registrations: Registration[] = installNatsMocks({ preview: true, unknownBytes: ["initech-nats-key"] });

let raw: RawInputs;
let authorization: import("../../components/nats-authorization").NatsAuthorization;
let accounts: import("../../components/nats-account").NatsAccount[];
let spec: typeof import("../../components/nats-spec");

beforeAll(async () => {
    const { NatsAccount } = await import("../../components/nats-account");
    const { NatsAuthorization } = await import("../../components/nats-authorization");
    spec = await import("../../components/nats-spec");
    const { loadRegistry } = await import("../../registry");
    const registry = loadRegistry(EXAMPLE_REGISTRY);
    const nats = { namespace: "nats", url: "nats://nats.nats.svc.cluster.local:4222" };
    raw = await runStack(() => {
        accounts = registry.entries.map(({ tenant, plan }) => new NatsAccount(`${tenant.slug}-nats`, { tenant, plan, nats }));
        authorization = new NatsAuthorization("nats", { nats, tenants: accounts });
    });
});

describe("pulumi preview with a new tenant whose key is not generated yet", () => {
    it("leaves the new tenant's key and auth.json unknown", async () => {
        const initech = accounts.find((a) => a.spec.slug === "initech")!;
        expect((await inspect(initech.userPublicKey)).known).toBe(false);
        expect((await inspect(accounts[0].userPublicKey)).known).toBe(true);
        expect((await inspect(authorization.authJson)).known).toBe(false);
        expect((await inspect(raw.get("nats-accounts")!.data["auth.json"])).known).toBe(false);
    });

    it("still gives the complete permission structure, new tenant included, as a plain string in the nats-authorization ConfigMap", () => {
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
