import { describe, expect, it } from "vitest";
import type { ResourceChange } from "../../../cli/plan/diff";
import { EMULATED, REAL, type PlanReport, type TenantReport } from "../../../cli/plan/report";
import { PR_COMMENT_MAX_CHARS, renderMarkdown } from "../../../cli/plan/markdown";

function tenant(i: number, violations: number): TenantReport {
    const slug = `t${String(i).padStart(4, "0")}`;
    return {
        slug, id: `org_${slug}`, plan: "free", lifecycle: "active", namespace: `org-${slug}`, file: `tenants/${slug}.yaml`, resources: 17,
        objects: { Namespace: 1, NetworkPolicy: 4, ResourceQuota: 1, Role: 2, RoleBinding: 2 },
        quota: { "requests.cpu": "2", pods: "3" },
        grants: [],
        policy: Array.from({ length: violations }, (_, k) => ({
            rule: "restrict-role-binding-subjects", level: "mandatory", urn: `urn:pulumi:dev::tenancy::kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::${slug}-${k}`,
            message: `RoleBinding "org-${slug}/x${k}" binds a ServiceAccount of another tenant; every subject must be in namespace "org-${slug}".`,
        })),
        invalid: [], missingSecrets: [], errors: [],
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
        expect(text).toContain("996 other tenants with no findings are not listed, to fit one comment; the workflow's plan artifact (`--out DIR`) has report.json and the full report.md.");
        expect(text).toContain("**17000 resources (10000 Kubernetes objects) for 1000 tenants; 4 mandatory policy violations, 0 advisories, 0 invalid objects → BLOCKED**");
    });

    it("counts the sections that still do not fit", () => {
        const tenants = Array.from({ length: 1000 }, (_, i) => tenant(i, 2));
        const text = renderMarkdown(report(tenants), PR_COMMENT_MAX_CHARS);
        expect(text.length).toBeLessThanOrEqual(PR_COMMENT_MAX_CHARS);
        const sections = text.match(/^<details>/gm)!.length;
        expect(sections).toBeGreaterThan(10);
        expect(text).toContain(`… ${1000 - sections} more tenants with findings or changes did not fit in one comment; see report.md in the plan artifact.`);
    });
});

// What a tenant added by a pull request brings, as --base reports it (types and names as the program declares them).
const ADDED_TYPES = [
    "tenancy:tenant:Tenant", "tenancy:tenant:TenantNamespace", "kubernetes:core/v1:Namespace", "tenancy:tenant:TenantQuota", "kubernetes:core/v1:ResourceQuota",
    "kubernetes:core/v1:ResourceQuota", "kubernetes:core/v1:LimitRange", "tenancy:tenant:TenantAccess", "kubernetes:core/v1:ServiceAccount",
    "kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "tenancy:tenant:TenantNetwork", "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy", "tenancy:tenant:TenantSecrets", "kubernetes:core/v1:Secret", "tenancy:nats:NatsAccount",
    "random:index/randomBytes:RandomBytes", "kubernetes:core/v1:Secret",
];

function change(kind: "added" | "changed" | "removed", slug: string, type: string, i: number, fields: ResourceChange["fields"] = []): ResourceChange {
    const name = `${slug}-part-${i}`;
    // A Kubernetes object carries its `Kind namespace/name`, as diffPlans gives it.
    const object = type.startsWith("kubernetes:") ? { object: `${type.split(":").pop()} org-${slug}/part-${i}` } : {};
    return { change: kind, urn: `urn:pulumi:prod::tenancy::${type}::${name}`, type, name, ...object, tenant: slug, fields, natsAuthorization: false };
}

