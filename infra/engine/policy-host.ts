import { spawn, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import * as structPb from "google-protobuf/google/protobuf/struct_pb";
import type { RecordedAlias, RecordedResource } from "./types";
import { OUTPUT_SIG, RESOURCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN } from "./wire";

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
    /** Upper bound for start-up (type checking included) and for each call, in ms. @default 60000 */
    timeoutMs?: number;
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

const RUN_POLICY_PACK = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");

// Preloaded into the pack process: it exits once the host process is gone, so a host killed
// without calling stop() (SIGKILL, a crashed test worker) cannot leave the pack running.
const WATCHDOG = `"use strict";
const host = Number(process.env.TENANCY_POLICY_HOST_PID);
if (host > 0) {
    setInterval(() => {
        try { process.kill(host, 0); } catch { process.exit(0); }
    }, 1000).unref();
}
`;

// Writes the watchdog once per content; its name is its hash, so concurrent hosts agree on it.
function watchdogFile(): string {
    const file = path.join(os.tmpdir(), `tenancy-policy-watchdog-${crypto.createHash("sha256").update(WATCHDOG).digest("hex").slice(0, 16)}.js`);
    if (!fs.existsSync(file)) {
        const temp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(temp, WATCHDOG);
        fs.renameSync(temp, file);
    }
    return file;
}
// Same limit as the pack's server: whole stacks travel in one AnalyzeStack message.
const MAX_MESSAGE = 400 * 1024 * 1024;
const LEVELS: Record<number, EnforcementLevel> = {
    [analyzerPb.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerPb.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerPb.EnforcementLevel.REMEDIATE]: "remediate",
    [analyzerPb.EnforcementLevel.DISABLED]: "disabled",
};
const LEVEL_CODES: Record<EnforcementLevel, analyzerPb.EnforcementLevel> = {
    advisory: analyzerPb.EnforcementLevel.ADVISORY,
    mandatory: analyzerPb.EnforcementLevel.MANDATORY,
    remediate: analyzerPb.EnforcementLevel.REMEDIATE,
    disabled: analyzerPb.EnforcementLevel.DISABLED,
};
const SEVERITIES: Record<number, EngineLog["severity"]> = {
    [enginePb.LogSeverity.DEBUG]: "debug",
    [enginePb.LogSeverity.INFO]: "info",
    [enginePb.LogSeverity.WARNING]: "warning",
    [enginePb.LogSeverity.ERROR]: "error",
};

/**
 * Starts a policy pack the way the Pulumi CLI starts a TypeScript pack — `node run-policy-pack
 * <engine-address> <pack-dir>` in the pack's directory — with an emulated Engine service as the
 * log sink, waits (bounded) for the port it prints, and returns an Analyzer client. A preloaded
 * watchdog ends the pack if this process dies without calling stop().
 */
export async function startPolicyPack(options: StartOptions): Promise<PolicyHost> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const packDir = path.resolve(options.packDir);
    for (const file of ["PulumiPolicy.yaml", "package.json"]) {
        if (!fs.existsSync(path.join(packDir, file))) {
            throw new PolicyHostError(`${packDir} is not a policy pack: ${file} is missing`, "");
        }
    }
    const logs: EngineLog[] = [];
    const engine = await startEngine(logs);
    const started = Date.now();
    let child: ChildProcess;
    try {
        // run-policy-pack only checks that <engine-address> is there and then drops it (argv.shift());
        // the SDK's log module finds the engine through PULUMI_NODEJS_ENGINE, so both point at our sink.
        // Without it, the runner's own log.error (e.g. a type error) would go to stderr instead.
        // The only addition to the CLI's command line is the preloaded watchdog (see WATCHDOG).
        child = spawn(process.execPath, ["--require", watchdogFile(), RUN_POLICY_PACK, engine.address, packDir], {
            cwd: packDir,
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, PULUMI_NODEJS_ENGINE: engine.address, TENANCY_POLICY_HOST_PID: String(process.pid) },
        });
    } catch (error) {
        engine.server.forceShutdown();
        throw new PolicyHostError(`could not start the policy pack in ${packDir}: ${(error as Error).message}`, "");
    }
    let stderr = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
        // Bounded: a runaway pack must not exhaust the host's memory.
        if (stderr.length < 256 * 1024) stderr += chunk;
    });
    const output = () => [stderr, ...logs.filter((l) => l.severity !== "debug").map((l) => `${l.severity}: ${l.message}`)].join("\n");
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

    let port: number;
    try {
        port = await readPort(child, timeoutMs, packDir, output);
    } catch (error) {
        await killChild(child, exited);
        engine.server.forceShutdown();
        throw error;
    }
    const startMs = Date.now() - started;
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": MAX_MESSAGE,
        "grpc.max_send_message_length": MAX_MESSAGE,
    });

    // Every call is bounded by a deadline and fails with the pack's output attached.
    function call<Req, Res>(method: string, request: Req): Promise<Res> {
        return new Promise<Res>((resolve, reject) => {
            const deadline = new Date(Date.now() + timeoutMs);
            const fn = (client as unknown as Record<string, Function>)[method].bind(client);
            fn(request, new grpc.Metadata(), { deadline }, (error: grpc.ServiceError | null, response: Res) => {
                if (error) {
                    const what = error.code === grpc.status.DEADLINE_EXCEEDED ? `timed out after ${timeoutMs} ms` : error.details || error.message;
                    reject(new PolicyHostError(`policy pack ${method} failed: ${what}`, output()));
                } else resolve(response);
            });
        });
    }

    const host: PolicyHost = {
        pid: child.pid!,
        port,
        engineAddress: engine.address,
        startMs,
        logs,
        async getAnalyzerInfo() {
            const info = await call<emptyPb.Empty, analyzerPb.AnalyzerInfo>("getAnalyzerInfo", new emptyPb.Empty());
            return toInfo(info);
        },
        async getPluginVersion() {
            const info = await call<emptyPb.Empty, pluginPb.PluginInfo>("getPluginInfo", new emptyPb.Empty());
            return info.getVersion();
        },
        async configure(config) {
            // The protocol always carries a level; like the CLI, fill a missing one with the rule's default.
            const defaults = new Map<string, EnforcementLevel>();
            if (Object.values(config).some((c) => c.enforcementLevel === undefined)) {
                for (const p of (await host.getAnalyzerInfo()).policies) defaults.set(p.name, p.enforcementLevel);
            }
            await call("configure", toConfigureRequest(config, defaults));
        },
        async analyze(resource) {
            const response = await call<analyzerPb.AnalyzeRequest, analyzerPb.AnalyzeResponse>("analyze", toAnalyzeRequest(resource));
            return response.getDiagnosticsList().map(toDiagnostic);
        },
        async analyzeStack(resources) {
            const request = new analyzerPb.AnalyzeStackRequest();
            request.setResourcesList(resources.map(toAnalyzerResource));
            const response = await call<analyzerPb.AnalyzeStackRequest, analyzerPb.AnalyzeResponse>("analyzeStack", request);
            return response.getDiagnosticsList().map(toDiagnostic);
        },
        async stop() {
            client.close();
            await killChild(child, exited);
            await new Promise<void>((resolve) => engine.server.tryShutdown(() => resolve()));
        },
    };
    if (options.config) {
        try {
            await host.configure(options.config);
        } catch (error) {
            await host.stop();
            throw error;
        }
    }
    return host;
}

