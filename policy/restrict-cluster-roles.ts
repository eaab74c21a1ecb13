import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, readConfig, type GuardConfig } from "./config";
import { arrayOf, describeObject, describeSubject, kindOf, metadataOf, subjectScope, tenantOfNamespace, type Subject } from "./helpers";

/** ClusterRoles that grant write access to a whole namespace; never bindable in a tenant namespace, whatever the config says. */
export const FORBIDDEN_CLUSTER_ROLES: readonly string[] = ["cluster-admin", "admin", "edit"];

/** Checks that no ClusterRoleBinding names a tenant principal and tenant RoleBindings reference only allowed ClusterRoles. */
export const restrictClusterRoles: ResourceValidationPolicy = {
    name: "restrict-cluster-roles",
    description:
        "Checks that no ClusterRoleBinding names a tenant principal and that RoleBindings in tenant namespaces reference only allow-listed ClusterRoles.",
    enforcementLevel: "mandatory",
    configSchema: configSchemaFor(["tenantNamespacePrefix", "allowedClusterRoles"]),
    validateResource: (args, reportViolation) => {
        const kind = kindOf(args.type);
        if (kind !== "ClusterRoleBinding" && kind !== "RoleBinding") return;
        const config = readConfig(args.getConfig<Partial<GuardConfig>>());
        const binding = describeObject(args.type, args.name, args.props);
        const roleRef = (args.props.roleRef ?? {}) as { kind?: string; name?: string };
        if (kind === "ClusterRoleBinding") {
            for (const subject of arrayOf<Subject>(args.props.subjects)) {
                const tenant = tenantPrincipal(subject, config);
                if (!tenant) continue;
                reportViolation(
                    `${binding} binds ${describeSubject(subject, undefined)}${tenant} to ClusterRole "${roleRef.name ?? ""}" cluster-wide; ` +
                        "no ClusterRoleBinding may name a tenant principal.",
                );
            }
            return;
        }
        const namespace = metadataOf(args.props).namespace;
        const slug = tenantOfNamespace(namespace, config);
        if (!slug || roleRef.kind !== "ClusterRole") return;
        const name = roleRef.name ?? "";
        const allowed = config.allowedClusterRoles.filter((r) => !FORBIDDEN_CLUSTER_ROLES.includes(r));
        if (allowed.includes(name)) return;
        const why = FORBIDDEN_CLUSTER_ROLES.includes(name) ? ", which grants write access to the whole namespace" : "";
        reportViolation(
            `${binding} of tenant ${slug} references ClusterRole "${name}"${why}; RoleBindings in tenant namespaces may reference only the ClusterRoles ${allowed.length ? allowed.join(", ") : "(none allowed)"} or a Role of their own namespace.`,
        );
    },
};

// Returns " of tenant <slug>" or ", which includes every tenant's principals" when the subject reaches a tenant.
function tenantPrincipal(subject: Subject, config: GuardConfig): string | undefined {
    const scope = subjectScope(subject, undefined);
    if (scope.kind === "everyone") return ", which includes every tenant's principals,";
    if (scope.kind === "serviceAccount" || scope.kind === "namespaceServiceAccounts") {
        const slug = tenantOfNamespace(scope.namespace, config);
        if (slug) return ` of tenant ${slug}`;
    }
    return undefined;
}
