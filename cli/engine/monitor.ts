import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import type * as aliasproto from "@pulumi/pulumi/proto/alias_pb";
import { derivedBytes } from "./plan-key";
import type { RecordedAlias, RecordedOptions, RecordedResource } from "./types";
import { secret } from "./wire";

type Callback<T> = (error: Error | null, response?: T) => void;
type Obj = Record<string, unknown>;

/** Type token of the root stack resource; the engine leaves it out of child URNs. */
export const STACK_TYPE = "pulumi:pulumi:Stack";

// Features the emulated engine implements. Transforms and hooks need the engine to call back into
// the program over a callback server, which this monitor does not run; outputValues stays off as
// in the SDK's own MockMonitor so inputs arrive as plain values.
const FEATURES: Record<string, boolean> = {
    secrets: true,
    resourceReferences: true,
    outputValues: false,
    deletedWith: true,
    replaceWith: true,
    aliasSpecs: true,
    transforms: false,
    invokeTransforms: false,
    parameterization: true,
    resourceHooks: false,
    errorHooks: false,
};

/** An error with a gRPC status code, as a real monitor returns. */
function rpcError(code: number, message: string): Error {
    return Object.assign(new Error(message), { code, details: message });
}
const UNIMPLEMENTED = 12;
const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;

/** Computes a resource's URN as the engine does: parent's qualified type chain, minus the stack's. */
export function engineUrn(stack: string, project: string, parent: string, type: string, name: string): string {
    let qualified = type;
    if (parent) {
        const parentType = parent.split("::")[2] ?? "";
        if (parentType && parentType !== STACK_TYPE) qualified = `${parentType}$${type}`;
    }
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/**
 * A resource monitor that records every request the Pulumi runtime sends and answers like the
 * engine would in a preview: components get an URN and custom resources echo their inputs as
 * outputs. Whatever only a provider computes for a new resource (the random provider's bytes, an
 * id) is left out, which the SDK reads as unknown during a preview, as it reads the engine's
 * unknowns; Kubernetes auto-names, which the provider picks at check time, are derived from a machine key.
 */
/** What a recording monitor reports as it goes: a new registration, or a component's (or the stack's) outputs. */
export type RecordEvent = { kind: "resource"; resource: RecordedResource } | { kind: "outputs"; urn: string; outputs: Record<string, unknown> };

/** Orders registrations as a recording does: the stack first, then depth-first, siblings sorted by URN. */
export function treeOrder(resources: Iterable<RecordedResource>): RecordedResource[] {
    const all = [...resources];
    const children = new Map<string, RecordedResource[]>();
    for (const resource of all) {
        const siblings = children.get(resource.parent) ?? [];
        siblings.push(resource);
        children.set(resource.parent, siblings);
    }
    const ordered: RecordedResource[] = [];
    // Iterative so that deep trees cannot overflow the stack.
    const pending = [...(children.get("") ?? [])].sort(byUrnDescending);
    while (pending.length > 0) {
        const next = pending.pop()!;
        ordered.push(next);
        pending.push(...[...(children.get(next.urn) ?? [])].sort(byUrnDescending));
    }
    // Resources whose parent was never registered still appear, sorted, at the end.
    const seen = new Set(ordered.map((r) => r.urn));
    const orphans = all.filter((r) => !seen.has(r.urn)).sort((a, b) => (a.urn < b.urn ? -1 : 1));
    return [...ordered, ...orphans];
}

export class RecordingMonitor {
    private readonly resources = new Map<string, RecordedResource>();

    /** `onEvent` hears of every registration (and outputs) as it is recorded, so a caller can stream them. */
    constructor(private readonly options: { key: Buffer; preview: boolean; stack?: string; project?: string; onEvent?: (event: RecordEvent) => void }) {}

    /** Every registration so far: the stack first, then depth-first, siblings sorted by URN. */
    recorded(): RecordedResource[] {
        return treeOrder(this.resources.values());
    }

    /** RegisterResource: records the full request and answers with emulated state. */
    registerResource(req: resproto.RegisterResourceRequest, callback: Callback<resproto.RegisterResourceResponse>): void {
        this.answer(callback, () => {
            const record = this.record(req);
            const response = new resproto.RegisterResourceResponse();
            response.setUrn(record.urn);
            response.setId(record.id);
            // A preview of a create echoes the inputs: when emulation changed nothing, the request's own
            // Struct is the answer (the SDK only reads it), instead of the same data converted back.
            const request = req.getObject();
            const echoed = request !== undefined && record.custom && record.emulated.length === 0 && !record.options.additionalSecretOutputs.some((k) => k in record.inputs);
            response.setObject(echoed ? request : structproto.Struct.fromJavaScript(record.outputs as Record<string, structproto.JavaScriptValue>));
            return response;
        });
    }

    /** RegisterResourceOutputs: stores a component's (or the stack's) outputs. */
    registerResourceOutputs(req: resproto.RegisterResourceOutputsRequest, callback: Callback<object>): void {
        this.answer(callback, () => {
            const resource = this.resources.get(req.getUrn());
            if (!resource) throw rpcError(NOT_FOUND, `unknown resource ${req.getUrn()}`);
            resource.outputs = (req.getOutputs()?.toJavaScript() ?? {}) as Obj;
            this.options.onEvent?.({ kind: "outputs", urn: resource.urn, outputs: resource.outputs });
            return {};
        });
    }

    /** ReadResource: recorded as a read of an existing object; the inputs are echoed as its state. */
    readResource(req: resproto.ReadResourceRequest, callback: Callback<resproto.ReadResourceResponse>): void {
        this.answer(callback, () => {
            const urn = this.urnOf(req.getParent(), req.getType(), req.getName());
            if (this.resources.has(urn)) throw rpcError(ALREADY_EXISTS, `Duplicate resource URN '${urn}'; try giving it a unique name`);
            const inputs = (req.getProperties()?.toJavaScript() ?? {}) as Obj;
            const record: RecordedResource = {
                urn, type: req.getType(), name: req.getName(), custom: true, parent: req.getParent(), provider: req.getProvider(),
                inputs, outputs: inputs, emulated: [], id: req.getId(), dependencies: [...req.getDependenciesList()].sort(),
                propertyDependencies: {}, options: emptyOptions(req.getAdditionalsecretoutputsList()), read: true,
            };
            this.resources.set(urn, record);
            this.options.onEvent?.({ kind: "resource", resource: record });
            const response = new resproto.ReadResourceResponse();
            response.setUrn(urn);
            response.setProperties(structproto.Struct.fromJavaScript(inputs as Record<string, structproto.JavaScriptValue>));
            return response;
        });
    }

    /** Invoke: only `pulumi:pulumi:getResource` is emulated; provider functions would need the provider. */
    invoke(req: { getTok(): string; getArgs(): structproto.Struct | undefined }, callback: Callback<unknown>): void {
        this.answer(callback, () => {
            const tok = req.getTok();
            if (tok !== "pulumi:pulumi:getResource") {
                throw rpcError(UNIMPLEMENTED, `tenancy plan does not emulate provider function ${tok}; the program must not depend on it`);
            }
            const args = (req.getArgs()?.toJavaScript() ?? {}) as { urn?: string };
            const resource = args.urn ? this.resources.get(args.urn) : undefined;
            if (!resource) throw rpcError(NOT_FOUND, `unknown resource ${args.urn}`);
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const provproto = require("@pulumi/pulumi/proto/provider_pb");
            const response = new provproto.InvokeResponse();
            response.setReturn(structproto.Struct.fromJavaScript({ urn: resource.urn, id: resource.id, state: resource.outputs } as Record<string, structproto.JavaScriptValue>));
            return response;
        });
    }

    /** Call (methods of remote components): not emulated. */
    call(req: { getTok(): string }, callback: Callback<unknown>): void {
        callback(rpcError(UNIMPLEMENTED, `tenancy plan does not emulate method call ${req.getTok()}`));
    }

    /** SupportsFeature: answers from the feature table above. */
    supportsFeature(req: resproto.SupportsFeatureRequest, callback: Callback<{ getHassupport(): boolean }>): void {
        const supported = FEATURES[req.getId()] ?? false;
        setImmediate(() => callback(null, { getHassupport: () => supported }));
    }

    /** RegisterPackage: a stable reference per package name and version. */
    registerPackage(req: resproto.RegisterPackageRequest, callback: Callback<resproto.RegisterPackageResponse>): void {
        const response = new resproto.RegisterPackageResponse();
        response.setRef(`${req.getName()}@${req.getVersion()}`);
        setImmediate(() => callback(null, response));
    }

    /** Stack transforms need the callback server; refused as unimplemented. */
    registerStackTransform(_req: unknown, callback: Callback<unknown>): void {
        callback(rpcError(UNIMPLEMENTED, "tenancy plan does not support stack transforms"));
    }

    /** Invoke transforms need the callback server; refused as unimplemented. */
    registerStackInvokeTransform(_req: unknown, callback: Callback<unknown>): void {
        callback(rpcError(UNIMPLEMENTED, "tenancy plan does not support invoke transforms"));
    }

    /** Resource hooks need the callback server; refused as unimplemented. */
    registerResourceHook(_req: unknown, callback: Callback<unknown>): void {
        callback(rpcError(UNIMPLEMENTED, "tenancy plan does not support resource hooks"));
    }

    /** Error hooks need the callback server; refused as unimplemented. */
    registerErrorHook(_req: unknown, callback: Callback<unknown>): void {
        callback(rpcError(UNIMPLEMENTED, "tenancy plan does not support error hooks"));
    }

    /** The program finished; nothing to wait for. */
    signalAndWaitForShutdown(_req: unknown, callback: Callback<object>): void {
        setImmediate(() => callback(null, {}));
    }

    private answer<T>(callback: Callback<T>, produce: () => T): void {
        // Answer asynchronously, as a real monitor does, so the program sees normal ordering.
        setImmediate(() => {
            let response: T;
            try {
                response = produce();
            } catch (error) {
                callback(error as Error);
                return;
            }
            callback(null, response);
        });
    }

    private urnOf(parent: string, type: string, name: string): string {
        // The runtime's settings hold the project and stack the program runs as.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const settings = require("@pulumi/pulumi/runtime/settings");
        return engineUrn(this.options.stack ?? settings.getStack(), this.options.project ?? settings.getProject(), parent, type, name);
    }

    private record(req: resproto.RegisterResourceRequest): RecordedResource {
        const type = req.getType();
        const name = req.getName();
        const urn = this.urnOf(req.getParent(), type, name);
        if (this.resources.has(urn)) {
            throw rpcError(ALREADY_EXISTS, `Duplicate resource URN '${urn}'; try giving it a unique name`);
        }
        const inputs = (req.getObject()?.toJavaScript() ?? {}) as Obj;
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
            propertyDependencies[key] = [...new Set(deps.getUrnsList())].sort();
        });
        const options = optionsOf(req);
        const state = this.emulate(req.getCustom(), type, name, urn, inputs, options.additionalSecretOutputs);
        const record: RecordedResource = {
            urn, type, name, custom: req.getCustom(), parent: req.getParent(), provider: req.getProvider(),
            inputs, outputs: state.outputs, emulated: state.computed, id: state.id,
            dependencies: [...new Set(req.getDependenciesList())].sort(),
            propertyDependencies: sortObject(propertyDependencies), options,
        };
        this.resources.set(urn, record);
        this.options.onEvent?.({ kind: "resource", resource: record });
        return record;
    }

    private emulate(custom: boolean, type: string, name: string, urn: string, inputs: Obj, secretOutputs: string[]) {
        if (!custom) return { outputs: {}, id: "", computed: [] as string[] };
        // A provider's preview of a create echoes the inputs; outputs it alone computes stay unknown.
        const outputs: Obj = { ...inputs };
        const computed: string[] = [];
        const metadata = outputs.metadata as Obj | undefined;
        if (type.startsWith("kubernetes:") && typeof metadata === "object" && metadata !== null && metadata.name === undefined) {
            // The Kubernetes provider auto-names objects `<name>-<8 random characters>`.
            const suffix = derivedBytes(this.options.key, `autoname\u0000${urn}`, 4).toString("hex");
            outputs.metadata = { ...metadata, name: `${name}-${suffix}` };
            computed.push("metadata.name");
        }
        for (const key of secretOutputs) if (key in outputs) outputs[key] = secret(outputs[key]);
        const id = this.options.preview ? "" : emulatedId(type, outputs, this.options.key, urn);
        return { outputs, id, computed };
    }
}

