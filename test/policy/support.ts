import type {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { GuardConfig } from "../../policy/config";

// The pack's server wraps every resource's properties in this proxy, which throws on reading a value
// unknown during preview; the typings do not export it, the module does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(value: T): T };

/** A resource fixture: what a rule sees, before the test harness fills in the engine's fields. */
export interface Fixture {
    /** Pulumi type token. */
    type: string;
    /** Pulumi resource name. */
    name: string;
    /** Properties as the rule reads them. */
    props: Record<string, any>;
    /** URN; derived from parent, type and name when absent. */
    urn: string;
    /** Parent URN. */
    parent?: string;
    /** protect option. */
    protect?: boolean;
    /** Per property, the URNs it depends on (AnalyzeStack only). */
    propertyDependencies?: Record<string, string[]>;
}

/** Builds a fixture with an engine-style URN below `parent` (a fixture or nothing for the stack). */
export function fixture(type: string, name: string, props: Record<string, any>, parent?: Fixture, protect?: boolean): Fixture {
    // URN type chain: parent types joined by "$", as the engine builds it (the stack type is omitted).
    const chain = parent ? `${parent.urn.split("::")[2]}$${type}` : type;
    return { type, name, props, urn: `urn:pulumi:dev::tenancy::${chain}::${name}`, parent: parent?.urn, protect };
}

function options(f: Fixture) {
    return {
        protect: f.protect ?? false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(f.parent ? { parent: f.parent } : {}),
    };
}

// Rules never use isType/asType (they switch on type tokens), so these stand-ins fail loudly.
const unused = () => {
    throw new Error("rules must not call isType/asType");
};

/** Builds the ResourceValidationArgs @pulumi/policy's server builds for one Analyze request. */
export function resourceArgs(f: Fixture, config: Partial<GuardConfig> = {}): ResourceValidationArgs {
    return {
        type: f.type,
        name: f.name,
        urn: f.urn,
        props: unknownCheckingProxy(f.props),
        opts: options(f),
        stackTags: new Map(),
        isType: unused,
        asType: unused,
        getConfig: <T extends object>() => config as unknown as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`notApplicable: ${reason}`);
        },
    };
}

/** Runs a resource rule on one fixture and returns the messages it reported. */
export function runResourceRule(rule: ResourceValidationPolicy, f: Fixture, config?: Partial<GuardConfig>): string[] {
    const messages: string[] = [];
    const validations = Array.isArray(rule.validateResource) ? rule.validateResource : [rule.validateResource!];
    for (const validate of validations) void validate(resourceArgs(f, config), (message: string) => messages.push(message));
    return messages;
}

/** Builds StackValidationArgs the way the pack's AnalyzeStack handler does: parents linked by URN. */
export function stackArgs(fixtures: Fixture[], config: Partial<GuardConfig> = {}): StackValidationArgs {
    const byUrn = new Map<string, PolicyResource>();
    const resources: PolicyResource[] = fixtures.map((f) => {
        const r: PolicyResource = {
            type: f.type,
            name: f.name,
            urn: f.urn,
            props: unknownCheckingProxy(f.props),
            opts: options(f),
            dependencies: [],
            propertyDependencies: {},
            isType: unused,
            asType: unused,
        };
        byUrn.set(f.urn, r);
        return r;
    });
    fixtures.forEach((f, i) => {
        const parent = f.parent ? byUrn.get(f.parent) : undefined;
        if (parent) resources[i].parent = parent;
        for (const [key, urns] of Object.entries(f.propertyDependencies ?? {})) {
            const deps = urns.map((u) => byUrn.get(u)).filter((r): r is PolicyResource => r !== undefined);
            resources[i].propertyDependencies[key] = deps;
            resources[i].dependencies.push(...deps);
        }
    });
    return {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as unknown as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`notApplicable: ${reason}`);
        },
    };
}

/** A violation a stack rule reported. */
export interface Reported {
    /** The rule's message. */
    message: string;
    /** URN it named. */
    urn?: string;
}

/** Runs a stack rule over fixtures and returns what it reported. */
export async function runStackRule(rule: StackValidationPolicy, fixtures: Fixture[], config?: Partial<GuardConfig>): Promise<Reported[]> {
    const reported: Reported[] = [];
    await rule.validateStack(stackArgs(fixtures, config), (message: string, urn?: string) => reported.push({ message, urn }));
    return reported;
}

/** Deep copy, so a test can change one field of a shared fixture. */
export function clone<T>(value: T): T {
    return structuredClone(value);
}

/** The fixture as the engine sends it over the Analyzer protocol (parent in options and on the resource). */
export function toEngine(f: Fixture): import("../../cli/engine").EngineResource {
    return {
        type: f.type,
        name: f.name,
        urn: f.urn,
        properties: f.props,
        options: { protect: f.protect ?? false, ...(f.parent ? { parent: f.parent } : {}) },
        ...(f.parent ? { parent: f.parent } : {}),
        ...(f.propertyDependencies ? { propertyDependencies: f.propertyDependencies, dependencies: Object.values(f.propertyDependencies).flat() } : {}),
        custom: !f.type.startsWith("tenancy:"),
    };
}

/** A violation of the whole pack: the rule and its message (and URN for stack rules). */
export interface PackFinding {
    /** Rule name. */
    rule: string;
    /** Message. */
    message: string;
}

/**
 * Runs every rule of the pack over a stack as the engine does (each resource rule on each
 * resource, each stack rule on all of them), in process; `rules` defaults to the whole pack.
 */
export async function runPack(
    fixtures: Fixture[],
    config: Partial<GuardConfig>,
    rules: (ResourceValidationPolicy | StackValidationPolicy)[],
): Promise<PackFinding[]> {
    const out: PackFinding[] = [];
    for (const rule of rules) {
        if ("validateStack" in rule) {
            for (const r of await runStackRule(rule, fixtures, config)) out.push({ rule: rule.name, message: r.message });
        } else {
            for (const f of fixtures) for (const message of runResourceRule(rule, f, config)) out.push({ rule: rule.name, message });
        }
    }
    return out;
}
