import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { GuardConfig } from "./config";
import { arrayOf, describeSubject, subjectScope, tenantOfNamespace, type Subject } from "./helpers";
import { labelOf } from "./metadata";
import { describeObject, isKind, type DeclaredObject } from "./objects";
import { unknownSubject } from "./restrict-role-binding-subjects";
import { resourceRule } from "./rule-kit";
import { firstUnknown, isUnknown } from "./unknowns";

/** ClusterRoles that grant write access to a whole namespace; never bindable in a tenant namespace, whatever the config says. */
export const FORBIDDEN_CLUSTER_ROLES: readonly string[] = ["cluster-admin", "admin", "edit"];

// The user-facing roles Kubernetes builds by aggregation: a ClusterRole labelled into one of them adds its rules to it.
const AGGREGATED_ROLES: readonly string[] = ["view", "edit", "admin"];
const AGGREGATE_LABEL = "rbac.authorization.k8s.io/aggregate-to-";

/** Checks that no ClusterRoleBinding names a tenant principal, tenant RoleBindings reference only allowed ClusterRoles, and no ClusterRole changes what those grant. */
export const restrictClusterRoles: ResourceValidationPolicy = resourceRule(
    {
        name: "restrict-cluster-roles",
        description:
            "Checks that no ClusterRoleBinding names a tenant principal, that RoleBindings in tenant namespaces reference only allow-listed ClusterRoles, and that no ClusterRole aggregates into view, edit, admin or an allow-listed ClusterRole or redefines one.",
        config: ["tenantNamespacePrefix", "allowedClusterRoles"],
    },
    ({ config, declaration }, report) => {
        for (const o of declaration.objects) {
            if (isKind(o, "ClusterRoleBinding")) clusterBindingProblems(o, config).forEach((m) => report(m));
            else if (isKind(o, "RoleBinding")) roleBindingProblems(o, config).forEach((m) => report(m));
            else if (isKind(o, "ClusterRole")) clusterRoleProblems(o, config).forEach((m) => report(m));
        }
    },
);

function clusterBindingProblems(o: DeclaredObject, config: GuardConfig): string[] {
    const binding = describeObject(o);
    if (isUnknown(o.body.subjects)) return [`${binding} has subjects that are unknown during preview; a ClusterRoleBinding's subjects must be known so the pack can tell that no tenant principal is among them.`];
    const roleRef = (o.body.roleRef ?? {}) as { name?: string };
    const problems: string[] = [];
    for (const subject of arrayOf<Subject>(o.body.subjects)) {
        const scope = subjectScope(subject, undefined);
        if (scope.kind === "unknown") {
            problems.push(`${binding} ${unknownSubject(scope.field)}`);
            continue;
        }
        const tenant = scope.kind === "everyone"
            ? ", which includes every tenant's principals,"
            : (scope.kind === "serviceAccount" || scope.kind === "namespaceServiceAccounts") && tenantOfNamespace(scope.namespace, config)
              ? ` of tenant ${tenantOfNamespace(scope.namespace, config)}`
              : undefined;
        if (tenant) {
            problems.push(`${binding} binds ${describeSubject(subject, undefined)}${tenant} to ClusterRole "${isUnknown(roleRef.name) ? "(unknown)" : (roleRef.name ?? "")}" cluster-wide; no ClusterRoleBinding may name a tenant principal.`);
        }
    }
    return problems;
}

function roleBindingProblems(o: DeclaredObject, config: GuardConfig): string[] {
    const slug = tenantOfNamespace(o.meta.namespace, config);
    if (!slug) return [];
    const binding = `${describeObject(o)} of tenant ${slug}`;
    const unknown = firstUnknown(o.body.roleRef, "roleRef");
    if (unknown) return [`${binding} has a ${unknown} that is unknown during preview; the role a tenant RoleBinding grants must be known.`];
    const roleRef = (o.body.roleRef ?? {}) as { kind?: string; name?: string };
    if (roleRef.kind !== "ClusterRole") return [];
    const name = roleRef.name ?? "";
    const allowed = config.allowedClusterRoles.filter((r) => !FORBIDDEN_CLUSTER_ROLES.includes(r));
    if (allowed.includes(name)) return [];
    const why = FORBIDDEN_CLUSTER_ROLES.includes(name) ? ", which grants write access to the whole namespace" : "";
    return [
        `${binding} references ClusterRole "${name}"${why}; RoleBindings in tenant namespaces may reference only the ClusterRoles ${allowed.length ? allowed.join(", ") : "(none allowed)"} or a Role of their own namespace.`,
    ];
}

// A ClusterRole changes what tenants are granted when it is one they bind or aggregates into one.
function clusterRoleProblems(o: DeclaredObject, config: GuardConfig): string[] {
    const role = describeObject(o);
    const protectedRoles = [...new Set([...AGGREGATED_ROLES, ...FORBIDDEN_CLUSTER_ROLES, ...config.allowedClusterRoles])];
    const rule = `; no ClusterRole may add rules to or redefine ${protectedRoles.join(", ")}, which tenant namespaces may be granted.`;
    const problems: string[] = [];
    if (o.meta.name !== undefined && isUnknown(o.meta.name)) problems.push(`${role} has a name that is unknown during preview, so it may redefine a ClusterRole tenants are granted${rule}`);
    else if (protectedRoles.includes(o.meta.name ?? "")) problems.push(`${role} redefines a ClusterRole tenants are granted${rule}`);
    if (o.meta.labelsUnknown) return [...problems, `${role} has labels that are unknown during preview, so it may aggregate into ${protectedRoles.join(", ")}${rule}`];
    for (const target of protectedRoles) {
        const value = labelOf(o.meta, `${AGGREGATE_LABEL}${target}`);
        if (value === "true") problems.push(`${role} carries ${AGGREGATE_LABEL}${target}=true, so it aggregates into ClusterRole "${target}"${rule}`);
        else if (value !== undefined && isUnknown(value)) problems.push(`${role} carries ${AGGREGATE_LABEL}${target} unknown during preview, so it may aggregate into ClusterRole "${target}"${rule}`);
    }
    return problems;
}
