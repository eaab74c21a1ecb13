import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, Tenant } from "../registry";
import { LIMIT_RANGE_NAME, QUOTA_FIELDS, RESOURCE_QUOTA_NAME, type PlanCeilings, type QuotaField, type QuotaResource } from "../contract";
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

/** The tenant's ResourceQuota object. */
export function resourceQuotaSpec(tenant: Tenant, plan: Plan) {
    return { metadata: tenantMetadata(tenant, RESOURCE_QUOTA_NAME), spec: { hard: quotaHard(tenant, plan) } };
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

/** Arguments of {@link TenantQuota}. */
export interface TenantQuotaArgs {
    /** The validated tenant entry. */
    tenant: Tenant;
    /** The tenant's plan from the catalog. */
    plan: Plan;
}

/** A tenant's ResourceQuota and LimitRange. */
export class TenantQuota extends pulumi.ComponentResource {
    /** The namespace's ResourceQuota. */
    public readonly resourceQuota: k8s.core.v1.ResourceQuota;
    /** The namespace's LimitRange for containers. */
    public readonly limitRange: k8s.core.v1.LimitRange;

    constructor(name: string, args: TenantQuotaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:tenant:TenantQuota", name, {}, opts);
        // Component dependsOn is not inherited by children; they must wait for the namespace themselves.
        const child = { parent: this, dependsOn: opts?.dependsOn };
        this.resourceQuota = new k8s.core.v1.ResourceQuota(`${name}-quota`, resourceQuotaSpec(args.tenant, args.plan), child);
        this.limitRange = new k8s.core.v1.LimitRange(`${name}-limits`, limitRangeSpec(args.tenant, args.plan), child);
        this.registerOutputs({});
    }
}

function definedOnly<T extends object>(value: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
