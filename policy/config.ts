import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { z } from "zod";
import {
    DNS_NAMESPACE,
    LIFECYCLE_ANNOTATION,
    NAMESPACE_PREFIX,
    NATS_AUTHORIZATION_CONFIGMAP,
    NATS_CREDENTIALS_SECRET,
    NATS_NAMESPACE,
    ORG_ID_ANNOTATION,
    PERMISSIONS_JSON_KEY,
    PLATFORM_ACCOUNT,
    PLATFORM_BROADCAST_SUBJECT,
    PLATFORM_CONTROLLER,
    PLATFORM_NAMESPACE,
    STATUS_LOCAL_SUBJECT,
    TENANT_LABEL,
    TIER_LABEL,
    type PlanCeilings,
} from "../contract";

const name = (description: string) => z.string().min(1).describe(description);
const names = (description: string) => z.array(z.string()).describe(description);

/** A Kubernetes RBAC subject the platform owns and may bind into any tenant namespace. */
export const platformPrincipalSchema = z.strictObject({
    /** ServiceAccount, User or Group, as in a RoleBinding subject. */
    kind: z.enum(["ServiceAccount", "User", "Group"]),
    /** Name of the principal. */
    name: z.string().min(1),
    /** Namespace of a ServiceAccount principal. */
    namespace: z.string().optional(),
});

/**
 * Everything platform-specific the rules read from the pack's configuration: the single source of
 * the properties' types, descriptions and JSON Schemas (a rule's configSchema is generated from it).
 */
export const guardConfigSchema = z.strictObject({
    tenantNamespacePrefix: name("Prefix of tenant namespace names."),
    tenantLabel: name("Label carrying the opaque tenant id."),
    planLabel: name("Label carrying the tenant's plan."),
    lifecycleAnnotation: name("Namespace annotation with the lifecycle state."),
    orgIdAnnotation: name("Namespace annotation with the org id."),
    platformNamespaces: names("Namespaces owned by the platform."),
    platformPrincipals: z.array(platformPrincipalSchema).describe("RBAC subjects the platform may bind into tenant namespaces."),
    allowedClusterRoles: names("ClusterRoles a RoleBinding in a tenant namespace may reference."),
    platformNatsSubjects: names("NATS subjects every tenant account may use; {slug} is the tenant's own slug."),
    platformNatsAccount: name("The platform's NATS account."),
    natsAuthorizationConfigMap: name("ConfigMap holding the NATS permission structure."),
    natsPermissionsKey: name("ConfigMap key of the NATS permission structure."),
    natsCredentialsSecret: name("Name of each tenant's NATS credential Secret."),
    planCeilings: z.record(z.string(), z.record(z.string(), z.string())).describe("ResourceQuota ceilings per plan, as Kubernetes quantities."),
});

/** The pack's configuration, as every rule reads it. */
export type GuardConfig = z.infer<typeof guardConfigSchema>;
/** A principal the platform may bind into tenant namespaces. */
export type PlatformPrincipal = z.infer<typeof platformPrincipalSchema>;
/** Names of the configuration properties. */
export type ConfigKey = keyof GuardConfig;

// The plan catalog's ceilings; the pack must run without the registry (a test keeps these equal to tenants/plans.yaml).
const PLAN_CEILINGS: Record<string, PlanCeilings> = {
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
};

/** Defaults that match the program (from the shared contract), so CI needs no pack configuration. */
export const DEFAULT_CONFIG: GuardConfig = {
    tenantNamespacePrefix: NAMESPACE_PREFIX,
    tenantLabel: TENANT_LABEL,
    planLabel: TIER_LABEL,
    lifecycleAnnotation: LIFECYCLE_ANNOTATION,
    orgIdAnnotation: ORG_ID_ANNOTATION,
    platformNamespaces: [PLATFORM_NAMESPACE, NATS_NAMESPACE, DNS_NAMESPACE],
    platformPrincipals: [{ kind: "ServiceAccount", namespace: PLATFORM_NAMESPACE, name: PLATFORM_CONTROLLER }],
    allowedClusterRoles: ["view"],
    platformNatsSubjects: [PLATFORM_BROADCAST_SUBJECT, STATUS_LOCAL_SUBJECT, "platform.status.{slug}"],
    platformNatsAccount: PLATFORM_ACCOUNT,
    natsAuthorizationConfigMap: NATS_AUTHORIZATION_CONFIGMAP,
    natsPermissionsKey: PERMISSIONS_JSON_KEY,
    natsCredentialsSecret: NATS_CREDENTIALS_SECRET,
    planCeilings: PLAN_CEILINGS,
};

// JSON Schema of one property, generated from the zod schema; the $schema key belongs to a document, not a property.
function propertySchema(key: ConfigKey): PolicyConfigJSONSchema {
    const { $schema: _ignored, ...schema } = z.toJSONSchema(guardConfigSchema.shape[key]) as Record<string, unknown>;
    return schema as PolicyConfigJSONSchema;
}

/** Builds the configSchema of a rule from the properties it reads, with the program's defaults. */
export function configSchemaFor(keys: readonly ConfigKey[]): PolicyConfigSchema {
    const properties: Record<string, PolicyConfigJSONSchema> = {};
    for (const key of keys) properties[key] = { ...propertySchema(key), default: DEFAULT_CONFIG[key] as never };
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
