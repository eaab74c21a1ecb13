// The protocol floor of `npm run bench`: what analyzing a plan's recording costs the real plugin
// process (`run-policy-pack`, @pulumi/policy's gRPC server) and the engine's side of the protocol
// when no rule does anything (protocol-floor-pack/). With the raw registration of the same
// recording, it bounds from below the CPU of any plan that records with the SDK and analyzes with
// the real pack, whatever its components, rules and own work cost.
import * as path from "node:path";
import { startPolicyPack, type RecordedResource } from "../cli/engine";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "../cli/engine/analyzer-wire";
import { engineResource, engineResources } from "../cli/engine/engine-resources";
import { analyzeRecording } from "../cli/plan/policy";
import { processCpuMs } from "./rss";

/** The pack of rules that do nothing. */
export const PROTOCOL_FLOOR_PACK = path.join(__dirname, "protocol-floor-pack");

/** What analyzing a recording at the protocol floor took. */
export interface ProtocolAnalysis {
    /** Wall time of the analysis. */
    ms: number;
    /** The pack process's CPU time meanwhile (its start not counted). */
    packCpuMs: number;
    /** This process's CPU time turning the recording into encoded requests (the plan's own encoder), measured on its own. */
    encodeCpuMs: number;
    /** This process's CPU time during the analysis less encodeCpuMs: sending the requests and reading the answers (grpc-js). */
    callsCpuMs: number;
}

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
 * Every resource of the recording with Analyze, then all of them with one AnalyzeStack, as the plan's
 * client sends a plan of one pass (analyzeRecording; in shards, a plan sends each resource to
 * AnalyzeStack once or twice); throws if the pack reports anything. The requests are encoded once
 * beforehand on their own, so that the encoding's CPU can be told from the calls'.
 */
export async function analyzeAtProtocolFloor(resources: RecordedResource[]): Promise<ProtocolAnalysis> {
    let before = process.cpuUsage();
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const r of resources) encodeAnalyzeRequest(engineResource(r, byUrn, "inputs"));
    encodeAnalyzeStackRequest(engineResources(resources, "outputs"));
    const encodeCpuMs = cpuMsSince(before);
    const host = await withV8HeapGrowth(() => startPolicyPack({ packDir: PROTOCOL_FLOOR_PACK }));
    try {
        const started = Date.now();
        const packBefore = processCpuMs(host.pid);
        before = process.cpuUsage();
        const outcome = await analyzeRecording(host, resources);
        const clientCpuMs = cpuMsSince(before);
        if (outcome.diagnostics.length > 0) throw new Error(`protocol floor: the pack of rules that do nothing reported ${outcome.diagnostics[0].message}`);
        return { ms: Date.now() - started, packCpuMs: processCpuMs(host.pid) - packBefore, encodeCpuMs, callsCpuMs: clientCpuMs - encodeCpuMs };
    } finally {
        await host.stop();
    }
}

function cpuMsSince(before: NodeJS.CpuUsage): number {
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
}
