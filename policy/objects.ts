// The one place that turns a Pulumi type and its inputs into the Kubernetes objects it declares.
// Every rule sees objects through it, so an object written as a Patch, a List item, a generic
// custom resource or a yaml/helm/kustomize input is judged exactly like the ordinary form.
import { scopeOf, type Scope } from "./kinds";
import { metadataOf, shown, type ObjectMeta } from "./metadata";
import { readComponent, type ComponentDeclaration } from "./object-components";
import { isUnknown } from "./unknowns";

/** How an object is declared. */
export type Form = "typed" | "patch" | "list" | "generic" | "component";

/** One Kubernetes object a Pulumi resource declares. */
export interface DeclaredObject {
    /** How it is declared. */
    form: Form;
    /** Pulumi type of the declaring resource. */
    type: string;
    /** Pulumi name of the declaring resource. */
    resourceName: string;
    /** 1-based position inside a List or a yaml/helm/kustomize input. */
    item?: number;
    /** apiVersion, e.g. `v1` or `networking.k8s.io/v1`. */
    apiVersion: string;
    /** API group, "" for the core group. */
    group: string;
    /** Kind, without a Patch or List suffix. */
    kind: string;
    /** A server-side apply patch of the object rather than the whole object. */
    patch: boolean;
    /** Namespaced, cluster-scoped or unknown (custom kinds). */
    scope: Scope;
    /** The object's fields (plain data; unknowns are UNKNOWN). */
    body: Record<string, unknown>;
    /** Its metadata. */
    meta: ObjectMeta;
}

/** Something the pack cannot turn into a Kubernetes object: a violation, never a skip. */
export interface Unclassified {
    /** Pulumi type of the declaring resource. */
    type: string;
    /** Pulumi name of the declaring resource. */
    resourceName: string;
    /** 1-based position inside a List or component input. */
    item?: number;
    /** Why it cannot be classified. */
    reason: string;
}

/** Everything one Pulumi resource declares. */
export interface Declaration {
    /** The objects the pack understood. */
    objects: DeclaredObject[];
    /** What it could not classify. */
    unclassified: Unclassified[];
    /** For a yaml/helm/kustomize resource: whether its inputs hide objects the pack cannot read. */
    component?: ComponentDeclaration;
}

const NONE: Declaration = { objects: [], unclassified: [] };
const API_VERSION = /^(?:([a-z0-9.-]+)\/)?(v\d+(?:(?:alpha|beta)\d+)?)$/;

/** Splits an apiVersion into its group ("" for core) and version, or undefined when it is not one. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } | undefined {
    const m = API_VERSION.exec(apiVersion);
    return m ? { group: m[1] ?? "", version: m[2] } : undefined;
}

/** Maps a Pulumi type and its (plain) inputs to the Kubernetes objects it declares. */
export function declaredObjects(type: string, resourceName: string, props: Record<string, unknown>): Declaration {
    if (!type.startsWith("kubernetes:")) return NONE;
    const parts = type.split(":");
    const fail = (reason: string): Declaration => ({ objects: [], unclassified: [{ type, resourceName, reason }] });
    if (parts.length !== 3) return fail(`"${type}" is not a Kubernetes resource type the pack knows`);
    const [, module, name] = parts;
    const component = readComponent(module, name, props);
    if (component) {
        const objects: DeclaredObject[] = [];
        const unclassified: Unclassified[] = [];
        component.items.forEach((item, i) => {
            const one = fromBody(type, resourceName, "component", item, undefined, i + 1);
            if ("reason" in one) unclassified.push(one);
            else objects.push(one);
        });
        unclassified.push(...component.problems.map((reason) => ({ type, resourceName, reason })));
        return { objects, unclassified, component };
    }
    if (module === "apiextensions.k8s.io" && (name === "CustomResource" || name === "CustomResourcePatch")) {
        return single(fromBody(type, resourceName, name === "CustomResourcePatch" ? "patch" : "generic", props, undefined));
    }
    const apiVersion = module.startsWith("core/") ? module.slice("core/".length) : module;
    if (!splitApiVersion(apiVersion)) return fail(`"${module}" is not an apiVersion`);
    if (name.endsWith("List") && name.length > 4 && "items" in props) return listItems(type, resourceName, apiVersion, name.slice(0, -4), props);
    const patch = name.endsWith("Patch") && name.length > 5;
    const kind = patch ? name.slice(0, -5) : name;
    return single(fromBody(type, resourceName, patch ? "patch" : "typed", props, { apiVersion, kind }));
}

