import type { StackValidationPolicy } from "@pulumi/policy";
import { RESOURCE_QUOTA_NAME } from "../contract";
import { baselineScopeProblem, isDefaultDeny, limitRangeProblems, quotaCeilingProblems, quotaScope } from "./baseline-checks";
import { tenantOfNamespace } from "./helpers";
import { shown } from "./metadata";
import { stackRule, type Report } from "./rule-kit";
import { byName, type StackIndex, type StackObject } from "./stack-index";
import { entryFor, registryFor } from "./tenant-registry";

/** Checks that every tenant namespace has its baseline quota, limits and default-deny policy, within the plan the registry gives it. */
export const requireTenantBaseline: StackValidationPolicy = stackRule(
    {
        name: "require-tenant-baseline",
        description:
            "Checks that every tenant namespace has exactly one unscoped ResourceQuota (named quota, without scopes or scopeSelector) and exactly one LimitRange, both within the ceilings of the tenant's plan in the registry (quantities compared exactly), and a default-deny NetworkPolicy, in every form they are declared.",
        config: ["tenantNamespacePrefix", "orgIdAnnotation", "registryDir"],
    },
    (index, config, report) => {
        const view = registryFor(config);
        for (const [namespace, nsObjects] of index.namespaces) {
            const slug = tenantOfNamespace(namespace, config);
            if (!slug) continue;
            const urn = nsObjects[0].resource.urn;
            const where = `Tenant namespace "${namespace}" (tenant ${slug})`;
            const found = entryFor(view, slug, index.tenantIdOf(slug, config));
            if ("problem" in found) {
                report(`${where}: its quota and LimitRange cannot be checked against its plan because ${found.problem}; the registry must load and list the tenant.`, urn);
            }
            const plan = "problem" in found ? undefined : { name: found.entry.tenant.plan, plan: found.plan };
            const quotas = unscopedQuotas(index, namespace, slug, where, urn, report);
            for (const quota of quotas) if (plan) quotaCeilingProblems(quota, slug, plan.name, plan.plan).forEach((m) => report(m, quota.resource.urn));
            const limits = byName(index.objectsOfKind(namespace, "LimitRange"));
            if (limits.size !== 1) report(`${where} has ${countOf("LimitRange", [...limits.keys()].map((n) => shown(n)))}; every tenant namespace needs exactly one LimitRange.`, urn);
            for (const variants of limits.values()) {
                for (const lr of variants) if (plan) limitRangeProblems(lr, slug, plan.name, plan.plan).forEach((m) => report(m, lr.resource.urn));
            }
            defaultDenyProblem(index, namespace, where, urn, report);
        }
    },
);

// Reports the scoping problems and returns the variants of every unscoped quota (the baseline).
function unscopedQuotas(index: StackIndex, namespace: string, slug: string, where: string, urn: string, report: Report): StackObject[] {
    const quotas = byName(index.objectsOfKind(namespace, "ResourceQuota"));
    for (const variant of quotas.get(RESOURCE_QUOTA_NAME) ?? []) {
        const problem = baselineScopeProblem(variant, slug);
        if (problem) report(problem, variant.resource.urn);
    }
    const unscoped = [...quotas].filter(([, variants]) => variants.every((v) => quotaScope(v) === "unscoped"));
    const rule = "every tenant namespace needs exactly one unscoped ResourceQuota, its baseline, so that every pod is constrained.";
    if (quotas.size === 0) report(`${where} has no ResourceQuota; ${rule}`, urn);
    else if (unscoped.length === 0) report(`${where} has no unscoped ResourceQuota (only ${[...quotas.keys()].map((n) => shown(n)).join(", ")}); ${rule}`, urn);
    else if (unscoped.length > 1) report(`${where} has ${unscoped.length} unscoped ResourceQuotas (${unscoped.map(([name]) => shown(name)).join(", ")}); ${rule}`, urn);
    return unscoped.flatMap(([, variants]) => variants);
}

function defaultDenyProblem(index: StackIndex, namespace: string, where: string, urn: string, report: Report): void {
    const policies = byName(index.objectsOfKind(namespace, "NetworkPolicy"));
    const verdicts = [...policies.values()].map((variants) => {
        const each = variants.map(isDefaultDeny);
        return each.every((v) => v === true) ? true : each.some((v) => v === "unknown") ? "unknown" : false;
    });
    if (verdicts.includes(true)) return;
    const unknown = verdicts.includes("unknown") ? " known during preview" : "";
    report(
        `${where} has no default-deny NetworkPolicy${unknown}; every tenant namespace needs one with podSelector {}, policyTypes Ingress and Egress and no rules, in every form it is declared.`,
        urn,
    );
}

function countOf(kind: string, names: string[]): string {
    if (names.length === 0) return `no ${kind}`;
    return `${names.length} ${kind}s (${names.join(", ")})`;
}
