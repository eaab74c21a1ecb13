export {
    AGENT_LIMIT_ANNOTATION,
    AGENT_SERVICE_ACCOUNT,
    LIFECYCLE_ANNOTATION,
    MANAGED_BY,
    MANAGED_BY_LABEL,
    NATS_CREDENTIALS_SECRET,
    ORG_ID_ANNOTATION,
    PLAN_ANNOTATION,
    PLATFORM_AGENT_MANAGER_ROLE,
    SECRET_READER_ROLE,
    TENANT_LABEL,
    TIER_LABEL,
    tenantLabels,
    tenantMetadata,
} from "./labels";
export { Tenant } from "./tenant";
export type { TenantArgs } from "./tenant";
export {
    agentServiceAccountSpec,
    platformAgentManagerBindingSpec,
    platformAgentManagerRoleSpec,
    readableSecretNames,
    secretReaderBindingSpec,
    secretReaderRoleSpec,
    TenantAccess,
} from "./tenant-access";
export type { PlatformPrincipal, TenantAccessArgs } from "./tenant-access";
export { isProtected, namespaceSpec, TenantNamespace } from "./tenant-namespace";
export type { TenantNamespaceArgs } from "./tenant-namespace";
export { DEFAULT_DENY_POLICY, networkPolicySpecs, TenantNetwork } from "./tenant-network";
export type { NatsEndpoint, TenantNetworkArgs } from "./tenant-network";
export { LIMIT_RANGE_NAME, limitRangeSpec, quotaHard, RESOURCE_QUOTA_NAME, resourceQuotaSpec, TenantQuota } from "./tenant-quota";
export type { TenantQuotaArgs } from "./tenant-quota";
export { missingSecretPaths, secretSpec, TenantSecrets } from "./tenant-secrets";
export type { TenantSecretsArgs, TenantSecretValues } from "./tenant-secrets";
export { natsCredentialsSecretSpec, NatsAccount, natsUrlProblem, NKEY_SEED_BYTES } from "./nats-account";
export type { NatsAccountArgs } from "./nats-account";
export {
    accountsConfigMapSpec,
    AUTH_JSON_KEY,
    authorizationConfigMapSpec,
    NATS_ACCOUNTS_CONFIGMAP,
    NATS_AUTHORIZATION_CONFIGMAP,
    NATS_PLATFORM_CREDENTIALS_SECRET,
    NATS_PLATFORM_LABELS,
    NatsAuthorization,
    PERMISSIONS_JSON_KEY,
    platformCredentialsSecretSpec,
} from "./nats-authorization";
export type { NatsAuthorizationArgs, NatsAuthorizationTenant } from "./nats-authorization";
export * from "./nats-spec";
