// The facts components, the policy pack and the planner share: label keys, object names, the NATS
// subject scheme and the plan ceilings' shape. Dependency-free: it imports nothing.
export {
    AGENT_LIMIT_ANNOTATION,
    COMPONENT_LABEL,
    LIFECYCLE_ANNOTATION,
    MANAGED_BY,
    MANAGED_BY_LABEL,
    NAMESPACE_NAME_LABEL,
    ORG_ID_ANNOTATION,
    PLAN_ANNOTATION,
    TENANT_LABEL,
    TIER_LABEL,
} from "./labels";
export {
    AGENT_SERVICE_ACCOUNT,
    DEFAULT_DENY_POLICY,
    DNS_NAMESPACE,
    LIMIT_RANGE_NAME,
    NAMESPACE_PREFIX,
    namespaceOf,
    NATS_NAMESPACE,
    PLAN_ONLY_KEY,
    PLATFORM_AGENT_MANAGER_ROLE,
    PLATFORM_CONTROLLER,
    PLATFORM_NAMESPACE,
    PRIORITY_CEILING_QUOTA,
    RESOURCE_QUOTA_NAME,
    SECRET_READER_ROLE,
    TENANT_COMPONENT_TYPE,
} from "./names";
export {
    agentStatusSubject,
    CONFIGMAP_MAX_BYTES,
    CREDENTIAL_ACCOUNT_KEY,
    CREDENTIAL_CREDS_KEY,
    CREDENTIAL_INBOX_PREFIX_KEY,
    CREDENTIAL_SEED_KEY,
    CREDENTIAL_STATUS_SUBJECT_KEY,
    CREDENTIAL_SUBJECT_PREFIX_KEY,
    CREDENTIAL_URL_KEY,
    DEFAULT_NATS_KEY_GENERATION,
    NATS_CREDENTIALS_SECRET,
    NATS_KEY_GENERATIONS_CONFIG,
    NATS_MASTER_KEY_COMMAND,
    NATS_MASTER_KEY_CONFIG,
    NATS_MASTER_KEY_MIN_BYTES,
    NATS_PLATFORM_CREDENTIALS_SECRET,
    natsKeyGenerationCommand,
    NATS_ACCOUNT_COMPONENT,
    natsAccountConfigMapName,
    natsAccountConfKey,
    natsAccountName,
    NATS_OPERATOR_CONFIGMAP,
    NATS_OPERATOR_NAME,
    NatsSpecError,
    OPERATOR_CONF_KEY,
    PLATFORM_ACCOUNT,
    PLATFORM_BROADCAST_SUBJECT,
    PLATFORM_STATUS_EXPORT,
    STATUS_LOCAL_SUBJECT,
    statusSender,
    SUBJECT,
    SUBJECT_TOKEN,
    SYSTEM_ACCOUNT,
    taskInboxSubject,
    tenantSubjects,
} from "./nats";
export type { TenantSubjects } from "./nats";
export { QUOTA_FIELDS } from "./plans";
export { MINIMUM_TENANT_POD_SECURITY, POD_SECURITY_LABEL_PREFIX, POD_SECURITY_LEVELS, podSecurityLabels, podSecurityLevelOf } from "./pod-security";
export type { PodSecurityLevel } from "./pod-security";
export type { PlanCeilings, QuotaField, QuotaResource } from "./plans";
export { documentedUpLines, PULUMI_PARALLEL, PULUMI_POLICY_PACK, PULUMI_PREVIEW_FLAGS, PULUMI_RUN_ENV, PULUMI_UP_FLAGS } from "./pulumi-run";
