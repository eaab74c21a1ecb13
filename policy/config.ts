import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { z } from "zod";
import {
    DNS_NAMESPACE,
    LIFECYCLE_ANNOTATION,
    NAMESPACE_PREFIX,
    NATS_NAMESPACE,
    ORG_ID_ANNOTATION,
    PLATFORM_ACCOUNT,
    PLATFORM_BROADCAST_SUBJECT,
    PLATFORM_CONTROLLER,
    PLATFORM_NAMESPACE,
    STATUS_LOCAL_SUBJECT,
    TENANT_LABEL,
} from "../contract";
import { shardSchema, WHOLE_REGISTRY } from "../registry";

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

const publicKey = (prefix: string, what: string) => z.string().regex(new RegExp(`^${prefix}[A-Z2-7]{55}$`), `must be ${what} public key (${prefix} followed by 55 base32 characters)`);
const accountPublicKeysSchema = z.strictObject({
    account: publicKey("A", "an account").describe("The account's identity key."),
    signing: publicKey("A", "an account signing").describe("Its scoped signing key at the current generation."),
    user: publicKey("U", "a user").describe("Its user at the current generation."),
});

/** Every public key the stack's NATS configuration may use, derived from tenancy:natsMasterKey (what `tenancy pack-config` prints). */
export const natsKeysSchema = z.strictObject({
    operator: publicKey("O", "an operator").describe("The operator every account is signed by."),
    system: publicKey("A", "an account").describe("The system account."),
    platform: accountPublicKeysSchema.describe("The PLATFORM account, its signing key and its user."),
    tenants: z.record(z.string().regex(/^org_[a-z0-9]+$/), accountPublicKeysSchema).describe("Each tenant's account, signing key and user, by org id."),
});

/**
 * Everything platform-specific the rules read from the pack's configuration: the single source of
 * the properties' types, descriptions and JSON Schemas (a rule's configSchema is generated from it).
 */
export const guardConfigSchema = z.strictObject({
    tenantNamespacePrefix: name("Prefix of tenant namespace names."),
    tenantLabel: name("Label carrying the opaque tenant id."),
    lifecycleAnnotation: name("Namespace annotation with the lifecycle state."),
    orgIdAnnotation: name("Namespace annotation with the org id."),
    platformNamespaces: names("Namespaces owned by the platform."),
    platformPrincipals: z.array(platformPrincipalSchema).describe("RBAC subjects the platform may bind into tenant namespaces."),
    allowedClusterRoles: names("ClusterRoles a RoleBinding in a tenant namespace may reference."),
    platformNatsSubjects: names("NATS subjects every tenant account may use; {slug} is the tenant's own slug."),
    platformNatsAccount: name("The platform's NATS account."),
    natsNamespaces: names("Namespaces the NATS server runs in; a ConfigMap there whose data is unknown during preview may be what the server loads."),
    registryDir: name("The tenant registry (tenants/<slug>.yaml and plans.yaml) whose plans give each tenant's ceilings, relative to the pack's directory."),
    podCidrs: names("The cluster's pod CIDRs; no tenant ipBlock may reach into them."),
    serviceCidrs: names("The cluster's Service CIDRs; no tenant ipBlock may reach into them."),
    shard: shardSchema.describe("The stack's shard (the stack's tenancy:shard): which tenants of the registry it declares; shard 0 also holds the NATS operator.conf."),
    natsOperatorKey: z.string().describe("Public key of the NATS operator (stack output natsTrust.operator); required when shard.count > 1, checked whenever set."),
    natsPlatformAccountKey: z.string().describe("Public key of the PLATFORM account (stack output natsTrust.platformAccount); required when shard.count > 1, checked whenever set."),
    natsKeys: natsKeysSchema
        .nullable()
        .describe("The stack's NATS public keys derived from tenancy:natsMasterKey (operator, system and PLATFORM accounts, each tenant's account, signing key and user at its key generation), as `tenancy pack-config` prints them; required whenever the stack declares tenants or NATS configuration."),
    planOnlyTenants: z
        .array(z.string())
        .nullable()
        .describe("Set by tenancy plan --base only: the org ids of the partial plan; the account files of the registry's other tenants are declared outside the plan."),
});

/** The stack's NATS public keys, as the pack is pinned to them. */
export type NatsKeys = z.infer<typeof natsKeysSchema>;
/** The public keys of one account. */
export type AccountPublicKeys = z.infer<typeof accountPublicKeysSchema>;
/** The pack's configuration, as every rule reads it. */
export type GuardConfig = z.infer<typeof guardConfigSchema>;
/** A principal the platform may bind into tenant namespaces. */
export type PlatformPrincipal = z.infer<typeof platformPrincipalSchema>;
/** Names of the configuration properties. */
export type ConfigKey = keyof GuardConfig;

/** Defaults that match the program (from the shared contract), so CI needs no pack configuration. */
export const DEFAULT_CONFIG: GuardConfig = {
    tenantNamespacePrefix: NAMESPACE_PREFIX,
    tenantLabel: TENANT_LABEL,
    lifecycleAnnotation: LIFECYCLE_ANNOTATION,
    orgIdAnnotation: ORG_ID_ANNOTATION,
    platformNamespaces: [PLATFORM_NAMESPACE, NATS_NAMESPACE, DNS_NAMESPACE],
    platformPrincipals: [{ kind: "ServiceAccount", namespace: PLATFORM_NAMESPACE, name: PLATFORM_CONTROLLER }],
    allowedClusterRoles: ["view"],
    platformNatsSubjects: [PLATFORM_BROADCAST_SUBJECT, STATUS_LOCAL_SUBJECT, "platform.status.{slug}"],
    platformNatsAccount: PLATFORM_ACCOUNT,
    natsNamespaces: [NATS_NAMESPACE],
    // The repository's registry, next to the pack; `tenancy plan` passes the registry it planned.
    registryDir: "../tenants",
    // kubeadm's and kind's defaults; set the cluster's own ranges in the pack configuration.
    podCidrs: ["10.244.0.0/16"],
    serviceCidrs: ["10.96.0.0/12"],
    shard: WHOLE_REGISTRY,
    // Unpinned: an unsharded stack trusts the operator its own operator.conf declares.
    natsOperatorKey: "",
    natsPlatformAccountKey: "",
    // Unpinned: the pack then refuses every NATS account, since it cannot compare its keys.
    natsKeys: null,
    planOnlyTenants: null,
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