// The emulated Engine service: run-policy-pack and the SDK's log module send diagnostics here.
async function startEngine(logs: EngineLog[]): Promise<{ server: grpc.Server; address: string }> {
    const server = new grpc.Server();
    let root = "";
    server.addService(engineRpc.EngineService, {
        log: (call: grpc.ServerUnaryCall<enginePb.LogRequest, emptyPb.Empty>, callback: grpc.sendUnaryData<emptyPb.Empty>) => {
            const r = call.request;
            logs.push({ severity: SEVERITIES[r.getSeverity()] ?? "info", message: r.getMessage(), urn: r.getUrn() });
            callback(null, new emptyPb.Empty());
        },
        getRootResource: (_call: unknown, callback: grpc.sendUnaryData<enginePb.GetRootResourceResponse>) => {
            callback(null, new enginePb.GetRootResourceResponse().setUrn(root));
        },
        setRootResource: (
            call: grpc.ServerUnaryCall<enginePb.SetRootResourceRequest, enginePb.SetRootResourceResponse>,
            callback: grpc.sendUnaryData<enginePb.SetRootResourceResponse>,
        ) => {
            root = call.request.getUrn();
            callback(null, new enginePb.SetRootResourceResponse());
        },
        requirePulumiVersion: (_call: unknown, callback: grpc.sendUnaryData<enginePb.RequirePulumiVersionResponse>) => {
            callback(null, new enginePb.RequirePulumiVersionResponse());
        },
        startDebugging: (_call: unknown, callback: grpc.sendUnaryData<emptyPb.Empty>) => {
            callback({ code: grpc.status.UNIMPLEMENTED, details: "no debugger in the emulated engine" }, null);
        },
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    return { server, address: `127.0.0.1:${port}` };
}

// Reads the first stdout line; the pack prints its port there once its gRPC server listens.
function readPort(child: ChildProcess, timeoutMs: number, packDir: string, output: () => string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
        let stdout = "";
        const timer = setTimeout(
            () => finish(new PolicyHostError(`policy pack in ${packDir} printed no port within ${timeoutMs} ms`, output())),
            timeoutMs,
        );
        const onData = (chunk: Buffer) => {
            stdout += chunk.toString("utf8");
            const newline = stdout.indexOf("\n");
            if (newline < 0) return;
            const line = stdout.slice(0, newline).trim();
            const port = Number(line);
            if (/^\d+$/.test(line) && port > 0 && port < 65536) finish(undefined, port);
            else finish(new PolicyHostError(`policy pack in ${packDir} printed "${line.slice(0, 200)}" instead of its port`, output()));
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
            // Give stderr a moment to drain so the reader sees the type error or stack.
            setTimeout(
                () =>
                    finish(
                        new PolicyHostError(
                            `policy pack in ${packDir} exited (${signal ?? `code ${code}`}) before printing its port`,
                            output(),
                        ),
                    ),
                50,
            );
        };
        function finish(error: Error | undefined, port?: number) {
            clearTimeout(timer);
            child.stdout!.off("data", onData);
            child.off("exit", onExit);
            if (error) reject(error);
            else resolve(port!);
        }
        child.stdout!.on("data", onData);
        child.once("exit", onExit);
    });
}

