// Names of the objects the program creates, and the platform's defaults the pack assumes.

/** Prefix of every tenant namespace: the namespace of tenant `acme` is `org-acme`. */
export const NAMESPACE_PREFIX = "org-";

/** Namespace of a tenant, `org-<slug>`. */
export function namespaceOf(tenant: { slug: string }): string {
    return `${NAMESPACE_PREFIX}${tenant.slug}`;
}

/** Pulumi type of the component that owns all of one tenant's resources; its name is the slug. */
export const TENANT_COMPONENT_TYPE = "tenancy:tenant:Tenant";

/** Name of the ServiceAccount the tenant's agents run as. */
export const AGENT_SERVICE_ACCOUNT = "agent-worker-sa";
/** Name of the Role that lets the agents read the tenant's secrets. */
export const SECRET_READER_ROLE = "agent-secret-reader";
/** Name of the Role (and its RoleBinding) that lets the platform controller manage agent workloads. */
export const PLATFORM_AGENT_MANAGER_ROLE = "platform-agent-manager";
/** Name of the tenant's ResourceQuota. */
export const RESOURCE_QUOTA_NAME = "quota";
/** Name of the tenant's LimitRange. */
export const LIMIT_RANGE_NAME = "limits";
/** Name of the NetworkPolicy that denies all ingress and egress by default. */
export const DEFAULT_DENY_POLICY = "default-deny";

/** Namespace of the platform's orchestration controller. */
export const PLATFORM_NAMESPACE = "platform-system";
/** ServiceAccount of the platform's orchestration controller. */
export const PLATFORM_CONTROLLER = "agent-orchestrator";
/** Namespace of the NATS server. */
export const NATS_NAMESPACE = "nats";
/** Namespace of cluster DNS, which every tenant may reach. */
export const DNS_NAMESPACE = "kube-system";

/** Name of the tenant's scoped ResourceQuota that allows zero pods in every tenancy PriorityClass but its own plan's. */
export const PRIORITY_CEILING_QUOTA = "priority-ceiling";

/** Config key through which `tenancy plan --base` narrows a plan to the tenants a change touches. */
export const PLAN_ONLY_KEY = "tenancy:planOnlyTenants";
