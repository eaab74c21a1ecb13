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
export { limitRangeSpec, priorityCeilingSpec, quotaHard, resourceQuotaSpec, TenantQuota } from "./tenant-quota";
export { PlanPriorityClasses, priorityClassSpecs } from "./plan-priority-classes";
export { kubeStateMetricsLabel, TENANT_RULES_NAME, TenantMonitoring, tenantRecordingRules, tenantRulesSpec } from "./tenant-monitoring";
export type { TenantMonitoringArgs } from "./tenant-monitoring";
export type { PlanPriorityClassesArgs } from "./plan-priority-classes";
export type { TenantQuotaArgs } from "./tenant-quota";
export { secretSpec, TenantSecrets } from "./tenant-secrets";
export type { TenantSecretsArgs, TenantSecretValues } from "./tenant-secrets";
export { keySourceProblems, natsCredentialsSecretSpec, NatsAccount, natsUrlProblem } from "./nats-account";
export type { NatsAccountArgs, NatsKeySource } from "./nats-account";
export { deriveSeedBytes, deriveUserNkey, natsKeyMessage, parseNatsMasterKey, PLATFORM_KEY_OWNER } from "./nats-keys";
export type { NatsKeyPurpose } from "./nats-keys";
export {
    accountsConfigMapSpec,
    authorizationConfigMapSpec,
    NATS_PLATFORM_LABELS,
    NatsAuthorization,
    platformCredentialsSecretSpec,
} from "./nats-authorization";
export type { NatsAuthorizationArgs, NatsAuthorizationTenant } from "./nats-authorization";
export * from "./nats-spec";
