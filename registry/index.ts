export { cidrProblem, isCatchAllCidr } from "./cidr";
export { registryJsonSchemas } from "./json-schema";
export { directoryFiles, displayPath, loadRegistry, PLANS_FILE, RegistryError, shareRegistry, validateRegistry } from "./load";
export type { ParsedTenants, Registry, RegistryEntry, RegistryFileEntry, RegistryFiles, TenantCheck } from "./load";
export { PLAN_PARSE_ENV, readParsedTenants, writeParsedTenants } from "./parse-share";
export { compareQuantities, isQuantity, parseExactQuantity, parseQuantity } from "./quantity";
export type { ExactQuantity } from "./quantity";
export { missingSecrets, secretConfigPath } from "./secrets";
export type { MissingSecret } from "./secrets";
export {
    lifecycleSchema,
    planCatalogSchema,
    planSchema,
    quotaOverridesSchema,
    RESERVED_SECRET_NAMES,
    tenantSchema,
    tenantSecretSchema,
} from "./schema";
export type { Lifecycle, Plan, PlanCatalog, Tenant, TenantInput } from "./schema";
export { fieldName, formatIssue, MAX_ALIAS_COUNT, MAX_FILE_BYTES, YamlSource } from "./yaml-source";
export type { SourceIssue, SourcePositions } from "./yaml-source";
export { inShard, MAX_SHARDS, SHARED_SHARD, shardOf, shardSchema, WHOLE_REGISTRY } from "./shard";
export type { Shard } from "./shard";
