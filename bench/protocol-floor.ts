// The protocol floor of `npm run bench`: what analyzing a plan's recording costs the real plugin
// process (`run-policy-pack`, @pulumi/policy's gRPC server) and the engine's side of the protocol
// when no rule does anything (protocol-floor-pack/). With the raw registration of the same
// recording, it bounds from below the CPU of any plan that records with the SDK and analyzes with
// the real pack, whatever its components, rules and own work cost.
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as path from "node:path";
import { startPolicyPack, type RecordedResource } from "../cli/engine";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "../cli/engine/analyzer-wire";
import { engineResource, engineResources } from "../cli/engine/engine-resources";
import { processCpuMs } from "./rss";

/** The pack of rules that do nothing. */
export const PROTOCOL_FLOOR_PACK = path.join(__dirname, "protocol-floor-pack");

/** What analyzing a recording at the protocol floor took. */
export interface ProtocolAnalysis {
    /** Wall time from the first request encoded to the last answer. */
    ms: number;
    /** The pack process's CPU time meanwhile (its start not counted). */
    packCpuMs: number;
    /** This process's CPU time turning the recording into encoded requests (the plan's own encoder). */
    encodeCpuMs: number;
    /** This process's CPU time sending them and reading the answers (grpc-js). */
    callsCpuMs: number;
}

// As many Analyze calls in flight as the plan keeps (cli/plan/policy.ts).
const WINDOW = 8;
const TIMEOUT_MS = 300_000;
// As the plan's client: a whole stack travels in one AnalyzeStack message.
const MAX_MESSAGE = 400 * 1024 * 1024;

/**
 * Runs `work` with V8's own heap growth for the processes it starts: it costs less CPU than the
 * plan's bounded growth (heapGrowingFlag), and a lower bound must not hold what a plan could trade
 * for memory.
 */
export async function withV8HeapGrowth<T>(work: () => Promise<T>): Promise<T> {
    const growing = process.env.TENANCY_HEAP_GROWING_PERCENT;
    process.env.TENANCY_HEAP_GROWING_PERCENT = "0";
    try {
        return await work();
    } finally {
        if (growing === undefined) delete process.env.TENANCY_HEAP_GROWING_PERCENT;
        else process.env.TENANCY_HEAP_GROWING_PERCENT = growing;
    }
}

/**
 * Every resource of the recording (in its order) with Analyze, WINDOW at a time, then all of them
 * with one AnalyzeStack, as a plan of one pass sends them (in shards, a plan sends each resource to
 * AnalyzeStack once or twice); throws if the pack reports anything.
 */
export async function analyzeAtProtocolFloor(resources: readonly RecordedResource[]): Promise<ProtocolAnalysis> {
    const host = await withV8HeapGrowth(() => startPolicyPack({ packDir: PROTOCOL_FLOOR_PACK }));
    const client = new grpc.Client(`127.0.0.1:${host.port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": MAX_MESSAGE,
        "grpc.max_send_message_length": MAX_MESSAGE,
    });
    try {
        const started = Date.now();
        const packBefore = processCpuMs(host.pid);
        let before = process.cpuUsage();
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const requests = resources.map((r) => encodeAnalyzeRequest(engineResource(r, byUrn, "inputs")));
        const stack = encodeAnalyzeStackRequest(engineResources([...resources], "outputs"));
        const encodeCpuMs = cpuMsSince(before);
        before = process.cpuUsage();
        let next = 0;
        const lane = async () => {
            while (next < requests.length) await call(client, "analyze", requests[next++]);
        };
        await Promise.all(Array.from({ length: WINDOW }, lane));
        await call(client, "analyzeStack", stack);
        const callsCpuMs = cpuMsSince(before);
        return { ms: Date.now() - started, packCpuMs: processCpuMs(host.pid) - packBefore, encodeCpuMs, callsCpuMs };
    } finally {
        client.close();
        await host.stop();
    }
}

function cpuMsSince(before: NodeJS.CpuUsage): number {
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
}

const SERVICE = analyzerRpc.AnalyzerService as unknown as Record<"analyze" | "analyzeStack", { path: string }>;

function call(client: grpc.Client, method: "analyze" | "analyzeStack", request: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
        const deadline = new Date(Date.now() + TIMEOUT_MS);
        client.makeUnaryRequest(
            SERVICE[method].path,
            (bytes: Buffer) => bytes,
            (bytes: Buffer) => analyzerPb.AnalyzeResponse.deserializeBinary(new Uint8Array(bytes)),
            request,
            new grpc.Metadata(),
            { deadline },
            (error, response) => {
                if (error) reject(new Error(`protocol floor: ${method} failed: ${error.details || error.message}`));
                else if (response!.getDiagnosticsList().length > 0) reject(new Error(`protocol floor: the pack of rules that do nothing reported ${response!.getDiagnosticsList()[0].getMessage()}`));
                else resolve();
            },
        );
    });
}
