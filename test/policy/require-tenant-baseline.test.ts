import { describe, expect, it } from "vitest";
import { requireTenantBaseline } from "../../policy/require-tenant-baseline";
import { ACME, byName, GLOBEX, tenantStack } from "./fixtures";
import { fixture, runStackRule, type Fixture } from "./support";

const world = () => [...tenantStack(ACME), ...tenantStack(GLOBEX)];
const without = (resources: Fixture[], name: string) => resources.filter((r) => r !== byName(resources, name));

describe("require-tenant-baseline", () => {
    it("accepts two compliant tenants", async () => {
        const resources = world();
        // globex is on enterprise: its standard-sized quota is within the ceilings.
        expect(await runStackRule(requireTenantBaseline, resources)).toEqual([]);
    });

    it("reports a missing ResourceQuota", async () => {
        const resources = without(world(), "acme-quota");
        expect(await runStackRule(requireTenantBaseline, resources)).toEqual([
            {
                message: `Tenant namespace "org-acme" (tenant acme) has no ResourceQuota; every tenant namespace needs exactly one ResourceQuota.`,
                urn: byName(resources, "acme-namespace").urn,
            },
        ]);
    });

    it("reports a second LimitRange", async () => {
        const resources = world();
        const extra = structuredClone(byName(resources, "acme-limits"));
        extra.name = "acme-limits-2";
        extra.urn += "-2";
        extra.props.metadata.name = "limits-2";
        expect((await runStackRule(requireTenantBaseline, [...resources, extra])).map((r) => r.message)).toEqual([
            `Tenant namespace "org-acme" (tenant acme) has 2 LimitRanges (limits, limits-2); every tenant namespace needs exactly one LimitRange.`,
        ]);
    });

    it("reports a missing default-deny policy, and one that is not really default-deny", async () => {
        const message = `Tenant namespace "org-acme" (tenant acme) has no default-deny NetworkPolicy; every tenant namespace needs one with podSelector {}, policyTypes Ingress and Egress and no rules.`;
        expect((await runStackRule(requireTenantBaseline, without(world(), "acme-default-deny"))).map((r) => r.message)).toEqual([message]);
        const resources = world();
        byName(resources, "acme-default-deny").props.spec.policyTypes = ["Ingress"];
        expect((await runStackRule(requireTenantBaseline, resources)).map((r) => r.message)).toEqual([message]);
    });

    it("reports a quota above the plan's ceiling and a missing key", async () => {
        const resources = world();
        const quota = byName(resources, "acme-quota");
        quota.props.spec.hard["requests.cpu"] = "10500m";
        delete quota.props.spec.hard.pods;
        expect(await runStackRule(requireTenantBaseline, resources)).toEqual([
            {
                message: `ResourceQuota "org-acme/quota" of tenant acme sets requests.cpu to 10500m, above the standard plan's ceiling of 10.`,
                urn: quota.urn,
            },
            { message: `ResourceQuota "org-acme/quota" of tenant acme does not set pods; the standard plan caps it at 15.`, urn: quota.urn },
        ]);
    });

    it("reports a quota value that is not a quantity", async () => {
        const resources = world();
        byName(resources, "acme-quota").props.spec.hard["limits.memory"] = "lots";
        expect((await runStackRule(requireTenantBaseline, resources)).map((r) => r.message)).toEqual([
            `ResourceQuota "org-acme/quota" of tenant acme sets limits.memory to "lots", which is not a Kubernetes quantity; it must be at most 80Gi.`,
        ]);
    });

    it("reports a plan the pack has no ceilings for", async () => {
        const resources = world();
        byName(resources, "acme-namespace").props.metadata.labels.tier = "gold";
        expect((await runStackRule(requireTenantBaseline, resources)).map((r) => r.message)).toEqual([
            `Tenant namespace "org-acme" (tenant acme) has plan "gold" (label tier), which has no quota ceilings; known plans: free, standard, enterprise.`,
        ]);
    });

    it("accepts numeric quota values within the ceiling", async () => {
        const resources = world();
        byName(resources, "acme-quota").props.spec.hard.pods = 15;
        expect(await runStackRule(requireTenantBaseline, resources)).toEqual([]);
    });

    it("ignores platform namespaces", async () => {
        const ns = fixture("kubernetes:core/v1:Namespace", "nats", { metadata: { name: "nats" } });
        expect(await runStackRule(requireTenantBaseline, [...world(), ns])).toEqual([]);
    });
});
