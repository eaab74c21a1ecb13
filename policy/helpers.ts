import type { GuardConfig, PlatformPrincipal } from "./config";
import { isUnknown } from "./unknowns";

/** Returns the tenant slug of a tenant namespace name (`org-acme` → `acme`), or undefined. */
export function tenantOfNamespace(namespace: string | undefined, config: GuardConfig): string | undefined {
    if (!namespace || isUnknown(namespace) || !namespace.startsWith(config.tenantNamespacePrefix)) return undefined;
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
    | { kind: "other" }
    /** A subject whose kind, name or namespace is unknown during preview: it may be anyone. */
    | { kind: "unknown"; field: string };

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
    if (!subject || typeof subject !== "object" || Array.isArray(subject)) return { kind: "unknown", field: "subject" };
    for (const field of ["kind", "name", "namespace"] as const) if (isUnknown(subject[field])) return { kind: "unknown", field };
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
