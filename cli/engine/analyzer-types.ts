// What the emulated engine and a policy pack exchange, as plain data: resources, diagnostics,
// rule descriptions and configuration, plus the host's interface and error.
import { UNKNOWN } from "./wire";

export { UNKNOWN };

/** Enforcement levels as the engine reports them. */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/**
 * Resource options as `AnalyzerResourceOptions` carries them. retainOnDelete and deletedWith are not
 * part of that message in this protocol version, so the engine never shows them to a policy pack.
 */
export interface EngineResourceOptions {
    /** protect. */
    protect?: boolean;
    /** ignoreChanges property paths. */
    ignoreChanges?: string[];
    /** deleteBeforeReplace; undefined means "not set", which the protocol distinguishes from false. */
    deleteBeforeReplace?: boolean;
    /** additionalSecretOutputs. */
    additionalSecretOutputs?: string[];
    /** Alias URNs. */
    aliases?: string[];
    /** Custom timeouts in seconds. */
    customTimeouts?: { create?: number; update?: number; delete?: number };
    /** Parent URN (the engine sends it here and, for AnalyzeStack, as the resource's parent). */
    parent?: string;
}

/** The provider of a resource as the engine describes it. */
export interface EngineProvider {
    /** Provider resource name. */
    name: string;
    /** Provider type, e.g. `pulumi:providers:kubernetes`. */
    type: string;
    /** Provider URN. */
    urn: string;
    /** Provider inputs in wire format. */
    properties: Record<string, unknown>;
}

/**
 * A resource as the engine sends it to an analyzer. `properties` is plain JSON in the engine's wire
 * format: a secret is `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": …}`
 * (the pack unwraps it), an unknown value during preview is the string {@link UNKNOWN} (the pack turns
 * reads of it into an advisory "can't run during preview" diagnostic). Resource references and
 * output values never appear: the engine sends analyzers their id/URN and plain value.
 */
export interface EngineResource {
    /** Type token, e.g. `kubernetes:core/v1:Namespace`. */
    type: string;
    /** Logical (Pulumi) name. */
    name: string;
    /** URN. */
    urn: string;
    /** Inputs for Analyze, outputs for AnalyzeStack, in wire format. */
    properties: Record<string, unknown>;
    /** Resource options; the pack rejects a request without them. */
    options: EngineResourceOptions;
    /** Parent URN, used by AnalyzeStack to link resources. */
    parent?: string;
    /** Provider, for custom resources. */
    provider?: EngineProvider;
    /** URNs this resource depends on. */
    dependencies?: string[];
    /** Per property, the URNs it depends on. */
    propertyDependencies?: Record<string, string[]>;
    /** Custom (provider-managed) resource rather than a component; not sent, callers may filter on it. */
    custom?: boolean;
}

/** One policy violation (or advisory diagnostic) returned by the pack. */
export interface PolicyDiagnostic {
    /** Rule name. */
    policyName: string;
    /** Pack name. */
    policyPackName: string;
    /** Pack version. */
    policyPackVersion: string;
    /** Rule description. */
    description: string;
    /** Full message: the description, a newline, then the rule's message. */
    message: string;
    /** Enforcement level of this diagnostic. */
    enforcementLevel: EnforcementLevel;
    /** URN the diagnostic is about ("" when the pack did not name one). */
    urn: string;
}

/** A rule as GetAnalyzerInfo describes it. */
export interface PolicyInfoSummary {
    /** Rule name. */
    name: string;
    /** One-sentence description. */
    description: string;
    /** Default enforcement level. */
    enforcementLevel: EnforcementLevel;
    /** Resource or stack rule. */
    kind: "resource" | "stack" | "unknown";
    /** JSON Schema properties of the rule's configuration. */
    configSchema?: Record<string, unknown>;
}

/** What GetAnalyzerInfo returns, as plain data. */
export interface AnalyzerInfoSummary {
    /** Pack name. */
    name: string;
    /** Pack version from its package.json. */
    version: string;
    /** Whether the pack accepts configuration. */
    supportsConfig: boolean;
    /** The pack's rules. */
    policies: PolicyInfoSummary[];
}

/** Per-rule configuration: an enforcement level and/or properties. */
export type PolicyConfig = Record<string, { enforcementLevel?: EnforcementLevel; [property: string]: unknown }>;

/** A log record the pack sent to the emulated engine. */
export interface EngineLog {
    /** debug, info, warning or error. */
    severity: "debug" | "info" | "warning" | "error";
    /** Message text. */
    message: string;
    /** URN the message is about, if any. */
    urn: string;
}

/** How to start a pack. */
export interface StartOptions {
    /** Directory holding PulumiPolicy.yaml, package.json and index.ts. */
    packDir: string;
    /** Configuration sent with Configure right after start (as `pulumi preview --policy-pack-config`). */
    config?: PolicyConfig;
    /** Upper bound for start-up (type checking included) and for each call, in ms. @default TENANCY_PACK_TIMEOUT_MS, else 300000 */
    timeoutMs?: number;
    /** Called with the pack's PID once its process is spawned, before it is ready (killing it makes the start fail). */
    onSpawned?: (pid: number) => void;
    /** Variables added to the pack process's environment (e.g. the plan's parse of the registry, see registry/parse-share.ts). */
    env?: Readonly<Record<string, string>>;
}

/** A running policy pack, spoken to over the Analyzer protocol. */
export interface PolicyHost {
    /** PID of the pack process. */
    readonly pid: number;
    /** Port the pack printed and listens on (127.0.0.1). */
    readonly port: number;
    /** Address of the emulated engine the pack was given. */
    readonly engineAddress: string;
    /** Milliseconds from spawn until the port was printed. */
    readonly startMs: number;
    /** Log records the pack sent to the engine. */
    readonly logs: EngineLog[];
    /** GetAnalyzerInfo. */
    getAnalyzerInfo(): Promise<AnalyzerInfoSummary>;
    /** GetPluginInfo: the @pulumi/policy version serving the pack. */
    getPluginVersion(): Promise<string>;
    /** Configure: per-rule enforcement levels and properties. */
    configure(config: PolicyConfig): Promise<void>;
    /** Analyze one resource (its inputs), as the engine does before each step. */
    analyze(resource: EngineResource): Promise<PolicyDiagnostic[]>;
    /** AnalyzeStack over all resources (their outputs), as the engine does after a preview or update. */
    analyzeStack(resources: EngineResource[]): Promise<PolicyDiagnostic[]>;
    /** Stops the pack process (by PID) and the emulated engine. */
    stop(): Promise<void>;
}

/** A pack that failed to start or answer, with its stderr and the engine log for the reader. */
export class PolicyHostError extends Error {
    constructor(
        message: string,
        /** The pack's stderr (type errors from ts-node land here). */
        readonly stderr: string,
    ) {
        super(stderr.trim() ? `${message}\n--- policy pack output ---\n${stderr.trim()}` : message);
        this.name = "PolicyHostError";
    }
}
