// The quota and LimitRange checks of require-tenant-baseline: ceilings from the tenant's plan in
// the registry, quantities compared exactly.
import { QUOTA_FIELDS, RESOURCE_QUOTA_NAME, type QuotaField } from "../contract";
import { compareQuantities, parseExactQuantity, type Plan } from "../registry";
import { arrayOf } from "./helpers";
import { describeObject } from "./objects";
import type { StackObject } from "./stack-index";
import { firstUnknown, isUnknown } from "./unknowns";

/** Whether a ResourceQuota restricts itself to some pods: "scoped", "unscoped", or the unknown field that keeps the pack from knowing. */
export function quotaScope(quota: StackObject): "scoped" | "unscoped" | { unknown: string } {
    const spec = quota.body.spec;
    if (isUnknown(spec)) return { unknown: "spec" };
    const s = (spec ?? {}) as Record<string, unknown>;
    const unknown = firstUnknown(s.scopes, "spec.scopes") ?? firstUnknown(s.scopeSelector, "spec.scopeSelector");
    if (unknown) return { unknown };
    return arrayOf(s.scopes).length > 0 || (s.scopeSelector !== undefined && s.scopeSelector !== null) ? "scoped" : "unscoped";
}

/** Problems of the baseline quota's scoping: it must constrain every pod. */
export function baselineScopeProblem(quota: StackObject, slug: string): string | undefined {
    const scope = quotaScope(quota);
    if (scope === "unscoped") return undefined;
    const name = `${describeObject(quota)} of tenant ${slug}`;
    if (scope !== "scoped") return `${name} has ${scope.unknown} unknown during preview; the baseline quota "${RESOURCE_QUOTA_NAME}" must be known to set neither scopes nor scopeSelector, so that it constrains every pod.`;
    const s = (quota.body.spec ?? {}) as Record<string, unknown>;
    const set = [arrayOf(s.scopes).length > 0 ? `spec.scopes (${arrayOf(s.scopes).join(", ")})` : "", s.scopeSelector ? "spec.scopeSelector" : ""].filter(Boolean).join(" and ");
    return `${name} sets ${set}; the baseline quota "${RESOURCE_QUOTA_NAME}" must constrain every pod, so it must set neither scopes nor scopeSelector (add a separate scoped quota to restrict some pods further).`;
}

/** Compares one value against its ceiling; a problem phrase ("sets x to 64, above …") or undefined. */
function ceilingProblem(field: string, raw: unknown, ceiling: string, planName: string): string | undefined {
    if (raw === undefined || raw === null) return `does not set ${field}; the ${planName} plan caps it at ${ceiling}`;
    if (isUnknown(raw)) return `sets ${field} to a value unknown during preview; it must be known and at most the ${planName} plan's ${ceiling}`;
    const value = typeof raw === "string" || typeof raw === "number" ? parseExactQuantity(raw) : undefined;
    const max = parseExactQuantity(ceiling)!;
    if (value === undefined) return `sets ${field} to ${JSON.stringify(raw)}, which is not a Kubernetes quantity; it must be at most ${ceiling}`;
    if (compareQuantities(value, max) > 0) return `sets ${field} to ${String(raw)}, above the ${planName} plan's ceiling of ${ceiling}`;
    return undefined;
}

/** Problems of one unscoped quota against its plan's ceilings. */
export function quotaCeilingProblems(quota: StackObject, slug: string, planName: string, plan: Plan): string[] {
    const name = `${describeObject(quota)} of tenant ${slug}`;
    const spec = (quota.body.spec ?? {}) as Record<string, unknown>;
    if (isUnknown(spec.hard)) return [`${name} has spec.hard unknown during preview; its limits must be known and within the ${planName} plan's ceilings.`];
    const hard = (spec.hard ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    for (const [field, key] of Object.entries(QUOTA_FIELDS) as [QuotaField, string][]) {
        const problem = ceilingProblem(key, hard[key], String(plan.quota[field]), planName);
        if (problem) problems.push(`${name} ${problem}.`);
    }
    return problems;
}

const LIMIT_FIELDS = ["max", "default", "defaultRequest"] as const;

/** Problems of one LimitRange against its plan: every Container item caps and defaults cpu and memory within the plan. */
export function limitRangeProblems(limitRange: StackObject, slug: string, planName: string, plan: Plan): string[] {
    const name = `${describeObject(limitRange)} of tenant ${slug}`;
    const unknown = firstUnknown(limitRange.body.spec, "spec");
    if (unknown) return [`${name} has ${unknown} unknown during preview; its container limits must be known and within the ${planName} plan's.`];
    const items = arrayOf<Record<string, unknown>>(((limitRange.body.spec ?? {}) as Record<string, unknown>).limits);
    const containers = items.filter((item) => item?.type === "Container");
    if (containers.length === 0) {
        return [`${name} has no Container limits; it must cap containers at the ${planName} plan's max (cpu ${plan.limitRange.max.cpu}, memory ${plan.limitRange.max.memory}) and set its defaults.`];
    }
    const problems: string[] = [];
    for (const item of containers) {
        for (const field of LIMIT_FIELDS) {
            for (const resource of ["cpu", "memory"] as const) {
                const values = (item[field] ?? {}) as Record<string, unknown>;
                const problem = ceilingProblem(`${field}.${resource}`, values[resource], plan.limitRange[field][resource], planName);
                if (problem) problems.push(`${name} ${problem}.`);
            }
        }
    }
    return problems;
}

/** True, false, or "unknown" when a NetworkPolicy denies all ingress and egress of every pod. */
export function isDefaultDeny(policy: StackObject): boolean | "unknown" {
    if (firstUnknown(policy.body.spec)) return "unknown";
    const spec = (policy.body.spec ?? {}) as Record<string, unknown>;
    const selector = (spec.podSelector ?? {}) as Record<string, unknown>;
    const selectsAll = Object.keys((selector.matchLabels ?? {}) as object).length === 0 && arrayOf(selector.matchExpressions).length === 0;
    const types = arrayOf<string>(spec.policyTypes);
    return selectsAll && types.includes("Ingress") && types.includes("Egress") && arrayOf(spec.ingress).length === 0 && arrayOf(spec.egress).length === 0;
}