function emulatedId(type: string, outputs: Obj, key: Buffer, urn: string): string {
    const metadata = outputs.metadata as { name?: unknown; namespace?: unknown } | undefined;
    if (type.startsWith("kubernetes:") && metadata && typeof metadata.name === "string") {
        return typeof metadata.namespace === "string" ? `${metadata.namespace}/${metadata.name}` : metadata.name;
    }
    return derivedBytes(key, `id\u0000${urn}`, 16).toString("hex");
}

function optionsOf(req: resproto.RegisterResourceRequest): RecordedOptions {
    const timeouts = req.getCustomtimeouts();
    const customTimeouts = timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
        ? { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }
        : undefined;
    const options: RecordedOptions = {
        ...(req.hasProtect() ? { protect: req.getProtect() } : {}),
        ...(req.hasRetainondelete() ? { retainOnDelete: req.getRetainondelete() } : {}),
        deletedWith: req.getDeletedwith(),
        ignoreChanges: [...req.getIgnorechangesList()],
        replaceOnChanges: [...req.getReplaceonchangesList()],
        aliases: [...req.getAliasesList().map(aliasOf), ...req.getAliasurnsList().map((urn) => ({ urn }))],
        additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()],
        ...(req.getDeletebeforereplacedefined() ? { deleteBeforeReplace: req.getDeletebeforereplace() } : {}),
        ...(customTimeouts ? { customTimeouts } : {}),
        version: req.getVersion(),
        pluginDownloadURL: req.getPlugindownloadurl(),
        importId: req.getImportid(),
        hideDiffs: [...req.getHidediffsList()],
        replaceWith: [...req.getReplaceWithList()],
        providers: sortObject(mapEntries(req.getProvidersMap())),
    };
    return options;
}

