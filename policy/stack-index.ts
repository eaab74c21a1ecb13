import type { PolicyResource } from "@pulumi/policy";
import { TENANT_COMPONENT_TYPE } from "../contract";
import type { GuardConfig } from "./config";
import { annotationOf, labelOf, metadataOf } from "./metadata";
import type { ComponentDeclaration } from "./object-components";
import { isKind, type DeclaredObject, type Unclassified } from "./objects";
import { resourceView } from "./resource-view";
import { isUnknown, UNKNOWN } from "./unknowns";

/** A declared object with the Pulumi resource that declares it. */
export interface StackObject extends DeclaredObject {
    /** The declaring resource: URN, parent chain, options, dependencies. */
    resource: PolicyResource;
}

/**
 * One pass over a stack: every Kubernetes object in every form, grouped by namespace, with each
 * Patch merged over the object it changes, so stack rules stay linear in the number of resources.
 */
export class StackIndex {
    /** Every declared object, Patches merged over their target (one entry per target and Patch). */
    readonly objects: StackObject[] = [];
    /** Declarations the pack could not classify. */
    readonly unclassified: { item: Unclassified; resource: PolicyResource }[] = [];
    /** yaml/helm/kustomize resources and what their inputs hide. */
    readonly components: { declaration: ComponentDeclaration; resource: PolicyResource }[] = [];
    /** Tenant components keyed by slug. */
    readonly tenantComponents = new Map<string, PolicyResource>();
    /** Namespace objects keyed by their (known) name. */
    readonly namespaces = new Map<string, StackObject[]>();
    /** Namespaced objects (and objects of unknown scope that name a namespace) keyed by their known namespace. */
    readonly objectsByNamespace = new Map<string, StackObject[]>();
    /** Plain properties of every resource. */
    readonly props = new Map<PolicyResource, Record<string, unknown>>();
    private readonly owners = new Map<string, string | null>();
    private readonly children = new Set<string>();

    constructor(readonly resources: PolicyResource[]) {
        const declared: StackObject[] = [];
        for (const r of resources) {
            const { props, declaration } = resourceView(r.type, r.name, r.props);
            this.props.set(r, props);
            if (r.parent) this.children.add(r.parent.urn);
            if (r.type === TENANT_COMPONENT_TYPE) this.tenantComponents.set(r.name, r);
            for (const o of declaration.objects) declared.push({ ...o, resource: r });
            for (const item of declaration.unclassified) this.unclassified.push({ item, resource: r });
            if (declaration.component) this.components.push({ declaration: declaration.component, resource: r });
        }
        for (const o of withPatchesMerged(declared)) {
            this.objects.push(o);
            const { name, namespace } = o.meta;
            if (isKind(o, "Namespace")) {
                if (name !== undefined && !isUnknown(name)) push(this.namespaces, name, o);
            } else if (o.scope !== "cluster" && namespace !== undefined && !isUnknown(namespace)) {
                push(this.objectsByNamespace, namespace, o);
            }
        }
    }

    /** True when some resource of the stack is a child of `urn`. */
    hasChildren(urn: string): boolean {
        return this.children.has(urn);
    }

    /** Slug of the Tenant component a resource is created under (via its parent chain), or undefined. */
    ownerOf(resource: PolicyResource): string | undefined {
        // Memoized walk up the parent chain: each resource's owner is computed once.
        const path: PolicyResource[] = [];
        let current: PolicyResource | undefined = resource;
        let owner: string | null | undefined;
        while (current) {
            const cached = this.owners.get(current.urn);
            if (cached !== undefined) {
                owner = cached;
                break;
            }
            if (current.type === TENANT_COMPONENT_TYPE) {
                owner = current.name;
                break;
            }
            path.push(current);
            current = current.parent;
        }
        const result = owner ?? null;
        for (const p of path) this.owners.set(p.urn, result);
        if (current) this.owners.set(current.urn, result);
        return result ?? undefined;
    }

    /** Objects of one built-in kind in one namespace. */
    objectsOfKind(namespace: string, kind: string): StackObject[] {
        return (this.objectsByNamespace.get(namespace) ?? []).filter((o) => isKind(o, kind));
    }

    /**
     * The id of a tenant as its registry entry states it: the Tenant component's `tenantId` output,
     * else the org-id annotation its Namespace was given from the registry; UNKNOWN when unknown.
     */
    tenantIdOf(slug: string, config: GuardConfig): string | undefined {
        const component = this.tenantComponents.get(slug);
        const output = component ? this.props.get(component)?.tenantId : undefined;
        if (isUnknown(output)) return UNKNOWN;
        if (typeof output === "string" && output !== "") return output;
        const ns = (this.namespaces.get(`${config.tenantNamespacePrefix}${slug}`) ?? []).find((n) => !n.patch && this.ownerOf(n.resource) === slug);
        return ns ? annotationOf(ns.meta, config.orgIdAnnotation) : undefined;
    }

    /** The tenant label of a namespace as declared (UNKNOWN when unknown). */
    namespaceLabel(namespace: string, label: string): string | undefined {
        const ns = this.namespaces.get(namespace)?.[0];
        return ns ? labelOf(ns.meta, label) : undefined;
    }
}

/** Groups objects by their Kubernetes name (UNKNOWN names share one group). */
export function byName<T extends DeclaredObject>(objects: T[]): Map<string, T[]> {
    const out = new Map<string, T[]>();
    for (const o of objects) push(out, o.meta.name ?? "", o);
    return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
}

function identity(o: DeclaredObject): string | undefined {
    const { name, namespace } = o.meta;
    if (name === undefined || isUnknown(name) || (namespace !== undefined && isUnknown(namespace))) return undefined;
    return `${o.group}|${o.kind}|${namespace ?? ""}|${name}`;
}

// Each Patch becomes the object it produces: merged over every declaration of its target, or
// alone when the stack does not declare the target. Whichever applies last, every outcome is judged.
function withPatchesMerged(objects: StackObject[]): StackObject[] {
    const bases = new Map<string, StackObject[]>();
    for (const o of objects) {
        const key = identity(o);
        if (!o.patch && key !== undefined) push(bases, key, o);
    }
    const out: StackObject[] = [];
    for (const o of objects) {
        const targets = o.patch ? (bases.get(identity(o) ?? "") ?? []) : [];
        if (targets.length === 0) out.push(o);
        for (const base of targets) {
            const body = merge(base.body, o.body) as Record<string, unknown>;
            out.push({ ...o, body, meta: metadataOf(body) });
        }
    }
    return out;
}

// Server-side apply as far as the rules care: maps merge key by key, anything else is replaced.
function merge(base: unknown, patch: unknown): unknown {
    if (patch === undefined || patch === null) return base;
    const isMap = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
    if (!isMap(base) || !isMap(patch)) return patch;
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [key, value] of Object.entries(patch as Record<string, unknown>)) out[key] = merge(out[key], value);
    return out;
}
