export { tenantLabels, tenantMetadata } from "./labels";
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
export { networkPolicySpecs, TenantNetwork } from "./tenant-network";
export type { NatsEndpoint, TenantNetworkArgs } from "./tenant-network";
export { limitRangeSpec, priorityCeilingSpec, quotaAnnotations, quotaHard, resourceQuotaSpec, SKIP_AWAIT_ANNOTATION, TenantQuota } from "./tenant-quota";
export { PlanPriorityClasses, priorityClassSpecs } from "./plan-priority-classes";
export { kubeStateMetricsLabel, TENANT_RULES_NAME, TenantMonitoring, tenantRecordingRules, tenantRulesSpec } from "./tenant-monitoring";
export type { TenantMonitoringArgs } from "./tenant-monitoring";
export type { PlanPriorityClassesArgs } from "./plan-priority-classes";
export type { TenantQuotaArgs } from "./tenant-quota";
export { secretSpec, TenantSecrets } from "./tenant-secrets";
export type { TenantSecretsArgs, TenantSecretValues } from "./tenant-secrets";
export { keySourceProblems, natsCredentialsSecretSpec, NatsAccount, natsUrlProblem } from "./nats-account";
export type { NatsAccountArgs, NatsKeySource } from "./nats-account";
export {
    ACCOUNT_IDENTITY_GENERATION,
    accountKeys,
    accountPublicKey,
    deriveNkey,
    deriveSeedBytes,
    deriveUserNkey,
    natsKeyMessage,
    nkeyFromSeedBytes,
    OPERATOR_KEY_OWNER,
    operatorKeys,
    parseNatsMasterKey,
    PLATFORM_KEY_OWNER,
    SYSTEM_KEY_OWNER,
} from "./nats-keys";
export type { AccountKeys, DerivedNkey, NatsKeyPurpose } from "./nats-keys";
export {
    accountConfigMapSpec,
    NATS_PLATFORM_LABELS,
    NatsAuthorization,
    operatorConfigMapSpec,
    platformCredentialsSecretSpec,
} from "./nats-authorization";
export type { NatsAuthorizationArgs, NatsAuthorizationTenant } from "./nats-authorization";
export {
    credsFile,
    decodeJwt,
    JWT_ISSUED_AT,
    jwtPermissions,
    operatorJwt,
    PLATFORM_SCOPE_ROLE,
    platformAccountJwt,
    scopedSigningKey,
    signJwt,
    systemAccountJwt,
    TENANT_SCOPE_ROLE,
    tenantAccountClaims,
    tenantAccountJwt,
    userJwt,
} from "./nats-jwt";
export type { JwtSigner } from "./nats-jwt";
export { natsStackKeys, natsTrustKeys, operatorMaterial, platformMaterial, tenantMaterial } from "./nats-material";
export type { AccountPublicKeys, KnownPublicKeys, NatsStackKeys } from "./nats-material";
export type { AccountMaterial } from "./nats-material";
export * from "./nats-spec";
