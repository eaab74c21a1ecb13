import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { GuardConfig } from "./config";
import {
    arrayOf,
    describePlatformPrincipals,
    describeSubject,
    isPlatformPrincipal,
    subjectScope,
    tenantOfNamespace,
    type Subject,
} from "./helpers";
import { describeObject, isKind } from "./objects";
import { resourceRule } from "./rule-kit";
import { isUnknown } from "./unknowns";

/** Checks that a RoleBinding binds only principals of its own namespace or platform principals. */
export const restrictRoleBindingSubjects: ResourceValidationPolicy = resourceRule(
    {
        name: "restrict-role-binding-subjects",
        description:
            "Checks that every RoleBinding subject is known during preview and is in the binding's own namespace or is a platform principal, so no tenant's principals are bound outside their namespace.",
        config: ["tenantNamespacePrefix", "platformPrincipals"],
    },
    ({ config, declaration }, report) => {
        for (const o of declaration.objects.filter((x) => isKind(x, "RoleBinding"))) {
            const namespace = o.meta.namespace;
            // An unknown namespace is require-explicit-namespace's violation; nothing here can be judged without it.
            if (namespace !== undefined && isUnknown(namespace)) continue;
            const bindingTenant = tenantOfNamespace(namespace, config);
            const binding = describeObject(o) + (bindingTenant ? ` of tenant ${bindingTenant}` : "");
            const subjects = o.body.subjects;
            if (isUnknown(subjects)) {
                report(`${binding} has subjects that are unknown during preview; every subject of a RoleBinding must be known so the pack can tell whose principals it binds.`);
                continue;
            }
            for (const subject of arrayOf<Subject>(subjects)) {
                if (isPlatformPrincipal(subject, namespace, config)) continue;
                const problem = bindingTenant ? tenantBindingProblem(subject, namespace ?? "", config) : foreignBindingProblem(subject, namespace, config);
                if (problem) report(`${binding} ${problem}`);
            }
        }
    },
);

/** The message part for a subject whose kind, name or namespace is unknown during preview. */
export function unknownSubject(field: string): string {
    return `binds a subject whose ${field} is unknown during preview; every subject must be known so the pack can tell whose principal it is.`;
}

// A binding inside a tenant namespace: every subject must belong to that namespace.
function tenantBindingProblem(subject: Subject, namespace: string, config: GuardConfig): string | undefined {
    const scope = subjectScope(subject, namespace);
    if (scope.kind === "unknown") return unknownSubject(scope.field);
    const who = describeSubject(subject, namespace);
    const rule = `; every subject must be in namespace "${namespace}" or be a platform principal (${describePlatformPrincipals(config)}).`;
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
    if (scope.kind === "unknown") return unknownSubject(scope.field);
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
