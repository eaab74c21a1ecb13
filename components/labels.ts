import { namespaceOf, type Tenant } from "../registry";

/** Label carrying the opaque org id on every tenant object; the policy pack keys ownership on it. */
export const TENANT_LABEL = "tenancy.io/tenant-id";
/** Label with the tenant's plan; kube-state-metrics exposes it as `label_tier`. */
export const TIER_LABEL = "tier";
/** Standard label naming the tool that manages the object. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
/** Value of the managed-by label. */
export const MANAGED_BY = "tenancy";

/** Annotation with the org id (annotations are for people and tools, labels for selectors). */
export const ORG_ID_ANNOTATION = "tenancy.io/org-id";
/** Annotation with the tenant's plan. */
export const PLAN_ANNOTATION = "tenancy.io/plan";
/** Annotation with the tenant's agent limit. */
export const AGENT_LIMIT_ANNOTATION = "tenancy.io/agent-limit";
/** Annotation with the tenant's lifecycle state. */
export const LIFECYCLE_ANNOTATION = "tenancy.io/lifecycle";

/** Name of the ServiceAccount the tenant's agents run as. */
export const AGENT_SERVICE_ACCOUNT = "agent-worker-sa";
/** Name of the Role that lets the agents read the tenant's secrets. */
export const SECRET_READER_ROLE = "agent-secret-reader";
/** Name of the Role (and its RoleBinding) that lets the platform controller manage agent workloads. */
export const PLATFORM_AGENT_MANAGER_ROLE = "platform-agent-manager";
/** Name of the Secret holding the tenant's NATS credential. */
export const NATS_CREDENTIALS_SECRET = "nats-credentials";

/** Labels every object of a tenant carries: tenant id, tier and manager. */
export function tenantLabels(tenant: Pick<Tenant, "id" | "plan">): Record<string, string> {
    return { [TENANT_LABEL]: tenant.id, [TIER_LABEL]: tenant.plan, [MANAGED_BY_LABEL]: MANAGED_BY };
}

/** Metadata of a namespaced object of the tenant: explicit name, explicit namespace, tenant labels. */
export function tenantMetadata(tenant: Pick<Tenant, "id" | "plan" | "slug">, name: string) {
    return { name, namespace: namespaceOf(tenant), labels: tenantLabels(tenant) };
}
