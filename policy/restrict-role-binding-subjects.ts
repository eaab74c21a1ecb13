import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, readConfig, type GuardConfig } from "./config";
import {
    arrayOf,
    describeObject,
    describePlatformPrincipals,
    describeSubject,
    isPlatformPrincipal,
    kindOf,
    metadataOf,
    subjectScope,
    tenantOfNamespace,
    type Subject,
} from "./helpers";

/** Checks that a RoleBinding binds only principals of its own namespace or platform principals. */
export const restrictRoleBindingSubjects: ResourceValidationPolicy = {
    name: "restrict-role-binding-subjects",
    description:
        "Checks that every RoleBinding subject is in the binding's own namespace or is a platform principal, so no tenant's principals are bound outside their namespace.",
    enforcementLevel: "mandatory",
    configSchema: configSchemaFor(["tenantNamespacePrefix", "platformPrincipals"]),
    validateResource: (args, reportViolation) => {
        if (kindOf(args.type) !== "RoleBinding") return;
        const config = readConfig(args.getConfig<Partial<GuardConfig>>());
        const namespace = metadataOf(args.props).namespace;
        const bindingTenant = tenantOfNamespace(namespace, config);
        const binding = describeObject(args.type, args.name, args.props) + (bindingTenant ? ` of tenant ${bindingTenant}` : "");
        for (const subject of arrayOf<Subject>(args.props.subjects)) {
            if (isPlatformPrincipal(subject, namespace, config)) continue;
            const problem = bindingTenant
                ? tenantBindingProblem(subject, namespace ?? "", config)
                : foreignBindingProblem(subject, namespace, config);
            if (problem) reportViolation(`${binding} ${problem}`);
        }
    },
};

// A binding inside a tenant namespace: every subject must belong to that namespace.
function tenantBindingProblem(subject: Subject, namespace: string, config: GuardConfig): string | undefined {
    const scope = subjectScope(subject, namespace);
    const who = describeSubject(subject, namespace);
    const rule =
        `; every subject must be in namespace "${namespace}" or be a platform principal (${describePlatformPrincipals(config)}).`;
    switch (scope.kind) {
        case "serviceAccount":
        case "namespaceServiceAccounts": {
            if (scope.namespace === namespace) return undefined;
            const other = tenantOfNamespace(scope.namespace, config);
            return `binds ${who} ${other ? `of tenant ${other}` : `from namespace "${scope.namespace}"`}${rule}`;
        }
        case "everyone":
            return `binds ${who}, which includes every tenant's principals${rule}`;
        case "other":
            return `binds ${who}, which belongs to no namespace${rule}`;
    }
}

// A binding outside tenant namespaces (kube-system, platform namespaces…) must not name tenant principals.
function foreignBindingProblem(subject: Subject, namespace: string | undefined, config: GuardConfig): string | undefined {
    const scope = subjectScope(subject, namespace);
    const who = describeSubject(subject, namespace);
    if (scope.kind === "everyone") {
        return `binds ${who}, which includes every tenant's principals; a tenant's principals may be bound only in their own namespace.`;
    }
    if (scope.kind === "serviceAccount" || scope.kind === "namespaceServiceAccounts") {
        const tenant = tenantOfNamespace(scope.namespace, config);
        if (tenant) {
            return `binds ${who} of tenant ${tenant} outside its namespace; a tenant's principals may be bound only in their own namespace "${scope.namespace}".`;
        }
    }
    return undefined;
}
