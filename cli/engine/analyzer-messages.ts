// Plain data ↔ the Analyzer protocol's protobuf messages, both directions.
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as structPb from "google-protobuf/google/protobuf/struct_pb";
import type { RuleConfigEntry } from "./analyzer-wire";
import type { AnalyzerInfoSummary, EnforcementLevel, EngineProvider, EngineResource, EngineResourceOptions, PolicyConfig, PolicyDiagnostic } from "./analyzer-types";

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

/** An Analyze request for one resource (its inputs). */
export function toAnalyzeRequest(resource: EngineResource): analyzerPb.AnalyzeRequest {
    return setCommon(new analyzerPb.AnalyzeRequest(), resource);
}

/** A resource of an AnalyzeStack request (its outputs). */
export function toAnalyzerResource(resource: EngineResource): analyzerPb.AnalyzerResource {
    const r = setCommon(new analyzerPb.AnalyzerResource(), resource);
    r.setParent(resource.parent ?? resource.options.parent ?? "");
    r.setDependenciesList(resource.dependencies ?? []);
    const deps = r.getPropertydependenciesMap();
    for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
        deps.set(key, new analyzerPb.AnalyzerPropertyDependencies().setUrnsList(urns));
    }
    return r;
}

/** Each rule's level (its protocol number) and properties for a Configure request; a rule without a level gets its default from `defaults`. */
export function configureEntries(config: PolicyConfig, defaults: Map<string, EnforcementLevel>): RuleConfigEntry[] {
    return Object.entries(config).map(([name, { enforcementLevel, ...properties }]) => ({
        name,
        level: LEVEL_CODES[enforcementLevel ?? defaults.get(name) ?? "mandatory"],
        properties,
    }));
}

/** A Configure request as google-protobuf's message (the policy host sends encodeConfigureRequest's bytes of the same). */
export function toConfigureRequest(config: PolicyConfig, defaults: Map<string, EnforcementLevel>): analyzerPb.ConfigureAnalyzerRequest {
    const request = new analyzerPb.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const { name, level, properties } of configureEntries(config, defaults)) {
        const c = new analyzerPb.PolicyConfig();
        c.setEnforcementlevel(level);
        c.setProperties(toStruct(properties));
        map.set(name, c);
    }
    return request;
}

/** A diagnostic as plain data. */
export function toDiagnostic(d: analyzerPb.AnalyzeDiagnostic): PolicyDiagnostic {
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

/** GetAnalyzerInfo's answer as plain data. */
export function toInfo(info: analyzerPb.AnalyzerInfo): AnalyzerInfoSummary {
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
