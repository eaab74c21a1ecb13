// Label and annotation keys stamped on every tenant object. The components write them, the policy
// pack keys ownership on them and the planner reads them: stated here once.

/** Label carrying the opaque org id on every tenant object; the policy pack keys ownership on it. */
export const TENANT_LABEL = "tenancy.io/tenant-id";
/** Label with the tenant's plan; kube-state-metrics exposes it as `label_tier`. */
export const TIER_LABEL = "tier";
/** Standard label naming the tool that manages the object. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
/** Value of the managed-by label. */
export const MANAGED_BY = "tenancy";
/** Standard label naming the part of the platform an object belongs to. */
export const COMPONENT_LABEL = "app.kubernetes.io/component";

/** Annotation with the org id (annotations are for people and tools, labels for selectors). */
export const ORG_ID_ANNOTATION = "tenancy.io/org-id";
/** Annotation with the tenant's plan. */
export const PLAN_ANNOTATION = "tenancy.io/plan";
/** Annotation with the tenant's agent limit. */
export const AGENT_LIMIT_ANNOTATION = "tenancy.io/agent-limit";
/** Annotation with the tenant's lifecycle state. */
export const LIFECYCLE_ANNOTATION = "tenancy.io/lifecycle";

/** Label the API server sets on every Namespace to its name; tenants cannot forge it. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