// Stops the pack by its PID: SIGTERM, then SIGKILL if it has not exited within 3 s.
async function killChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
        process.kill(child.pid, "SIGTERM");
    } catch {
        return; // already gone
    }
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
            try {
                process.kill(child.pid!, "SIGKILL");
            } catch {
                /* already gone */
            }
            resolve();
        }, 3_000);
    });
    await Promise.race([exited, killed]);
    clearTimeout(timer);
    await exited;
}

// JSON round trip drops undefined, which Struct.fromJavaScript rejects; wire format is plain JSON anyway.
function toStruct(value: Record<string, unknown>): structPb.Struct {
    return structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})));
}

function toOptions(options: EngineResourceOptions): analyzerPb.AnalyzerResourceOptions {
    const o = new analyzerPb.AnalyzerResourceOptions();
    o.setProtect(options.protect ?? false);
    o.setIgnorechangesList(options.ignoreChanges ?? []);
    o.setDeletebeforereplacedefined(options.deleteBeforeReplace !== undefined);
    o.setDeletebeforereplace(options.deleteBeforeReplace ?? false);
    o.setAdditionalsecretoutputsList(options.additionalSecretOutputs ?? []);
    o.setAliasesList(options.aliases ?? []);
    if (options.customTimeouts) {
        const t = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
        t.setCreate(options.customTimeouts.create ?? 0);
        t.setUpdate(options.customTimeouts.update ?? 0);
        t.setDelete(options.customTimeouts.delete ?? 0);
        o.setCustomtimeouts(t);
    }
    o.setParent(options.parent ?? "");
    return o;
}

