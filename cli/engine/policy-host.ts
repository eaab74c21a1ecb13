// Starts a policy pack and speaks the Analyzer protocol to it, as the Pulumi engine does.
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import * as fs from "node:fs";
import * as path from "node:path";
import { configureEntries, toDiagnostic, toInfo } from "./analyzer-messages";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest, encodeConfigureRequest } from "./analyzer-wire";
import { PolicyHostError, type EnforcementLevel, type EngineLog, type PolicyHost, type StartOptions } from "./analyzer-types";
import { startEngine } from "./engine-service";
import { killChild, readPort, spawnPack } from "./pack-process";

// Same limit as the pack's server: whole stacks travel in one AnalyzeStack message.
const MAX_MESSAGE = 400 * 1024 * 1024;

/**
 * Starts a policy pack the way the Pulumi CLI starts a TypeScript pack — `node run-policy-pack
 * <engine-address> <pack-dir>` in the pack's directory — with an emulated Engine service as the
 * log sink, waits (bounded) for the port it prints, and returns an Analyzer client. A preloaded
 * watchdog ends the pack if this process dies without calling stop().
 */
export async function startPolicyPack(options: StartOptions): Promise<PolicyHost> {
    // Its start and every call are bounded. On a busy machine (CI runners, shared hosts) a pack's start
    // took over 60 s, and a plan in shards starts one pack per core at once.
    const timeoutMs = options.timeoutMs ?? (Number(process.env.TENANCY_PACK_TIMEOUT_MS) || 300_000);
    const packDir = path.resolve(options.packDir);
    for (const file of ["PulumiPolicy.yaml", "package.json"]) {
        if (!fs.existsSync(path.join(packDir, file))) {
            throw new PolicyHostError(`${packDir} is not a policy pack: ${file} is missing`, "");
        }
    }
    const logs: EngineLog[] = [];
    const engine = await startEngine(logs);
    const started = Date.now();
    let pack;
    try {
        pack = spawnPack(packDir, engine.address, options.env);
    } catch (error) {
        engine.server.forceShutdown();
        throw error;
    }
    const { child, exited } = pack;
    if (child.pid !== undefined) options.onSpawned?.(child.pid);
    const output = () => [pack.stderr(), ...logs.filter((l) => l.severity !== "debug").map((l) => `${l.severity}: ${l.message}`)].join("\n");

    let port: number;
    try {
        port = await readPort(child, timeoutMs, packDir, output);
    } catch (error) {
        await killChild(child, exited);
        engine.server.forceShutdown();
        throw error;
    }
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": MAX_MESSAGE,
        "grpc.max_send_message_length": MAX_MESSAGE,
    });
    const stop = async () => {
        client.close();
        await killChild(child, exited);
        await new Promise<void>((resolve) => engine.server.tryShutdown(() => resolve()));
    };
    const host = analyzerHost(boundedCaller(client, timeoutMs, output), boundedEncodedCaller(client, timeoutMs, output), stop, {
        pid: child.pid!,
        port,
        engineAddress: engine.address,
        startMs: Date.now() - started,
        logs,
    });
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

/** One Analyzer RPC: a method name and its request, resolving with the response. */
type Caller = <Req, Res>(method: string, request: Req) => Promise<Res>;

/** One Analyzer RPC whose request is already encoded (see analyzer-wire.ts): Analyze, AnalyzeStack or Configure. */
type EncodedCaller = <M extends keyof EncodedResponses>(method: M, request: Buffer) => Promise<EncodedResponses[M]>;

/** What each RPC that takes an encoded request answers. */
interface EncodedResponses {
    analyze: analyzerPb.AnalyzeResponse;
    analyzeStack: analyzerPb.AnalyzeResponse;
    configure: emptyPb.Empty;
}

// Every call is bounded by a deadline and fails with the pack's output attached.
function boundedCaller(client: analyzerRpc.AnalyzerClient, timeoutMs: number, output: () => string): Caller {
    return <Req, Res>(method: string, request: Req) =>
        new Promise<Res>((resolve, reject) => {
            const deadline = new Date(Date.now() + timeoutMs);
            const fn = (client as unknown as Record<string, Function>)[method].bind(client);
            fn(request, new grpc.Metadata(), { deadline }, settle(method, timeoutMs, output, resolve, reject));
        });
}

// The same for requests encoded here: the service's own method paths and response decoders.
function boundedEncodedCaller(client: analyzerRpc.AnalyzerClient, timeoutMs: number, output: () => string): EncodedCaller {
    const service = analyzerRpc.AnalyzerService as unknown as Record<string, { path: string }>;
    const decoders: { [M in keyof EncodedResponses]: (bytes: Buffer) => EncodedResponses[M] } = {
        analyze: (bytes) => analyzerPb.AnalyzeResponse.deserializeBinary(new Uint8Array(bytes)),
        analyzeStack: (bytes) => analyzerPb.AnalyzeResponse.deserializeBinary(new Uint8Array(bytes)),
        configure: (bytes) => emptyPb.Empty.deserializeBinary(new Uint8Array(bytes)),
    };
    return (method, request) =>
        new Promise((resolve, reject) => {
            const deadline = new Date(Date.now() + timeoutMs);
            client.makeUnaryRequest(service[method].path, (bytes: Buffer) => bytes, decoders[method], request, new grpc.Metadata(), { deadline }, settle(method, timeoutMs, output, resolve, reject));
        });
}

function settle<Res>(method: string, timeoutMs: number, output: () => string, resolve: (response: Res) => void, reject: (error: Error) => void) {
    return (error: grpc.ServiceError | null, response?: Res) => {
        if (error) {
            const what = error.code === grpc.status.DEADLINE_EXCEEDED ? `timed out after ${timeoutMs} ms` : error.details || error.message;
            reject(new PolicyHostError(`policy pack ${method} failed: ${what}`, output()));
        } else resolve(response as Res);
    };
}

// The Analyzer methods the engine calls, as plain data in and out.
function analyzerHost(call: Caller, callEncoded: EncodedCaller, stop: () => Promise<void>, facts: Pick<PolicyHost, "pid" | "port" | "engineAddress" | "startMs" | "logs">): PolicyHost {
    const host: PolicyHost = {
        ...facts,
        async getAnalyzerInfo() {
            return toInfo(await call<emptyPb.Empty, analyzerPb.AnalyzerInfo>("getAnalyzerInfo", new emptyPb.Empty()));
        },
        async getPluginVersion() {
            return (await call<emptyPb.Empty, pluginPb.PluginInfo>("getPluginInfo", new emptyPb.Empty())).getVersion();
        },
        async configure(config) {
            // The protocol always carries a level; like the CLI, fill a missing one with the rule's default.
            const defaults = new Map<string, EnforcementLevel>();
            if (Object.values(config).some((c) => c.enforcementLevel === undefined)) {
                for (const p of (await host.getAnalyzerInfo()).policies) defaults.set(p.name, p.enforcementLevel);
            }
            await callEncoded("configure", encodeConfigureRequest(configureEntries(config, defaults)));
        },
        async analyze(resource) {
            const response = await callEncoded("analyze", encodeAnalyzeRequest(resource));
            return response.getDiagnosticsList().map(toDiagnostic);
        },
        async analyzeStack(resources) {
            const response = await callEncoded("analyzeStack", encodeAnalyzeStackRequest(resources));
            return response.getDiagnosticsList().map(toDiagnostic);
        },
        stop,
    };
    return host;
}
