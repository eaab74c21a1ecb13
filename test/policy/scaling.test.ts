import { describe, expect, it } from "vitest";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { RULES } from "../../policy/rules";
import { tenantStack, type TenantFixture } from "./fixtures";
import { stackArgs, type Fixture } from "./support";

const STACK_RULES = RULES.filter((r): r is StackValidationPolicy => "validateStack" in r);

function tenants(count: number): Fixture[] {
    const out: Fixture[] = [];
    for (let i = 0; i < count; i++) {
        const t: TenantFixture = { slug: `t${i}`, id: `org_t${i}x`, plan: "standard", lifecycle: "active" };
        out.push(...tenantStack(t));
    }
    return out;
}

// Reads of resource fields by every stack rule: a count, not a time, so it is the same on any
// machine; a rule that scans the stack once per tenant reads 10x more per resource at 10x the tenants.
async function fieldReads(resources: Fixture[]): Promise<number> {
    const args = stackArgs(resources);
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
        let violations = 0;
        await rule.validateStack({ ...args, resources: resourcesCounted }, () => violations++);
        expect(violations, rule.name).toBe(0);
    }
    return reads;
}

describe("stack rules scale linearly with the number of tenants", () => {
    it("reads each resource a constant number of times, whatever the number of tenants", async () => {
        const small = await fieldReads(tenants(100));
        const large = await fieldReads(tenants(1000));
        // Linear is 10x (the NATS document grows with the tenants too); quadratic would be ~100x.
        expect(large / small).toBeGreaterThan(9);
        expect(large / small).toBeLessThan(11);
    });
});
