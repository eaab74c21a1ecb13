import { describe, expect, it } from "vitest";
import { diffJson, type ResourceChange } from "../../../cli/plan/diff";
import { renderMarkdown } from "../../../cli/plan/markdown";
import { baseShown, fieldPath, renderText, resourceChangeLines } from "../../../cli/plan/render";
import { EMULATED, REAL, type PlanReport, type TenantReport } from "../../../cli/plan/report";

// The words of a --base diff: Kubernetes objects as `Kind namespace/name`, field names instead of
// list indexes, one unit of count, the base named once.
const quota: ResourceChange = {
    change: "changed", urn: "urn:pulumi:dev::tenancy::tenancy:tenant:Tenant$kubernetes:core/v1:ResourceQuota::acme-quota", type: "kubernetes:core/v1:ResourceQuota",
    name: "acme-quota", object: "ResourceQuota org-acme/quota", tenant: "acme", natsAuthorization: false,
    fields: [{ path: "inputs.spec.hard.pods", before: "15", after: "0" }, { path: "options.protect", before: true, after: false }],
};
const component: ResourceChange = { change: "added", urn: "urn:x::tenancy:tenant:TenantQuota::acme", type: "tenancy:tenant:TenantQuota", name: "acme", tenant: "acme", natsAuthorization: false, fields: [] };
const accountFile: ResourceChange = {
    change: "changed", urn: "urn:x::kubernetes:core/v1:ConfigMap::nats-account-org-7f3k2m9q", type: "kubernetes:core/v1:ConfigMap", name: "nats-account-org-7f3k2m9q",
    object: "ConfigMap nats/nats-account-org-7f3k2m9q", tenant: "acme", natsAuthorization: false, fields: [], summary: "its account JWT changed; the NATS account change below shows how",
};

function report(tenant: Partial<TenantReport>, commit = "c0eb0afd87c2aa11", ref = "c0eb0afd87c2"): PlanReport {
    const t: TenantReport = {
        slug: "acme", id: "org_7f3k2m9q", plan: "standard", lifecycle: "active", namespace: "org-acme", file: "tenants/acme.yaml", resources: 3,
        objects: { ConfigMap: 1, ResourceQuota: 1 }, grants: [], policy: [], invalid: [], missingSecrets: [], errors: [], ...tenant,
    };
    return {
        version: 1, project: "tenancy", stack: "dev", registry: "tenants", program: "infra/index.ts", policyPack: { name: "tenancy-guard", version: "0.1.0", rules: 15 },
        real: REAL, emulated: EMULATED,
        totals: { tenants: 1, resources: 3, kubernetesObjects: 2, mandatoryViolations: 0, advisories: 0, invalidObjects: 0, missingSecrets: 0, diffErrors: 0 },
        ok: true, missingSecrets: [], tenants: [t], removedTenants: [], shared: { resources: 0, objects: {}, policy: [], invalid: [], changes: { added: [], changed: [], removed: [] }, natsChanges: [] },
        dangers: [], base: { ref, commit, tenantsAdded: [], tenantsRemoved: [], tenantsChanged: ["acme"], errors: [] },
    };
}

describe("readable --base diffs", () => {
    it("names Kubernetes objects as Kind namespace/name and fields by their names, options as pulumi options", () => {
        expect(resourceChangeLines(quota, "~", "")).toEqual(["~ ResourceQuota org-acme/quota", "    spec.hard.pods: \"15\" → \"0\"", "    (pulumi option) protect: true → false"]);
        expect(fieldPath("inputs.spec.egress.0.to.1.ipBlock.cidr")).toBe("spec.egress[0].to[1].ipBlock.cidr");
        expect(resourceChangeLines(accountFile, "~", "")).toEqual(["~ ConfigMap nats/nats-account-org-7f3k2m9q (its account JWT changed; the NATS account change below shows how)"]);
    });

    it("diffs a list of plain values as one field, not by index", () => {
        const before = { spec: { podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["a", "b"] }] } } };
        const after = { spec: { podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["a", "c", "b"] }] } } };
        expect(diffJson(before, after, "inputs")).toEqual([{ path: "inputs.spec.podSelector.matchExpressions.0.values", before: ["a", "b"], after: ["a", "c", "b"] }]);
        expect(fieldPath("inputs.spec.podSelector.matchExpressions.0.values")).toBe("spec.podSelector.matchExpressions[0].values");
    });

    it("counts Kubernetes objects only, in the table, the changes line and the objects column alike", () => {
        const changed = report({ changes: { added: [component], changed: [quota, accountFile], removed: [] } });
        const text = renderMarkdown(changed);
        expect(text).toContain("| acme | standard | active | 2 | pass | valid | +0 ~2 -0 |");
        expect(text).toContain("- **changes**: 2 objects changed\n");
        expect(renderText(changed)).toContain("  changes:  0 objects added, 2 changed, 0 removed (and 1 other Pulumi resource: components, the NATS account)\n");
    });

    it("names the base once when it was given as its commit", () => {
        expect(baseShown({ ref: "c0eb0afd87c2", commit: "c0eb0afd87c2aa11" }, "`")).toBe("`c0eb0afd87c2`");
        expect(baseShown({ ref: "origin/main", commit: "c0eb0afd87c2aa11" }, "`")).toBe("`origin/main` (`c0eb0afd87c2`)");
        expect(renderMarkdown(report({}))).toContain("Compared with `c0eb0afd87c2`: tenants added none; changed acme; removed none.");
        expect(renderText(report({}))).toContain("base: c0eb0afd87c2: tenants added none; changed acme; removed none");
    });
});
