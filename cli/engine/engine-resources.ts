// A recording of RegisterResource requests → the resources the engine would send a policy pack.
import type { EngineProvider, EngineResource } from "./analyzer-types";
import type { RecordedAlias, RecordedResource } from "./types";
import { OUTPUT_SIG, RESOURCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN } from "./wire";

/**
 * Turns a recording (every RegisterResource request, see record.ts) into what the engine sends a
 * policy pack: `inputs` for Analyze (before each step), `outputs` for AnalyzeStack (after the
 * preview). Output values become their value (secret-wrapped when secret, unknown when absent),
 * resource references their id (or URN when the id is unknown), internal `__` keys are dropped,
 * alias specs become URNs and custom timeouts seconds — as the engine marshals for analyzers.
 */
export function engineResources(recorded: RecordedResource[], properties: "inputs" | "outputs"): EngineResource[] {
    const byUrn = new Map(recorded.map((r) => [r.urn, r]));
    return recorded.map((r) => engineResource(r, byUrn, properties));
}

/** One resource of engineResources; `byUrn` must hold its provider (registered before it). */
export function engineResource(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>, properties: "inputs" | "outputs"): EngineResource {
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
