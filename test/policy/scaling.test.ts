import { describe, expect, it } from "vitest";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { loadRegistry } from "../../registry";
import { RULES } from "../../policy/rules";
import { natsKeysOf, world } from "./fixtures";
import { writeRegistry } from "./registry";
import { stackArgs, type Fixture } from "./support";

const STACK_RULES = RULES.filter((r): r is StackValidationPolicy => "validateStack" in r);

// A registry of `count` standard tenants and their compliant stack.
function tenants(count: number): { resources: Fixture[]; registryDir: string; natsKeys: ReturnType<typeof natsKeysOf> } {
    const files: Record<string, string> = {};
    for (let i = 0; i < count; i++) files[`t${i}.yaml`] = `id: org_t${i}x\nslug: t${i}\ndisplayName: Tenant ${i}\nplan: standard\nagentLimit: 5\n`;
    const registryDir = writeRegistry(files);
    const registry = loadRegistry(registryDir);
    return { resources: world(undefined, registry), registryDir, natsKeys: natsKeysOf(registry) };
}

// Reads of resource fields by every stack rule: a count, not a time, so it is the same on any
// machine; a rule that scans the stack once per tenant reads 10x more per resource at 10x the tenants.
async function fieldReads({ resources, registryDir, natsKeys }: ReturnType<typeof tenants>): Promise<number> {
    const args = stackArgs(resources, { registryDir, natsKeys });
    let reads = 0;
    const counted = new Map<PolicyResource, PolicyResource>();
    const count = (r: PolicyResource): PolicyResource => {
        let proxy = counted.get(r);
        if (!proxy) {
            proxy = new Proxy(r, {
                get(target, key, receiver) {
                    reads++;
                    const value = Reflect.get(target, key, receiver);
                    return key === "parent" && value ? count(value as PolicyResource) : value;
                },
            });
            counted.set(r, proxy);
        }
        return proxy;
    };
    const resourcesCounted = args.resources.map(count);
    for (const rule of STACK_RULES) {
        const violations: string[] = [];
        await rule.validateStack({ ...args, resources: resourcesCounted }, (m) => violations.push(m));
        expect(violations, rule.name).toEqual([]);
    }
    return reads;
}

describe("stack rules scale linearly with the number of tenants", () => {
    it("reads each resource a constant number of times, whatever the number of tenants", async () => {
        // Counts, not times (timings belong to `npm run bench`): linear is 10x, quadratic ~100x.
        const smallReads = await fieldReads(tenants(100));
        const largeReads = await fieldReads(tenants(1000));
        expect(largeReads / smallReads).toBeGreaterThan(9);
        expect(largeReads / smallReads).toBeLessThan(11);
    }, 120_000);
});
