// What every rule reads of a resource: its properties as plain data and the Kubernetes objects they
// declare. @pulumi/policy gives each rule its own proxy, but over one deserialized object per message
// (share-deserialized-properties.ts), so the view is computed once per resource and message rather
// than once per rule (7 resource rules per Analyze, 8 stack rules per AnalyzeStack). Only such shared
// objects are keys: properties a caller builds itself may change between calls. Rules share a view,
// so it is frozen: a rule that tried to change what another reads would throw, failing closed.
import { declaredObjects, type Declaration } from "./objects";
import { isSharedProperties } from "./share-deserialized-properties";
import { plainProps, unwrapProxy } from "./unknowns";

/** A resource's properties as plain data (see plainProps) and what they declare (see declaredObjects); frozen. */
export interface ResourceView {
    /** The properties, proxies removed and unknowns as UNKNOWN. */
    readonly props: Record<string, unknown>;
    /** The Kubernetes objects the properties declare. */
    readonly declaration: Declaration;
}

// Keyed by the deserialized properties object, then by type and name: a key lives as long as its message.
const views = new WeakMap<object, Map<string, ResourceView>>();

function deepFreeze<T>(value: T): T {
    if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
    // Children first, so that a frozen object always has frozen children and can be skipped.
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    return Object.freeze(value);
}

/** The view of a resource of `type` named `name` with properties `props` (a proxy or plain data), computed once per properties object. */
export function resourceView(type: string, name: string, props: unknown): ResourceView {
    const target = unwrapProxy(props);
    const shared = isSharedProperties(target) ? (target as object) : undefined;
    const key = `${type}\0${name}`;
    const known = shared && views.get(shared);
    const cached = known?.get(key);
    if (cached) return cached;
    const plain = deepFreeze(plainProps(props));
    const view: ResourceView = deepFreeze({ props: plain, declaration: declaredObjects(type, name, plain) });
    if (known) known.set(key, view);
    else if (shared) views.set(shared, new Map([[key, view]]));
    return view;
}
