import type { PolicyResource } from "@pulumi/policy";
import { TENANT_COMPONENT_TYPE } from "../contract";
import type { GuardConfig, PlatformPrincipal } from "./config";

/** Kubernetes kinds that are cluster-scoped and therefore carry no metadata.namespace. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
]);

// Pulumi kubernetes types that are not single API objects (they expand into children).
const NON_OBJECT_MODULES = ["kubernetes:yaml", "kubernetes:helm.sh", "kubernetes:kustomize"];

/** Metadata fields the rules read. */
export interface ObjectMeta {
    /** metadata.name. */
    name?: string;
    /** metadata.namespace. */
    namespace?: string;
    /** metadata.labels. */
    labels: Record<string, string>;
    /** metadata.annotations. */
    annotations: Record<string, string>;
}

/** Returns the Kubernetes kind of a Pulumi type such as `kubernetes:core/v1:Secret`, or undefined for other types. */
export function kindOf(type: string): string | undefined {
    if (!type.startsWith("kubernetes:") || NON_OBJECT_MODULES.some((m) => type.startsWith(m))) return undefined;
    const parts = type.split(":");
    if (parts.length !== 3 || !parts[1].includes("/")) return undefined;
    return parts[2];
}

/** True when the Pulumi type is a namespaced Kubernetes object. */
export function isNamespacedKind(type: string): boolean {
    const kind = kindOf(type);
    return kind !== undefined && !CLUSTER_SCOPED_KINDS.has(kind) && !kind.endsWith("List");
}

function stringMap(value: unknown): Record<string, string> {
    if (!value || typeof value !== "object" || Array.isArray(value)) return {};
    const out: Record<string, string> = {};
    for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (typeof v === "string") out[key] = v;
    }
    return out;
}

/** Reads metadata from a resource's properties, tolerating missing or malformed fields. */
export function metadataOf(props: Record<string, unknown>): ObjectMeta {
    const meta = props.metadata;
    if (!meta || typeof meta !== "object") return { labels: {}, annotations: {} };
    const m = meta as Record<string, unknown>;
    return {
        name: typeof m.name === "string" && m.name !== "" ? m.name : undefined,
        namespace: typeof m.namespace === "string" && m.namespace !== "" ? m.namespace : undefined,
        labels: stringMap(m.labels),
        annotations: stringMap(m.annotations),
    };
}

/** Names an object for a message: `RoleBinding "org-acme/agent-secret-reader"`, falling back to the Pulumi name. */
export function describeObject(type: string, resourceName: string, props: Record<string, unknown>): string {
    const kind = kindOf(type) ?? type;
    const meta = metadataOf(props);
    const name = meta.name ?? resourceName;
    return meta.namespace ? `${kind} "${meta.namespace}/${name}"` : `${kind} "${name}"`;
}

/** Returns the tenant slug of a tenant namespace name (`org-acme` → `acme`), or undefined. */
export function tenantOfNamespace(namespace: string | undefined, config: GuardConfig): string | undefined {
    if (!namespace || !namespace.startsWith(config.tenantNamespacePrefix)) return undefined;
    const slug = namespace.slice(config.tenantNamespacePrefix.length);
    return slug === "" ? undefined : slug;
}

/** Namespace of tenant `slug`. */
export function namespaceOfTenant(slug: string, config: GuardConfig): string {
    return `${config.tenantNamespacePrefix}${slug}`;
}

/** What an RBAC subject grants access to, resolved from its kind and name. */
export type SubjectScope =
    /** One ServiceAccount (a ServiceAccount subject or `User system:serviceaccount:<ns>:<name>`). */
    | { kind: "serviceAccount"; namespace: string; name: string }
    /** All ServiceAccounts of one namespace (`Group system:serviceaccounts:<ns>`). */
    | { kind: "namespaceServiceAccounts"; namespace: string }
    /** A group that contains every tenant's principals (`system:authenticated`, …). */
    | { kind: "everyone" }
    /** A user or group outside any namespace. */
    | { kind: "other" };

/** A RoleBinding or ClusterRoleBinding subject as it appears in the properties. */
export interface Subject {
    /** ServiceAccount, User or Group. */
    kind?: string;
    /** Name of the principal. */
    name?: string;
    /** Namespace of a ServiceAccount subject. */
    namespace?: string;
}

