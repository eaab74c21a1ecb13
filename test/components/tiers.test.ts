import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { PriorityClass } from "kubernetes-models/scheduling.k8s.io/v1/PriorityClass";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { describe, expect, it } from "vitest";
import { priorityCeilingSpec, priorityClassSpecs, resourceQuotaSpec, tenantRecordingRules, tenantRulesSpec } from "../../components";
import { loadRegistry, type Plan, type Tenant } from "../../registry";
import { makeRegistry, tenantYaml } from "../support/registry-fixture";

const registry = loadRegistry(makeRegistry({ "beta.yaml": tenantYaml("beta").replace("plan: standard\nagentLimit: 5", "plan: free\nagentLimit: 2") }));
const catalog = registry.plans;
const { tenant, plan }: { tenant: Tenant; plan: Plan } = registry.entries[0];
const classes = Object.values(catalog.plans).map((p) => p.priorityClassName);

describe("priorityClassSpecs", () => {
    it("declares one valid PriorityClass per plan, ordered by tier, none the cluster default", () => {
        const specs = priorityClassSpecs(catalog);
        expect(specs.map((s) => [s.metadata.name, s.value, s.globalDefault])).toEqual([
            ["tenancy-enterprise", 100000, false],
            ["tenancy-free", 1000, false],
            ["tenancy-standard", 10000, false],
        ]);
        for (const spec of specs) expect(() => new PriorityClass(spec).validate()).not.toThrow();
    });
});

describe("priorityCeilingSpec", () => {
    it("allows zero pods in every tenancy class but the tenant's own", () => {
        const spec = priorityCeilingSpec(tenant, plan, classes);
        expect(spec).toEqual({
            metadata: {
                name: "priority-ceiling",
                namespace: "org-beta",
                labels: { "tenancy.io/tenant-id": tenant.id, tier: "free", "app.kubernetes.io/managed-by": "tenancy" },
                annotations: { "pulumi.com/skipAwait": "true" },
            },
            spec: {
                hard: { pods: "0" },
                scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["tenancy-enterprise", "tenancy-standard"] }] },
            },
        });
        expect(() => new ResourceQuota(spec).validate()).not.toThrow();
    });

    it("leaves the baseline quota unscoped, so it constrains every pod", () => {
        const baseline = resourceQuotaSpec(tenant, plan).spec as Record<string, unknown>;
        expect(Object.keys(baseline)).toEqual(["hard"]);
    });
});

describe("tenant recording rules", () => {
    it("form a PrometheusRule valid against the operator's CRD schema", () => {
        const rule = tenantRulesSpec("monitoring");
        expect(() => new PrometheusRule(rule as never).validate()).not.toThrow();
        // The model really checks: a malformed group is refused.
        expect(() => new PrometheusRule({ ...rule, spec: { groups: [{ name: "g", rules: "x" }] } } as never).validate()).toThrow("rules must be array");
        expect(rule.metadata).toEqual({ name: "tenancy-tenants", namespace: "monitoring", labels: { "app.kubernetes.io/managed-by": "tenancy", "app.kubernetes.io/component": "tenant-monitoring" } });
    });

    it("aggregate only by the opaque tenant id or the tier, and select only tenant namespaces", () => {
        const rules = tenantRecordingRules();
        expect(rules.map((r) => r.record)).toEqual([
            "tenancy:agents_running:count",
            "tenancy:agents_running:count_by_tier",
            "tenancy:cpu_usage_cores:sum_by_tier",
            "tenancy:cpu_requests_quota_cores:sum_by_tier",
            "tenancy:cpu_utilization:ratio_by_tier",
        ]);
        for (const { expr } of rules) {
            for (const [, labels] of expr.matchAll(/\b(?:by|on|group_left) \(([^)]*)\)/g)) {
                for (const label of labels.split(",").map((l) => l.trim())) expect(["label_tenancy_io_tenant_id", "label_tier", "namespace"]).toContain(label);
            }
            for (const [, selector] of expr.matchAll(/\b(?:kube_\w+|container_\w+)\{([^}]*)\}/g)) expect(selector).toContain('namespace=~"org-.+"');
            expect(expr).not.toMatch(/display/i);
        }
    });
});
