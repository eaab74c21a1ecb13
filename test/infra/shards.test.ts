import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { declareTenants, declaredEntries } from "../../infra/program";
import { stackConfigSchema } from "../../infra/config";
import { loadRegistry, shardOf, type Registry, type RegistryEntry } from "../../registry";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { installRecordingMocks, runRecorded, type MockedResource } from "../support/pulumi-mocks";
import { makeRegistry, tenantYaml } from "../support/registry-fixture";

const resources: MockedResource[] = installRecordingMocks();
const COUNT = 3;
// 24 generated tenants: enough that every shard of 3 holds several.
const REGISTRY: Registry = loadRegistry(
    makeRegistry(Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`t${i}.yaml`, tenantYaml(`t${i}`, "", `org_shard${i.toString().padStart(3, "0")}`)]))),
);

/** The program's Kubernetes registrations (type, name, inputs) for one stack setting; components and providers are left out. */
async function declared(settings: Record<string, unknown>, only?: ReadonlySet<string>): Promise<MockedResource[]> {
    const start = resources.length;
    await runRecorded(resources, async () => {
        await declareTenants({ registry: REGISTRY, config: stackConfigSchema.parse(settings), secretValues: {}, natsMasterKey: pulumi.secret(TEST_NATS_MASTER_KEY), only });
        return {};
    });
    return resources.slice(start).filter((r) => r.type.startsWith("kubernetes:"));
}

const key = (r: MockedResource) => JSON.stringify([r.type, r.name, r.inputs]);
const SHARED = /^(plan-priority-|nats-operator$|nats-platform-credentials$|tenant-monitoring)/;
const idOfName = (name: string) => REGISTRY.entries.find((e) => name.startsWith(`${e.tenant.slug}-`) || name === `nats-account-${e.tenant.id}`)?.tenant.id;

let whole: MockedResource[];
let shards: MockedResource[][];

beforeAll(async () => {
    const monitoring = { prometheusRules: true };
    whole = await declared({ monitoring });
    shards = [];
    for (let index = 0; index < COUNT; index++) shards.push(await declared({ monitoring, shard: { index, count: COUNT } }));
});

describe("sharding one registry across stacks", () => {
    it("declares, over all shards, exactly the objects of the unsharded stack, with the same inputs", () => {
        expect(shards.every((s) => s.length > 0)).toBe(true);
        expect(shards.flat().map(key).sort()).toEqual(whole.map(key).sort());
    });

    it("puts each tenant, with its NATS account file, in the shard its org id hashes to, and in no other", () => {
        for (const [index, shard] of shards.entries()) {
            const tenantIds = new Set(shard.filter((r) => !SHARED.test(r.name)).map((r) => idOfName(r.name)));
            expect([...tenantIds].every((id) => id !== undefined && shardOf(id, COUNT) === index)).toBe(true);
            expect([...tenantIds].sort()).toEqual(REGISTRY.entries.filter((e) => shardOf(e.tenant.id, COUNT) === index).map((e) => e.tenant.id).sort());
        }
    });

    it("declares the shared objects in shard 0 only, and its operator.conf includes every tenant of the registry", () => {
        const sharedOf = (list: MockedResource[]) => list.filter((r) => SHARED.test(r.name)).map((r) => r.name).sort();
        expect(sharedOf(shards[0])).toEqual(sharedOf(whole));
        expect(sharedOf(shards[0])).toEqual(["nats-operator", "nats-platform-credentials", "plan-priority-enterprise", "plan-priority-free", "plan-priority-standard", "tenant-monitoring-rules"]);
        expect(shards.slice(1).map(sharedOf)).toEqual([[], []]);
        const conf = shards[0].find((r) => r.name === "nats-operator")!.inputs.data["operator.conf"] as string;
        expect(conf.match(/include "[^"]+"/g)).toEqual(REGISTRY.entries.map((e) => `include "${e.tenant.id}.conf"`).sort());
    });

    it("never moves a tenant to another stack when others are added or removed, whatever the registry's order", () => {
        const orgId = fc.stringMatching(/^org_[a-z0-9]{6,12}$/);
        const entries = (ids: string[]) => ids.map((id) => ({ tenant: { id } }) as RegistryEntry);
        const ids = (list: RegistryEntry[]) => list.map((e) => e.tenant.id);
        fc.assert(
            fc.property(fc.uniqueArray(orgId, { minLength: 1, maxLength: 30 }), fc.uniqueArray(orgId, { maxLength: 30 }), fc.integer({ min: 2, max: 8 }), (kept, others, count) => {
                const added = [...new Set([...others, ...kept])].sort();
                for (let index = 0; index < count; index++) {
                    const shard = { index, count };
                    const alone = ids(declaredEntries({ entries: entries(kept) }, { shard }));
                    const grown = ids(declaredEntries({ entries: entries(added) }, { shard })).filter((id) => kept.includes(id));
                    expect(grown.sort()).toEqual([...alone].sort());
                }
            }),
        );
    });

    it("narrows a plan to some tenants, with the shared objects computed from the whole registry", async () => {
        const picked = new Set([REGISTRY.entries[3].tenant.id, REGISTRY.entries[17].tenant.id]);
        const narrowed = await declared({ monitoring: { prometheusRules: true } }, picked);
        const slice = whole.filter((r) => SHARED.test(r.name) || picked.has(idOfName(r.name) ?? ""));
        expect(narrowed.map(key).sort()).toEqual(slice.map(key).sort());
    });
});

describe("declaring a registry tenant by tenant", () => {
    it("has every earlier tenant's objects registered by the engine when it declares the next, so the SDK never holds the whole registry pending", async () => {
        const start = resources.length;
        // When each Tenant is declared: the org ids of the tenants with a Kubernetes object the engine has registered.
        const registeredBefore: string[][] = [];
        await runRecorded(resources, async () => {
            pulumi.runtime.registerStackTransformation((args) => {
                if (args.type === "tenancy:tenant:Tenant") {
                    const ids = resources.slice(start).filter((r) => r.type.startsWith("kubernetes:")).map((r) => idOfName(r.name));
                    registeredBefore.push([...new Set(ids)].filter((id) => id !== undefined).sort());
                }
                return undefined;
            });
            await declareTenants({ registry: REGISTRY, config: stackConfigSchema.parse({}), secretValues: {}, natsMasterKey: pulumi.secret(TEST_NATS_MASTER_KEY) });
            return {};
        });
        const ids = REGISTRY.entries.map((e) => e.tenant.id);
        expect(registeredBefore).toEqual(ids.map((_, i) => ids.slice(0, i).sort()));
    });
});
