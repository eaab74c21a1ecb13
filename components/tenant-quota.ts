import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, Tenant } from "../registry";
import { LIMIT_RANGE_NAME, PRIORITY_CEILING_QUOTA, QUOTA_FIELDS, RESOURCE_QUOTA_NAME, type PlanCeilings, type QuotaField, type QuotaResource } from "../contract";
import { tenantMetadata } from "./labels";

/**
 * The `hard` limits of a tenant's ResourceQuota: the plan's ceilings lowered by the tenant's
 * overrides; pods follow the agent limit, and a suspended tenant gets zero pods (data kept).
 */
export function quotaHard(tenant: Tenant, plan: Plan): PlanCeilings {
    const quota = { ...plan.quota, ...definedOnly(tenant.quota ?? {}) };
    const pods = tenant.lifecycle === "active" ? Math.min(tenant.agentLimit + plan.podHeadroom, plan.quota.pods) : 0;
    const hard = {} as PlanCeilings;
    for (const [field, resource] of Object.entries(QUOTA_FIELDS) as [QuotaField, QuotaResource][]) {
        hard[resource] = field === "pods" ? String(pods) : String(quota[field]);
    }
    return hard;
}

/**
 * Annotations of a tenant's baseline ResourceQuota. The Kubernetes provider (4.25) waits after each
 * apply of a ResourceQuota until the quota controller has copied `spec.hard` into `status.hard`, and
 * the API server's quota admission enforces `status.hard`, so that wait is what makes "the update
 * finished" mean "the quota is in force". An active tenant's quota needs no such promise: its
 * RoleBindings, which let anyone create pods there, are applied alongside it, not after it, so the
 * wait would only slow every created or changed tenant (up to a minute each). A suspended or
 * decommissioned tenant's quota (pods 0) keeps the wait: when `pulumi up` reports the suspension
 * done, no new pod can start (README, "Suspending a tenant").
 */
export function quotaAnnotations(tenant: Pick<Tenant, "lifecycle">): Record<string, string> | undefined {
    return tenant.lifecycle === "active" ? { ...SKIP_AWAIT } : undefined;
}

/** The Kubernetes provider's annotation that returns from an apply without its kind's readiness wait. */
export const SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait";

const SKIP_AWAIT: Readonly<Record<string, string>> = Object.freeze({ [SKIP_AWAIT_ANNOTATION]: "true" });

/** The tenant's ResourceQuota object. */
export function resourceQuotaSpec(tenant: Tenant, plan: Plan) {
    const annotations = quotaAnnotations(tenant);
    return { metadata: { ...tenantMetadata(tenant, RESOURCE_QUOTA_NAME), ...(annotations ? { annotations } : {}) }, spec: { hard: quotaHard(tenant, plan) } };
}

/** The tenant's LimitRange object: container defaults and maximum from the plan. */
export function limitRangeSpec(tenant: Tenant, plan: Plan) {
    const { default: limits, defaultRequest, max } = plan.limitRange;
    return {
        metadata: tenantMetadata(tenant, LIMIT_RANGE_NAME),
        spec: {
            limits: [
                {
                    type: "Container",
                    default: { cpu: limits.cpu, memory: limits.memory },
                    defaultRequest: { cpu: defaultRequest.cpu, memory: defaultRequest.memory },
                    max: { cpu: max.cpu, memory: max.memory },
                },
            ],
        },
    };
}

/**
 * The tenant's priority ceiling: a ResourceQuota scoped to every tenancy PriorityClass but its own
 * plan's, allowing zero pods there. It only restricts further; the baseline quota stays unscoped.
 */
export function priorityCeilingSpec(tenant: Tenant, plan: Plan, priorityClasses: readonly string[]) {
    const others = [...new Set(priorityClasses)].filter((c) => c !== plan.priorityClassName).sort();
    return {
        // Its pods 0 does not change with the lifecycle, and nothing waits on its status: never the provider's wait.
        metadata: { ...tenantMetadata(tenant, PRIORITY_CEILING_QUOTA), annotations: { ...SKIP_AWAIT } },
        spec: {
            hard: { pods: "0" },
            scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass" as const, operator: "In" as const, values: others }] },
        },
    };
}

/** Arguments of {@link TenantQuota}. */
export interface TenantQuotaArgs {
    /** The validated tenant entry. */
    tenant: Tenant;
    /** The tenant's plan from the catalog. */
    plan: Plan;
    /** Every tenancy PriorityClass name (one per plan); pods may use only the tenant's own. */
    priorityClasses: readonly string[];
}

/** A tenant's ResourceQuota, its priority ceiling and its LimitRange. */
export class TenantQuota extends pulumi.ComponentResource {
    /** The namespace's ResourceQuota. */
    public readonly resourceQuota: k8s.core.v1.ResourceQuota;
    /** The scoped ResourceQuota that keeps the tenant's pods out of every other plan's PriorityClass. */
    public readonly priorityCeiling?: k8s.core.v1.ResourceQuota;
    /** The namespace's LimitRange for containers. */
    public readonly limitRange: k8s.core.v1.LimitRange;

    constructor(name: string, args: TenantQuotaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:tenant:TenantQuota", name, {}, opts);
        // Component dependsOn is not inherited by children; they must wait for the namespace themselves.
        const child = { parent: this, dependsOn: opts?.dependsOn };
        this.resourceQuota = new k8s.core.v1.ResourceQuota(`${name}-quota`, resourceQuotaSpec(args.tenant, args.plan), child);
        const ceiling = priorityCeilingSpec(args.tenant, args.plan, args.priorityClasses);
        // A catalog of one plan has no other class to keep out of, and an empty `In` list is invalid.
        if (ceiling.spec.scopeSelector.matchExpressions[0].values.length > 0) {
            this.priorityCeiling = new k8s.core.v1.ResourceQuota(`${name}-priority-ceiling`, ceiling, child);
        }
        this.limitRange = new k8s.core.v1.LimitRange(`${name}-limits`, limitRangeSpec(args.tenant, args.plan), child);
        this.registerOutputs({});
    }
}

function definedOnly<T extends object>(value: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