function single(result: DeclaredObject | Unclassified): Declaration {
    return "reason" in result ? { objects: [], unclassified: [result] } : { objects: [result], unclassified: [] };
}

function listItems(type: string, resourceName: string, apiVersion: string, kind: string, props: Record<string, unknown>): Declaration {
    const items = props.items;
    if (isUnknown(items) || !Array.isArray(items)) {
        return { objects: [], unclassified: [{ type, resourceName, reason: `its items are ${isUnknown(items) ? "unknown during preview" : "not a list"}` }] };
    }
    const out: Declaration = { objects: [], unclassified: [] };
    items.forEach((item, i) => {
        const one = fromBody(type, resourceName, "list", item, { apiVersion, kind }, i + 1);
        if ("reason" in one) out.unclassified.push(one);
        else out.objects.push(one);
    });
    return out;
}

// One object from its fields; `expected` is what the type token says (its fields must agree).
function fromBody(
    type: string,
    resourceName: string,
    form: Form,
    body: unknown,
    expected: { apiVersion: string; kind: string } | undefined,
    item?: number,
): DeclaredObject | Unclassified {
    const at = { type, resourceName, ...(item !== undefined ? { item } : {}) };
    if (isUnknown(body)) return { ...at, reason: "the object is unknown during preview" };
    if (!body || typeof body !== "object" || Array.isArray(body)) return { ...at, reason: "the object is not a mapping" };
    const fields = body as Record<string, unknown>;
    const declared = { apiVersion: fields.apiVersion, kind: fields.kind };
    for (const key of ["apiVersion", "kind"] as const) {
        const value = declared[key];
        if (isUnknown(value)) return { ...at, reason: `its ${key} is unknown during preview` };
        if (value !== undefined && typeof value !== "string") return { ...at, reason: `its ${key} is not a string` };
    }
    const apiVersion = (declared.apiVersion as string | undefined) ?? expected?.apiVersion;
    // A Patch's own kind field may carry the suffix; it names the same kind.
    const kindField = form === "patch" && expected && declared.kind === `${expected.kind}Patch` ? expected.kind : (declared.kind as string | undefined);
    const kind = kindField ?? expected?.kind;
    if (!apiVersion || !kind) return { ...at, reason: "it names no apiVersion and kind" };
    if (expected && form !== "list" && (apiVersion !== expected.apiVersion || kind !== expected.kind)) {
        return { ...at, reason: `its fields say ${apiVersion} ${kind} but its type says ${expected.apiVersion} ${expected.kind}` };
    }
    const split = splitApiVersion(apiVersion);
    if (!split) return { ...at, reason: `"${apiVersion}" is not an apiVersion` };
    const patch = form === "patch";
    return { form, ...at, apiVersion, group: split.group, kind, patch, scope: scopeOf(split.group, kind), body: fields, meta: metadataOf(fields) };
}

/** True for a built-in object of this kind (a custom kind of the same name in another API group is not one). */
export function isKind(o: Pick<DeclaredObject, "kind" | "scope">, kind: string): boolean {
    return o.kind === kind && o.scope !== "unknown";
}

/** Where an object is declared, for messages: "" for the ordinary form, else e.g. ` (patched by …)`. */
export function formNote(o: Pick<DeclaredObject, "form" | "type" | "resourceName" | "item">): string {
    switch (o.form) {
        case "typed":
            return "";
        case "patch":
            return ` (patched by ${o.type} "${o.resourceName}")`;
        case "list":
            return ` (item ${o.item} of ${o.type} "${o.resourceName}")`;
        case "generic":
            return ` (declared as ${o.type} "${o.resourceName}")`;
        case "component":
            return ` (object ${o.item} of ${o.type} "${o.resourceName}")`;
    }
}

/** Names an object for a message: `RoleBinding "org-acme/agent-secret-reader"`, plus where it is declared. */
export function describeObject(o: DeclaredObject): string {
    const name = o.meta.name === undefined ? o.resourceName : shown(o.meta.name);
    const where = o.meta.namespace === undefined ? name : `${shown(o.meta.namespace)}/${name}`;
    return `${o.kind} "${where}"${formNote(o)}`;
}

/** Names an unclassified declaration for a message. */
export function describeUnclassified(u: Unclassified): string {
    return `${u.item !== undefined ? `Object ${u.item} of ` : ""}${u.type} "${u.resourceName}"`;
}