// Groups and users that include the principals of every namespace, hence of every tenant.
const EVERYONE = new Set(["system:serviceaccounts", "system:authenticated", "system:unauthenticated", "system:anonymous"]);

/** Resolves what a subject refers to; `defaultNamespace` is the binding's namespace for ServiceAccounts without one. */
export function subjectScope(subject: Subject, defaultNamespace: string | undefined): SubjectScope {
    const name = subject.name ?? "";
    if (subject.kind === "ServiceAccount") {
        return { kind: "serviceAccount", namespace: subject.namespace || defaultNamespace || "", name };
    }
    if (EVERYONE.has(name)) return { kind: "everyone" };
    if (subject.kind === "User" && name.startsWith("system:serviceaccount:")) {
        const [namespace = "", saName = ""] = name.slice("system:serviceaccount:".length).split(":");
        return { kind: "serviceAccount", namespace, name: saName };
    }
    if (subject.kind === "Group" && name.startsWith("system:serviceaccounts:")) {
        return { kind: "namespaceServiceAccounts", namespace: name.slice("system:serviceaccounts:".length) };
    }
    return { kind: "other" };
}

/** Names a subject for a message: `ServiceAccount "org-globex/agent-worker-sa"`, `Group "system:authenticated"`. */
export function describeSubject(subject: Subject, defaultNamespace: string | undefined): string {
    if (subject.kind === "ServiceAccount") {
        return `ServiceAccount "${subject.namespace || defaultNamespace || ""}/${subject.name ?? ""}"`;
    }
    return `${subject.kind ?? "subject"} "${subject.name ?? ""}"`;
}

/** True when the subject is one of the configured platform principals. */
export function isPlatformPrincipal(subject: Subject, defaultNamespace: string | undefined, config: GuardConfig): boolean {
    const scope = subjectScope(subject, defaultNamespace);
    return config.platformPrincipals.some((p: PlatformPrincipal) => {
        if (p.kind === "ServiceAccount") {
            return scope.kind === "serviceAccount" && scope.namespace === p.namespace && scope.name === p.name;
        }
        return subject.kind === p.kind && subject.name === p.name;
    });
}

/** Lists the configured platform principals for messages. */
export function describePlatformPrincipals(config: GuardConfig): string {
    if (config.platformPrincipals.length === 0) return "none configured";
    return config.platformPrincipals
        .map((p) => (p.kind === "ServiceAccount" ? `ServiceAccount ${p.namespace ?? ""}/${p.name}` : `${p.kind} ${p.name}`))
        .join(", ");
}

/** Reads an array property, treating a missing or malformed value as empty. */
export function arrayOf<T = unknown>(value: unknown): T[] {
    return Array.isArray(value) ? (value as T[]) : [];
}

/**
 * One pass over a stack's resources: tenant components, tenant namespaces and objects by namespace,
 * so stack rules stay linear in the number of resources.
 */
export class StackIndex {
    /** Every Kubernetes object of the stack, keyed by namespace (cluster-scoped objects are absent). */
    readonly objectsByNamespace = new Map<string, PolicyResource[]>();
    /** Namespace resources keyed by metadata.name. */
    readonly namespaces = new Map<string, PolicyResource[]>();
    /** Tenant components keyed by slug. */
    readonly tenantComponents = new Map<string, PolicyResource>();
    private readonly owners = new Map<string, string | null>();

    constructor(readonly resources: PolicyResource[]) {
        for (const r of resources) {
            if (r.type === TENANT_COMPONENT_TYPE) this.tenantComponents.set(r.name, r);
            const kind = kindOf(r.type);
            if (kind === undefined) continue;
            const meta = metadataOf(r.props);
            if (kind === "Namespace") {
                push(this.namespaces, meta.name ?? r.name, r);
            } else if (meta.namespace && isNamespacedKind(r.type)) {
                push(this.objectsByNamespace, meta.namespace, r);
            }
        }
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

    /** Objects of one namespace whose kind matches. */
    objectsOfKind(namespace: string, kind: string): PolicyResource[] {
        return (this.objectsByNamespace.get(namespace) ?? []).filter((r) => kindOf(r.type) === kind);
    }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
}