function toProvider(provider: EngineProvider): analyzerPb.AnalyzerProviderResource {
    const p = new analyzerPb.AnalyzerProviderResource();
    p.setName(provider.name);
    p.setType(provider.type);
    p.setUrn(provider.urn);
    p.setProperties(toStruct(provider.properties));
    return p;
}

// The fields an Analyze request and a stack resource share; both messages get them the same way.
function setCommon<T extends analyzerPb.AnalyzeRequest | analyzerPb.AnalyzerResource>(r: T, resource: EngineResource): T {
    r.setType(resource.type);
    r.setName(resource.name);
    r.setUrn(resource.urn);
    r.setProperties(toStruct(resource.properties));
    r.setOptions(toOptions({ ...resource.options, parent: resource.options.parent ?? resource.parent }));
    if (resource.provider) r.setProvider(toProvider(resource.provider));
    return r;
}

function toAnalyzeRequest(resource: EngineResource): analyzerPb.AnalyzeRequest {
    return setCommon(new analyzerPb.AnalyzeRequest(), resource);
}

function toAnalyzerResource(resource: EngineResource): analyzerPb.AnalyzerResource {
    const r = setCommon(new analyzerPb.AnalyzerResource(), resource);
    r.setParent(resource.parent ?? resource.options.parent ?? "");
    r.setDependenciesList(resource.dependencies ?? []);
    const deps = r.getPropertydependenciesMap();
    for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
        deps.set(key, new analyzerPb.AnalyzerPropertyDependencies().setUrnsList(urns));
    }
    return r;
}

function toConfigureRequest(config: PolicyConfig, defaults: Map<string, EnforcementLevel>): analyzerPb.ConfigureAnalyzerRequest {
    const request = new analyzerPb.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, { enforcementLevel, ...properties }] of Object.entries(config)) {
        const c = new analyzerPb.PolicyConfig();
        c.setEnforcementlevel(LEVEL_CODES[enforcementLevel ?? defaults.get(name) ?? "mandatory"]);
        c.setProperties(toStruct(properties));
        map.set(name, c);
    }
    return request;
}

function toDiagnostic(d: analyzerPb.AnalyzeDiagnostic): PolicyDiagnostic {
    return {
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        policyPackVersion: d.getPolicypackversion(),
        description: d.getDescription(),
        message: d.getMessage(),
        enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "advisory",
        urn: d.getUrn(),
    };
}

function toInfo(info: analyzerPb.AnalyzerInfo): AnalyzerInfoSummary {
    return {
        name: info.getName(),
        version: info.getVersion(),
        supportsConfig: info.getSupportsconfig(),
        policies: info.getPoliciesList().map((p) => {
            const schema = p.getConfigschema()?.getProperties()?.toJavaScript();
            const type = p.getPolicyType();
            return {
                name: p.getName(),
                description: p.getDescription(),
                enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
                kind:
                    type === analyzerPb.PolicyType.POLICY_TYPE_RESOURCE
                        ? "resource"
                        : type === analyzerPb.PolicyType.POLICY_TYPE_STACK
                          ? "stack"
                          : "unknown",
                ...(schema ? { configSchema: schema as Record<string, unknown> } : {}),
            };
        }),
    };
}

/**
 * Turns a recording (every RegisterResource request, see record.ts) into what the engine sends a
 * policy pack: `inputs` for Analyze (before each step), `outputs` for AnalyzeStack (after the
 * preview). Output values become their value (secret-wrapped when secret, unknown when absent),
 * resource references their id (or URN when the id is unknown), internal `__` keys are dropped,
 * alias specs become URNs and custom timeouts seconds — as the engine marshals for analyzers.
 */
