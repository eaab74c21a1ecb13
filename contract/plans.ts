// The shape of a plan's ResourceQuota ceilings, shared by the plan catalog (tenants/plans.yaml),
// the components that write the quota and the policy pack that checks it.

/** Each quota field of a plan in the catalog, mapped to the ResourceQuota `hard` key it sets. */
export const QUOTA_FIELDS = {
    requestsCpu: "requests.cpu",
    requestsMemory: "requests.memory",
    limitsCpu: "limits.cpu",
    limitsMemory: "limits.memory",
    requestsStorage: "requests.storage",
    persistentVolumeClaims: "persistentvolumeclaims",
    pods: "pods",
} as const;

/** A quota field of the plan catalog (`requestsCpu`, …). */
export type QuotaField = keyof typeof QUOTA_FIELDS;

/** A ResourceQuota `hard` key a plan caps (`requests.cpu`, …). */
export type QuotaResource = (typeof QUOTA_FIELDS)[QuotaField];

/** Upper bounds of a plan's ResourceQuota, as Kubernetes quantities keyed by quota resource name. */
export type PlanCeilings = Record<QuotaResource, string>;
