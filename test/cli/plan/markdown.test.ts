import { describe, expect, it } from "vitest";
import { EMULATED, REAL, type PlanReport, type TenantReport } from "../../../cli/plan/report";
import { PR_COMMENT_MAX_CHARS, renderMarkdown } from "../../../cli/plan/render";

function tenant(i: number, violations: number): TenantReport {
    const slug = `t${String(i).padStart(4, "0")}`;
    return {
        slug, id: `org_${slug}`, plan: "free", lifecycle: "active", namespace: `org-${slug}`, file: `tenants/${slug}.yaml`, resources: 17,
        objects: { Namespace: 1, NetworkPolicy: 4, ResourceQuota: 1, Role: 2, RoleBinding: 2 },
        quota: { "requests.cpu": "2", pods: "3" },
        policy: Array.from({ length: violations }, (_, k) => ({
            rule: "restrict-role-binding-subjects", level: "mandatory", urn: `urn:pulumi:dev::tenancy::kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::${slug}-${k}`,
            message: `RoleBinding "org-${slug}/x${k}" binds a ServiceAccount of another tenant; every subject must be in namespace "org-${slug}".`,
        })),
        invalid: [], errors: [],
    };
}

function report(tenants: TenantReport[]): PlanReport {
    const mandatory = tenants.reduce((n, t) => n + t.policy.length, 0);
    return {
        version: 1, project: "tenancy", stack: "dev", registry: "tenants", program: "infra/index.ts",
        policyPack: { name: "tenancy-guard", version: "0.1.0", rules: 9 }, real: REAL, emulated: EMULATED,
        totals: { tenants: tenants.length, resources: tenants.length * 17, kubernetesObjects: tenants.length * 10, mandatoryViolations: mandatory, advisories: 0, invalidObjects: 0, missingSecrets: 0, diffErrors: 0 },
        ok: mandatory === 0, missingSecrets: [], tenants, shared: { resources: 2, objects: {}, policy: [], invalid: [] },
    };
}

describe("markdown for one PR comment", () => {
    it("lists every tenant when it fits", () => {
        const text = renderMarkdown(report([tenant(1, 0), tenant(2, 1)]), PR_COMMENT_MAX_CHARS);
        expect(text.match(/^<details>/gm)).toHaveLength(2);
        expect(text).toContain("<details><summary>❌ <b>t0002</b> · free · active · org-t0002</summary>");
        expect(text).not.toContain("not listed");
    });

    it("keeps only tenants with findings when 1,000 tenants do not fit", () => {
        const tenants = Array.from({ length: 1000 }, (_, i) => tenant(i, i % 250 === 7 ? 1 : 0));
        const full = renderMarkdown(report(tenants));
        expect(full.length).toBeGreaterThan(PR_COMMENT_MAX_CHARS);
        const text = renderMarkdown(report(tenants), PR_COMMENT_MAX_CHARS);
        expect(text.length).toBeLessThanOrEqual(PR_COMMENT_MAX_CHARS);
        expect([...text.matchAll(/^<details><summary>❌ <b>(t\d+)<\/b>/gm)].map((m) => m[1])).toEqual(["t0007", "t0257", "t0507", "t0757"]);
        expect(text).toContain("996 other tenants with no findings are not listed, to fit one comment; run with `--out DIR` for report.json and the full report.md.");
        expect(text).toContain("**17000 resources (10000 Kubernetes objects) for 1000 tenants; 4 mandatory policy violations, 0 advisories, 0 invalid objects → BLOCKED**");
    });

    it("counts the sections that still do not fit", () => {
        const tenants = Array.from({ length: 1000 }, (_, i) => tenant(i, 2));
        const text = renderMarkdown(report(tenants), PR_COMMENT_MAX_CHARS);
        expect(text.length).toBeLessThanOrEqual(PR_COMMENT_MAX_CHARS);
        const sections = text.match(/^<details>/gm)!.length;
        expect(sections).toBeGreaterThan(10);
        expect(text).toContain(`… ${1000 - sections} more tenants with findings did not fit in one comment; see report.md from \`--out DIR\`.`);
    });
});