export function engineResources(recorded: RecordedResource[], properties: "inputs" | "outputs"): EngineResource[] {
    const byUrn = new Map(recorded.map((r) => [r.urn, r]));
    return recorded.map((r) => {
        const providerUrn = r.provider ? r.provider.slice(0, r.provider.lastIndexOf("::")) : "";
        const provider = providerUrn ? byUrn.get(providerUrn) : undefined;
        const engineProvider: EngineProvider | undefined = provider
            ? { name: provider.name, type: provider.type, urn: provider.urn, properties: analyzerValue(provider.inputs) as Record<string, unknown> }
            : r.custom && !r.type.startsWith("pulumi:providers:")
              ? defaultProvider(r)
              : undefined;
        const timeouts = r.options.customTimeouts;
        return {
            type: r.type,
            name: r.name,
            urn: r.urn,
            properties: analyzerValue(r[properties] ?? {}) as Record<string, unknown>,
            options: {
                protect: r.options.protect ?? false,
                ignoreChanges: r.options.ignoreChanges,
                ...(r.options.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.options.deleteBeforeReplace } : {}),
                additionalSecretOutputs: r.options.additionalSecretOutputs,
                aliases: r.options.aliases.map((a) => aliasUrn(a, r)),
                ...(timeouts
                    ? { customTimeouts: { create: seconds(timeouts.create), update: seconds(timeouts.update), delete: seconds(timeouts.delete) } }
                    : {}),
                ...(r.parent ? { parent: r.parent } : {}),
            },
            ...(r.parent ? { parent: r.parent } : {}),
            ...(engineProvider ? { provider: engineProvider } : {}),
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
            custom: r.custom,
        };
    });
}

// Without an explicit provider the engine uses the package's default provider, named after its version.
function defaultProvider(r: RecordedResource): EngineProvider {
    const type = `pulumi:providers:${r.type.split(":")[0]}`;
    const name = r.options.version ? `default_${r.options.version.replace(/[.+-]/g, "_")}` : "default";
    const m = /^urn:pulumi:(.*?)::(.*?)::/.exec(r.urn);
    return { name, type, urn: `urn:pulumi:${m?.[1] ?? ""}::${m?.[2] ?? ""}::${type}::${name}`, properties: r.options.version ? { version: r.options.version } : {} };
}

// Wire format as a RegisterResource carries it → wire format as an analyzer receives it.
function analyzerValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(analyzerValue);
    if (value === null || typeof value !== "object") return value;
    const obj = value as Record<string, unknown>;
    const sig = obj[SIG_KEY];
    if (sig === OUTPUT_SIG) {
        const inner = "value" in obj ? analyzerValue(obj.value) : UNKNOWN;
        return obj.secret ? { [SIG_KEY]: SECRET_SIG, value: inner } : inner;
    }
    if (sig === RESOURCE_SIG) return typeof obj.id === "string" && obj.id !== "" ? obj.id : obj.urn;
    if (sig === SECRET_SIG) return { [SIG_KEY]: SECRET_SIG, value: analyzerValue(obj.value) };
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(obj)) if (!key.startsWith("__") || key === SIG_KEY) out[key] = analyzerValue(v);
    return out;
}

// An alias spec relative to the resource, resolved to the URN the engine would compute.
function aliasUrn(alias: RecordedAlias, r: RecordedResource): string {
    if ("urn" in alias) return alias.urn;
    const m = /^urn:pulumi:(.*?)::(.*?)::(.*)::(.*)$/.exec(r.urn);
    const [stack, project, qualifiedType, name] = m ? [m[1], m[2], m[3], m[4]] : ["", "", r.type, r.name];
    let parentChain: string | undefined;
    if (alias.parentUrn && !alias.noParent) {
        const p = /^urn:pulumi:.*?::.*?::(.*)::.*$/.exec(alias.parentUrn)?.[1];
        parentChain = p === "pulumi:pulumi:Stack" ? undefined : p;
    } else if (!alias.noParent) {
        const chain = qualifiedType.split("$");
        parentChain = chain.length > 1 ? chain.slice(0, -1).join("$") : undefined;
    }
    const type = alias.type ?? r.type;
    return `urn:pulumi:${alias.stack ?? stack}::${alias.project ?? project}::${parentChain ? `${parentChain}$` : ""}${type}::${alias.name ?? name}`;
}

// Go duration text ("5m", "1h30m", "90s") → seconds; "" → 0.
function seconds(text: string): number {
    let total = 0;
    for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
        total += Number(n) * (unit === "h" ? 3600 : unit === "m" ? 60 : unit === "s" ? 1 : 0.001);
    }
    return total;
}
