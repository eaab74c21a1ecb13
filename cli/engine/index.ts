export { engineUrn, RecordingMonitor, STACK_TYPE } from "./monitor";
export { ensurePlanKey, planKeyPath } from "./plan-key";
export { ProgramError, recordProgram } from "./record";
export type { RecordOptions } from "./record";
export type { RecordedAlias, RecordedOptions, RecordedResource } from "./types";
export { canonicalJson, isSecret, REDACTED, secret, SECRET_SIG, SIG_KEY, toPlain, unwrapSecrets } from "./wire";
export { forkRecordingChild, RecordError, recordInChild } from "./fork";
export type { ChildRecordOptions, ChildStart, ForkOptions, RecordingChild } from "./fork";
export { PolicyHostError, UNKNOWN } from "./analyzer-types";
export { engineResources } from "./engine-resources";
export { startPolicyPack } from "./policy-host";
export type {
    AnalyzerInfoSummary,
    EngineLog,
    EngineProvider,
    EngineResource,
    EngineResourceOptions,
    EnforcementLevel,
    PolicyConfig,
    PolicyDiagnostic,
    PolicyHost,
    PolicyInfoSummary,
    StartOptions,
} from "./analyzer-types";
