import { describe, expect, it } from "vitest";
import type { StackValidationPolicy } from "@pulumi/policy";
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

// Fastest of three runs of every stack rule, in ms; the minimum filters out noise from a busy machine.
async function fastest(resources: Fixture[]): Promise<number> {
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
        const started = performance.now();
        for (const rule of STACK_RULES) {
            let violations = 0;
            await rule.validateStack(stackArgs(resources), () => violations++);
            expect(violations, rule.name).toBe(0);
        }
        best = Math.min(best, performance.now() - started);
    }
    return best;
}

describe("stack rules scale linearly with the number of tenants", () => {
    it("10x the tenants costs far less than 100x the time", async () => {
        const small = await fastest(tenants(100));
        const large = await fastest(tenants(1000));
        // Linear is ~10x; quadratic would be ~100x. 35x leaves room for GC and a loaded machine.
        expect(large / small).toBeLessThan(35);
    });
});
