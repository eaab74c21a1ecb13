import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, Tenant } from "../registry";
import { tenantMetadata } from "./labels";

/** Name of the tenant's ResourceQuota. */
export const RESOURCE_QUOTA_NAME = "quota";
/** Name of the tenant's LimitRange. */
export const LIMIT_RANGE_NAME = "limits";

/**
 * The `hard` limits of a tenant's ResourceQuota: the plan's ceilings lowered by the tenant's
 * overrides; pods follow the agent limit, and a suspended tenant gets zero pods (data kept).
 */
export function quotaHard(tenant: Tenant, plan: Plan): Record<string, string> {
    const quota = { ...plan.quota, ...definedOnly(tenant.quota ?? {}) };
    const pods = tenant.lifecycle === "active" ? Math.min(tenant.agentLimit + plan.podHeadroom, plan.quota.pods) : 0;
    return {
        "requests.cpu": quota.requestsCpu,
        "requests.memory": quota.requestsMemory,
        "limits.cpu": quota.limitsCpu,
        "limits.memory": quota.limitsMemory,
        "requests.storage": quota.requestsStorage,
        persistentvolumeclaims: String(quota.persistentVolumeClaims),
        pods: String(pods),
    };
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
