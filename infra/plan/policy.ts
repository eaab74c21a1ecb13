import { engineUrn } from "../engine/monitor";
import type { RecordedAlias, RecordedResource } from "../engine/types";
import type { EngineProvider, EngineResource, PolicyDiagnostic, PolicyHost } from "../engine/policy-host";

/** What the pack said about one planned stack. */
export interface PolicyOutcome {
    /** Pack name and version from GetAnalyzerInfo. */
    pack: { name: string; version: string; rules: number };
    /** Every diagnostic of Analyze (per resource) and AnalyzeStack, sorted by URN, rule and message. */
    diagnostics: PolicyDiagnostic[];
    /** Milliseconds spent in Analyze and AnalyzeStack calls. */
    analyzeMs: number;
}

// Analyze calls in flight at once: the pack answers each on its event loop, so a small window
// hides round-trip latency without piling up work.
const WINDOW = 8;

/**
 * Sends every resource to the pack with Analyze (its inputs, as the engine does before each step)
 * and then the whole stack with AnalyzeStack (its outputs), exactly as a preview with
 * `--policy-pack` does, and collects the diagnostics.
 */
export async function analyzeRecording(host: PolicyHost, resources: RecordedResource[], project: string, stack: string): Promise<PolicyOutcome> {
    const info = await host.getAnalyzerInfo();
    const started = Date.now();
    const providers = new Map(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
    const engineResources = resources.map((r) => toEngineResource(r, providers, project, stack));
    const diagnostics: PolicyDiagnostic[] = [];
    let next = 0;
    const worker = async () => {
        while (next < engineResources.length) {
            const index = next++;
            const resource = engineResources[index];
            // Analyze sees inputs (the goal state); AnalyzeStack below sees outputs.
            const found = await host.analyze({ ...resource, properties: resources[index].inputs });
            // The pack names the resource in each diagnostic; fill it in if one ever does not.
            diagnostics.push(...found.map((d) => (d.urn ? d : { ...d, urn: resource.urn })));
        }
    };
    await Promise.all(Array.from({ length: Math.min(WINDOW, engineResources.length) }, worker));
    diagnostics.push(...(await host.analyzeStack(engineResources)));
    diagnostics.sort((a, b) => cmp(a.urn, b.urn) || cmp(a.policyName, b.policyName) || cmp(a.message, b.message));
    return { pack: { name: info.name, version: info.version, rules: info.policies.length }, diagnostics: dedupe(diagnostics), analyzeMs: Date.now() - started };
}

function cmp(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function dedupe(diagnostics: PolicyDiagnostic[]): PolicyDiagnostic[] {
    return diagnostics.filter((d, i) => i === 0 || JSON.stringify(d) !== JSON.stringify(diagnostics[i - 1]));
}

/** The resource as the engine describes it to an analyzer; properties are its outputs (AnalyzeStack). */
export function toEngineResource(r: RecordedResource, providers: Map<string, RecordedResource>, project: string, stack: string): EngineResource {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        properties: r.outputs,
        options: {
            ...(r.options.protect !== undefined ? { protect: r.options.protect } : {}),
            ignoreChanges: r.options.ignoreChanges,
            ...(r.options.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.options.deleteBeforeReplace } : {}),
            additionalSecretOutputs: r.options.additionalSecretOutputs,
            aliases: r.options.aliases.map((a) => aliasUrn(a, r, project, stack)),
            ...(r.options.customTimeouts ? { customTimeouts: timeoutsInSeconds(r.options.customTimeouts) } : {}),
            parent: r.parent,
        },
        parent: r.parent,
        provider: r.custom && !r.type.startsWith("pulumi:providers:") ? providerOf(r, providers, project, stack) : undefined,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        custom: r.custom,
    };
}

// The engine resolves alias specs to URNs before showing them to analyzers.
function aliasUrn(alias: RecordedAlias, r: RecordedResource, project: string, stack: string): string {
    if ("urn" in alias) return alias.urn;
    const parent = alias.noParent ? "" : alias.parentUrn ?? r.parent;
    return engineUrn(alias.stack ?? stack, alias.project ?? project, parent, alias.type ?? r.type, alias.name ?? r.name);
}

function providerOf(r: RecordedResource, providers: Map<string, RecordedResource>, project: string, stack: string): EngineProvider {
    if (r.provider) {
        const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
        const provider = providers.get(urn);
        if (provider) return { name: provider.name, type: provider.type, urn, properties: provider.inputs };
    }
    // No explicit provider: the engine uses the package's default provider, named after its version.
    const pkg = r.type.split(":")[0];
    const name = r.options.version ? `default_${r.options.version.replace(/[.+-]/g, "_")}` : "default";
    const type = `pulumi:providers:${pkg}`;
    return { name, type, urn: engineUrn(stack, project, "", type, name), properties: r.options.version ? { version: r.options.version } : {} };
}

function timeoutsInSeconds(t: { create: string; update: string; delete: string }) {
    return { create: seconds(t.create), update: seconds(t.update), delete: seconds(t.delete) };
}

// Go duration strings as the SDK sends them ("5m", "1h30m", "90s").
function seconds(text: string): number {
    let total = 0;
    for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms)/g)) {
        total += Number(n) * ({ h: 3600, m: 60, s: 1, ms: 0.001 } as Record<string, number>)[unit];
    }
    return total;
}
