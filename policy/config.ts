import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** A Kubernetes RBAC subject the platform owns and may bind into any tenant namespace. */
export interface PlatformPrincipal {
    /** ServiceAccount, User or Group, as in a RoleBinding subject. */
    kind: "ServiceAccount" | "User" | "Group";
    /** Name of the principal. */
    name: string;
    /** Namespace of a ServiceAccount principal. */
    namespace?: string;
}

/** Upper bounds of a plan's ResourceQuota, as Kubernetes quantities keyed by quota resource name. */
export type PlanCeilings = Record<string, string>;

/** Everything platform-specific the rules read from the pack's configuration. */
export interface GuardConfig {
    /** Prefix of tenant namespace names: tenant `acme` lives in `org-acme`. */
    tenantNamespacePrefix: string;
    /** Label carrying the opaque tenant id on every tenant object. */
    tenantLabel: string;
    /** Label carrying the tenant's plan. */
    planLabel: string;
    /** Annotation with the tenant's lifecycle state on its Namespace. */
    lifecycleAnnotation: string;
    /** Annotation with the org id on a tenant Namespace; must agree with the tenant label. */
    orgIdAnnotation: string;
    /** Namespaces the platform owns; tenant NetworkPolicies may reach them. */
    platformNamespaces: string[];
    /** Principals the platform may bind into tenant namespaces. */
    platformPrincipals: PlatformPrincipal[];
    /** ClusterRoles a RoleBinding in a tenant namespace may reference. */
    allowedClusterRoles: string[];
    /**
     * NATS subjects every tenant account may use besides its own `org.<slug>.>` and inbox;
     * `{slug}` stands for the tenant's own slug (its status subject in the platform account).
     */
    platformNatsSubjects: string[];
    /** Name of the platform's NATS account, the only account tenants may import from. */
    platformNatsAccount: string;
    /** Name of the ConfigMap (in a platform namespace) holding the NATS permission structure. */
    natsAuthorizationConfigMap: string;
    /** Key of that ConfigMap holding the permission structure (JSON, no credentials). */
    natsPermissionsKey: string;
    /** Name of each tenant's NATS credential Secret. */
    natsCredentialsSecret: string;
    /** Quota ceilings per plan name; a tenant's ResourceQuota must stay within them. */
    planCeilings: Record<string, PlanCeilings>;
}

/**
 * Defaults that match the program (components/labels.ts, tenants/plans.yaml); a test keeps them in
 * step, so CI needs no pack configuration.
 */
export const DEFAULT_CONFIG: GuardConfig = {
    tenantNamespacePrefix: "org-",
    tenantLabel: "tenancy.io/tenant-id",
    planLabel: "tier",
    lifecycleAnnotation: "tenancy.io/lifecycle",
    orgIdAnnotation: "tenancy.io/org-id",
    platformNamespaces: ["platform-system", "nats", "kube-system"],
    platformPrincipals: [{ kind: "ServiceAccount", namespace: "platform-system", name: "agent-orchestrator" }],
    allowedClusterRoles: ["view"],
    platformNatsSubjects: ["platform.broadcast.>", "platform.status", "platform.status.{slug}"],
    platformNatsAccount: "PLATFORM",
    natsAuthorizationConfigMap: "nats-authorization",
    natsPermissionsKey: "permissions.json",
    natsCredentialsSecret: "nats-credentials",
    planCeilings: {
        free: {
            "requests.cpu": "2",
            "requests.memory": "8Gi",
            "limits.cpu": "4",
            "limits.memory": "16Gi",
            "requests.storage": "20Gi",
            persistentvolumeclaims: "4",
            pods: "3",
        },
        standard: {
            "requests.cpu": "10",
            "requests.memory": "40Gi",
            "limits.cpu": "20",
            "limits.memory": "80Gi",
            "requests.storage": "200Gi",
            persistentvolumeclaims: "20",
            pods: "15",
        },
        enterprise: {
            "requests.cpu": "40",
            "requests.memory": "160Gi",
            "limits.cpu": "80",
            "limits.memory": "320Gi",
            "requests.storage": "2Ti",
            persistentvolumeclaims: "100",
            pods: "60",
        },
    },
};

/** Names of the configuration properties. */
export type ConfigKey = keyof GuardConfig;

const stringList = (description: string): PolicyConfigJSONSchema => ({ type: "array", items: { type: "string" }, description });

// JSON Schemas of every property; a rule's configSchema lists only the properties it reads.
const PROPERTY_SCHEMAS: Record<ConfigKey, PolicyConfigJSONSchema> = {
    tenantNamespacePrefix: { type: "string", minLength: 1, description: "Prefix of tenant namespace names." },
    tenantLabel: { type: "string", minLength: 1, description: "Label carrying the opaque tenant id." },
    planLabel: { type: "string", minLength: 1, description: "Label carrying the tenant's plan." },
    lifecycleAnnotation: { type: "string", minLength: 1, description: "Namespace annotation with the lifecycle state." },
    orgIdAnnotation: { type: "string", minLength: 1, description: "Namespace annotation with the org id." },
    platformNamespaces: stringList("Namespaces owned by the platform."),
    platformPrincipals: {
        type: "array",
        description: "RBAC subjects the platform may bind into tenant namespaces.",
        items: {
            type: "object",
            required: ["kind", "name"],
            properties: {
                kind: { type: "string", enum: ["ServiceAccount", "User", "Group"] },
                name: { type: "string", minLength: 1 },
                namespace: { type: "string" },
            },
        },
    },
    allowedClusterRoles: stringList("ClusterRoles a RoleBinding in a tenant namespace may reference."),
    platformNatsSubjects: stringList("NATS subjects every tenant account may use; {slug} is the tenant's own slug."),
    platformNatsAccount: { type: "string", minLength: 1, description: "The platform's NATS account." },
    natsAuthorizationConfigMap: { type: "string", minLength: 1, description: "ConfigMap holding the NATS permission structure." },
    natsPermissionsKey: { type: "string", minLength: 1, description: "ConfigMap key of the NATS permission structure." },
    natsCredentialsSecret: { type: "string", minLength: 1, description: "Name of each tenant's NATS credential Secret." },
    planCeilings: {
        type: "object",
        description: "ResourceQuota ceilings per plan, as Kubernetes quantities.",
        additionalProperties: { type: "object", additionalProperties: { type: "string" } },
    },
};

/** Builds the configSchema of a rule from the properties it reads, with the program's defaults. */
export function configSchemaFor(keys: readonly ConfigKey[]): PolicyConfigSchema {
    const properties: Record<string, PolicyConfigJSONSchema> = {};
    for (const key of keys) properties[key] = { ...PROPERTY_SCHEMAS[key], default: DEFAULT_CONFIG[key] as never };
    return { properties };
}

/**
 * Merges a rule's configured properties over the defaults; `getConfig()` returns `{}` when the pack
 * was started without configuration, so the defaults must be applied here and not only in the schema.
 */
export function readConfig(configured: Partial<GuardConfig> | undefined): GuardConfig {
    const merged: GuardConfig = { ...DEFAULT_CONFIG };
    if (!configured) return merged;
    for (const key of Object.keys(DEFAULT_CONFIG) as ConfigKey[]) {
        const value = configured[key];
        if (value !== undefined && value !== null) (merged as unknown as Record<string, unknown>)[key] = value;
    }
    return merged;
}
