import { engineResources, startPolicyPack, type PolicyDiagnostic, type PolicyHost } from "../engine";
import type { RecordedResource } from "../engine/types";
import { packConfig, type PackSettings } from "./pack-config";

/** What the pack said about one planned stack. */
export interface PolicyOutcome {
    /** Pack name, version and number of rules, from GetAnalyzerInfo. */
    pack: { name: string; version: string; rules: number };
    /** Every diagnostic of Analyze (per resource) and AnalyzeStack, sorted by URN, rule and message. */
    diagnostics: PolicyDiagnostic[];
    /** Milliseconds spent in Analyze and AnalyzeStack calls. */
    analyzeMs: number;
}

/**
 * Starts the policy pack and configures every rule with the settings its schema reads: the registry
 * being planned (so the pack judges plans against the registry the program ran on, not the
 * repository's), the stack's shard and pinned keys, and the tenants of a partial plan.
 */
export async function startPlanPack(packDir: string, settings: PackSettings): Promise<PolicyHost> {
    const host = await startPolicyPack({ packDir });
    try {
        const info = await host.getAnalyzerInfo();
        // What the running pack says each rule reads, not this checkout's rules: --policy-pack may name another pack.
        const config = packConfig(settings, info.policies.map((p) => ({ name: p.name, reads: Object.keys(p.configSchema ?? {}) })));
        if (Object.keys(config).length > 0) await host.configure(config);
        return host;
    } catch (error) {
        await host.stop();
        throw error;
    }
}

// Analyze calls in flight at once: the pack answers each on its event loop, so a small window
// hides round-trip latency without piling up work.
const WINDOW = 8;

/**
 * Sends every resource to the pack with Analyze (its inputs, as the engine does before each step)
 * and then the whole stack with AnalyzeStack (its outputs), as a preview with `--policy-pack`
 * does, and collects the diagnostics. The conversion to analyzer requests is the policy host's,
 * shared with the pack's own whole-program tests.
 */
export async function analyzeRecording(host: PolicyHost, resources: RecordedResource[], progress?: (done: number) => void): Promise<PolicyOutcome> {
    const info = await host.getAnalyzerInfo();
    const started = Date.now();
    const goals = engineResources(resources, "inputs");
    const diagnostics: PolicyDiagnostic[] = [];
    let next = 0;
    let done = 0;
    const worker = async () => {
        while (next < goals.length) {
            const resource = goals[next++];
            const found = await host.analyze(resource);
            // The pack names the resource in each diagnostic; fill it in if one ever does not.
            diagnostics.push(...found.map((d) => (d.urn ? d : { ...d, urn: resource.urn })));
            progress?.(++done);
        }
    };
    await Promise.all(Array.from({ length: Math.min(WINDOW, goals.length) }, worker));
    diagnostics.push(...(await host.analyzeStack(engineResources(resources, "outputs"))));
    diagnostics.sort((a, b) => cmp(a.urn, b.urn) || cmp(a.policyName, b.policyName) || cmp(a.message, b.message));
    return { pack: { name: info.name, version: info.version, rules: info.policies.length }, diagnostics: dedupe(diagnostics), analyzeMs: Date.now() - started };
}

function cmp(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

// Sorted input: identical diagnostics are adjacent.
function dedupe(diagnostics: PolicyDiagnostic[]): PolicyDiagnostic[] {
    return diagnostics.filter((d, i) => i === 0 || JSON.stringify(d) !== JSON.stringify(diagnostics[i - 1]));
}