function mapEntries(map: { forEach(callback: (value: string, key: string) => void): void }): Record<string, string> {
    const out: Record<string, string> = {};
    map.forEach((value, key) => {
        out[key] = value;
    });
    return out;
}

function emptyOptions(additionalSecretOutputs: string[]): RecordedOptions {
    return {
        deletedWith: "", ignoreChanges: [], replaceOnChanges: [], aliases: [], additionalSecretOutputs: [...additionalSecretOutputs],
        version: "", pluginDownloadURL: "", importId: "", hideDiffs: [], replaceWith: [], providers: {},
    };
}

function aliasOf(alias: aliasproto.Alias): RecordedAlias {
    const spec = alias.getSpec();
    if (!spec) return { urn: alias.getUrn() };
    const out: RecordedAlias = {};
    if (spec.getName()) out.name = spec.getName();
    if (spec.getType()) out.type = spec.getType();
    if (spec.getStack()) out.stack = spec.getStack();
    if (spec.getProject()) out.project = spec.getProject();
    if (spec.getParenturn()) out.parentUrn = spec.getParenturn();
    if (spec.getNoparent()) out.noParent = true;
    return out;
}

function sortObject<T>(value: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function byUrnDescending(a: RecordedResource, b: RecordedResource): number {
    // Sorted descending because the walk pops from the end.
    return a.urn < b.urn ? 1 : a.urn > b.urn ? -1 : 0;
}