describe("markdown of a pull request touching 50 tenants of a 3,000-tenant registry", () => {
    const tenants = Array.from({ length: 3000 }, (_, i) => ({ ...tenant(i, 0), changes: { added: [], changed: [], removed: [] } as TenantReport["changes"] }));
    // 40 tenants added, 10 suspended (quota, annotation and NATS user), 5 of the added still waiting for secret values.
    for (let i = 0; i < 40; i++) {
        const t = tenants[i * 70];
        t.changes = { added: ADDED_TYPES.map((type, k) => change("added", t.slug, type, k)), changed: [], removed: [] };
        t.natsChange = { change: "added", account: t.id, tenant: t.slug, fields: [] };
        if (i < 5) t.missingSecrets = [{ path: `tenancy:secrets.${t.slug}.openai-api.apiKey`, secret: "openai-api", state: "missing" }];
    }
    for (let i = 0; i < 10; i++) {
        const t = tenants[i * 70 + 35];
        t.lifecycle = "suspended";
        t.changes = {
            added: [],
            changed: [
                change("changed", t.slug, "kubernetes:core/v1:Namespace", 0, [{ path: "inputs.metadata.annotations.tenancy.io/lifecycle", before: "active", after: "suspended" }]),
                change("changed", t.slug, "kubernetes:core/v1:ResourceQuota", 1, [{ path: "inputs.spec.hard.pods", before: "3", after: "0" }]),
            ],
            removed: [],
        };
        t.natsChange = { change: "changed", account: t.id, tenant: t.slug, fields: [{ path: "lifecycle", after: "suspended" }, { path: "users", before: ["UAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"], after: [] }] };
    }
    const full = { ...report(tenants), base: { ref: "origin/main", commit: "0123456789abcdef", tenantsAdded: [], tenantsRemoved: [], tenantsChanged: [], errors: [] } };
    full.shared.changes = {
        added: [], removed: [],
        changed: ["nats-accounts", "nats-authorization"].map((name) => ({
            change: "changed" as const, urn: `urn:pulumi:prod::tenancy::kubernetes:core/v1:ConfigMap::${name}`, type: "kubernetes:core/v1:ConfigMap", name,
            fields: [], natsAuthorization: true, summary: "40 accounts added, 10 changed, 0 removed; each tenant's section shows its own",
        })),
    };

    it("fits one comment with a section for every touched tenant, and nothing escaped as JSON", () => {
        const text = renderMarkdown(full, PR_COMMENT_MAX_CHARS);
        expect(text.length).toBeLessThanOrEqual(PR_COMMENT_MAX_CHARS);
        const sections = [...text.matchAll(/^<details><summary>✅ <b>(t\d+)<\/b>/gm)].map((m) => m[1]);
        expect(sections).toHaveLength(50);
        expect(text).toContain("2950 other tenants with no findings and no changes are not listed");
        expect(text).not.toContain("not fit in one comment");
        // Kubernetes objects, the unit of the table's objects column: Pulumi components and providers' resources are not counted.
        expect(text).toContain("- **changes**: 16 objects added (LimitRange 1, Namespace 1, NetworkPolicy 5, ResourceQuota 2, Role 2, RoleBinding 2, Secret 2, ServiceAccount 1); NATS account added\n");
        expect(text).toContain("| t0000 | free | active | 10 | pass | valid | +16 ~0 -0 |");
        expect(text).toContain('~ NATS account org_t0035\n    lifecycle: (none) → "suspended"\n    users: ["UAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] → []\n');
        expect(text).toContain("~ kubernetes:core/v1:ConfigMap nats-accounts (shared NATS authorization: 40 accounts added, 10 changed, 0 removed; each tenant's section shows its own)\n");
        expect(text).not.toMatch(/\\"/);
    });

    it("keeps the full detail for the artifact's report.md", () => {
        const text = renderMarkdown(full);
        expect([...text.matchAll(/^<details>/gm)]).toHaveLength(3000);
        expect(text).toContain("- **quota**: `requests.cpu=2` `pods=3`");
    });
});

describe("what earns a section when the comment is short of space", () => {
    const many = (configure: (t: TenantReport, i: number) => void, base: boolean) => {
        const tenants = Array.from({ length: 1000 }, (_, i) => {
            const t: TenantReport = { ...tenant(i, 0), ...(base ? { changes: { added: [], changed: [], removed: [] } } : {}) };
            configure(t, i);
            return t;
        });
        const r = report(tenants);
        return renderMarkdown(base ? { ...r, base: { ref: "origin/main", commit: "0123456789ab", tenantsAdded: [], tenantsRemoved: [], tenantsChanged: [], errors: [] } } : r, PR_COMMENT_MAX_CHARS);
    };
    const sections = (text: string) => [...text.matchAll(/^<details><summary>. <b>(t\d+)<\/b>/gmu)].map((m) => m[1]);

    it("never a tenant whose values are only encrypted in the stack file (the normal state)", () => {
        const text = many((t) => void (t.missingSecrets = [{ path: `tenancy:secrets.${t.slug}.a.b`, secret: "a", state: "encrypted" }]), false);
        expect(sections(text)).toEqual([]);
        expect(text).toContain("1000 other tenants with no findings are not listed");
    });

    it("a tenant whose values are not set, without --base; with --base only what the pull request changes", () => {
        const missing = (t: TenantReport, i: number) => void (t.missingSecrets = i % 100 === 3 ? [{ path: `tenancy:secrets.${t.slug}.a.b`, secret: "a", state: "missing" }] : []);
        expect(sections(many(missing, false))).toEqual(["t0003", "t0103", "t0203", "t0303", "t0403", "t0503", "t0603", "t0703", "t0803", "t0903"]);
        expect(sections(many(missing, true))).toEqual([]);
    });
});
