import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { parseQuantity } from "../registry/quantity";
import { configSchemaFor, readConfig, type GuardConfig } from "./config";
import { arrayOf, describeObject, metadataOf, StackIndex, tenantOfNamespace } from "./helpers";

/** Checks that every tenant namespace has its quota, limits and default-deny policy, within its plan. */
export const requireTenantBaseline: StackValidationPolicy = {
    name: "require-tenant-baseline",
    description:
        "Checks that every tenant namespace has exactly one ResourceQuota within its plan's ceilings, exactly one LimitRange and a default-deny NetworkPolicy.",
    enforcementLevel: "mandatory",
    configSchema: configSchemaFor(["tenantNamespacePrefix", "planLabel", "planCeilings"]),
    validateStack: (args, reportViolation) => {
        const config = readConfig(args.getConfig<Partial<GuardConfig>>());
        const index = new StackIndex(args.resources);
        for (const [namespace, nsResources] of index.namespaces) {
            const slug = tenantOfNamespace(namespace, config);
            if (!slug) continue;
            const ns = nsResources[0];
            const where = `Tenant namespace "${namespace}" (tenant ${slug})`;
            const quotas = index.objectsOfKind(namespace, "ResourceQuota");
            const limits = index.objectsOfKind(namespace, "LimitRange");
            for (const [kind, found] of [["ResourceQuota", quotas], ["LimitRange", limits]] as const) {
                if (found.length !== 1) {
                    reportViolation(`${where} has ${countOf(kind, found)}; every tenant namespace needs exactly one ${kind}.`, ns.urn);
                }
            }
            const policies = index.objectsOfKind(namespace, "NetworkPolicy");
            if (!policies.some(isDefaultDeny)) {
                reportViolation(
                    `${where} has no default-deny NetworkPolicy; every tenant namespace needs one with podSelector {}, policyTypes Ingress and Egress and no rules.`,
                    ns.urn,
                );
            }
            const plan = metadataOf(ns.props).labels[config.planLabel];
            const ceilings = plan === undefined ? undefined : config.planCeilings[plan];
            if (!ceilings) {
                reportViolation(
                    `${where} has plan "${plan ?? ""}" (label ${config.planLabel}), which has no quota ceilings; known plans: ${Object.keys(config.planCeilings).join(", ")}.`,
                    ns.urn,
                );
                continue;
            }
            for (const quota of quotas) checkCeilings(quota, slug, plan!, ceilings, reportViolation);
        }
    },
};

function countOf(kind: string, found: PolicyResource[]): string {
    if (found.length === 0) return `no ${kind}`;
    const names = found.map((r) => metadataOf(r.props).name ?? r.name).join(", ");
    return `${found.length} ${kind}s (${names})`;
}

/** True for a NetworkPolicy that selects every pod and denies all ingress and egress. */
export function isDefaultDeny(policy: PolicyResource): boolean {
    const spec = (policy.props.spec ?? {}) as Record<string, unknown>;
    const selector = (spec.podSelector ?? {}) as Record<string, unknown>;
    const selectsAll =
        Object.keys((selector.matchLabels ?? {}) as object).length === 0 && arrayOf(selector.matchExpressions).length === 0;
    const types = arrayOf<string>(spec.policyTypes);
    return (
        selectsAll &&
        types.includes("Ingress") &&
        types.includes("Egress") &&
        arrayOf(spec.ingress).length === 0 &&
        arrayOf(spec.egress).length === 0
    );
}

function checkCeilings(
    quota: PolicyResource,
    slug: string,
    plan: string,
    ceilings: Record<string, string>,
    reportViolation: (message: string, urn?: string) => void,
): void {
    const hard = (((quota.props.spec ?? {}) as Record<string, unknown>).hard ?? {}) as Record<string, unknown>;
    const name = `${describeObject(quota.type, quota.name, quota.props)} of tenant ${slug}`;
    for (const key of Object.keys(ceilings)) {
        const ceiling = ceilings[key];
        const raw = hard[key];
        if (raw === undefined || raw === null) {
            reportViolation(`${name} does not set ${key}; the ${plan} plan caps it at ${ceiling}.`, quota.urn);
            continue;
        }
        const value = parseQuantity(String(raw));
        const max = parseQuantity(ceiling);
        if (value === undefined || max === undefined) {
            reportViolation(`${name} sets ${key} to "${String(raw)}", which is not a Kubernetes quantity; it must be at most ${ceiling}.`, quota.urn);
        } else if (value > max) {
            reportViolation(`${name} sets ${key} to ${String(raw)}, above the ${plan} plan's ceiling of ${ceiling}.`, quota.urn);
        }
    }
}
