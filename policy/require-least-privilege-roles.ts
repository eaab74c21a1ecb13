import type { ResourceValidationPolicy } from "@pulumi/policy";
import { arrayOf, tenantOfNamespace } from "./helpers";
import { describeObject, isKind } from "./objects";
import { resourceRule } from "./rule-kit";
import { firstUnknown } from "./unknowns";

/** One rule of a Role's `rules`. */
interface PolicyRule {
    apiGroups?: string[];
    resources?: string[];
    verbs?: string[];
    resourceNames?: string[];
}

// Verbs that let a principal gain permissions it does not hold (Multi-Tenancy Benchmarks: block role escalation).
const ESCALATION_VERBS = ["bind", "escalate", "impersonate"];
const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];
// Multi-tenancy resources a tenant must not change, by API group (Multi-Tenancy Benchmarks).
const GUARDED_RESOURCES: Record<string, string> = {
    roles: "rbac.authorization.k8s.io",
    rolebindings: "rbac.authorization.k8s.io",
    resourcequotas: "",
    limitranges: "",
    networkpolicies: "networking.k8s.io",
};

/** Checks that Roles in tenant namespaces are least-privilege. */
export const requireLeastPrivilegeRoles: ResourceValidationPolicy = resourceRule(
    {
        name: "require-least-privilege-roles",
        description:
            "Checks that Roles in tenant namespaces are known during preview, use no wildcards, grant secrets only by exact resourceNames, and cannot escalate or change RBAC, quotas, limits or network policies.",
        config: ["tenantNamespacePrefix"],
    },
    ({ config, declaration }, report) => {
        for (const o of declaration.objects.filter((x) => isKind(x, "Role"))) {
            const slug = tenantOfNamespace(o.meta.namespace, config);
            if (!slug) continue;
            const role = `${describeObject(o)} of tenant ${slug}`;
            const unknown = firstUnknown(o.body.rules, "rules");
            if (unknown) {
                report(`${role} has ${unknown} unknown during preview; what a tenant Role grants must be known so the pack can check it.`);
                continue;
            }
            arrayOf<PolicyRule>(o.body.rules).forEach((rule, i) => {
                for (const problem of ruleProblems(rule)) report(`${role} ${problem} (rule ${i + 1}).`);
            });
        }
    },
);

// Everything wrong with one rule, each phrased as "<what it does>; <what must be true>".
function ruleProblems(rule: PolicyRule): string[] {
    const problems: string[] = [];
    const verbs = arrayOf<string>(rule.verbs);
    const resources = arrayOf<string>(rule.resources);
    const groups = arrayOf<string>(rule.apiGroups);
    for (const [field, values] of [["verbs", verbs], ["resources", resources], ["apiGroups", groups]] as const) {
        if (values.includes("*")) {
            problems.push(`grants "*" in ${field}; tenant Roles must list verbs, resources and apiGroups explicitly`);
        }
    }
    for (const verb of verbs.filter((v) => ESCALATION_VERBS.includes(v))) {
        problems.push(`grants the verb "${verb}"; tenant Roles must not bind, escalate or impersonate`);
    }
    if (resources.includes("secrets") && (groups.includes("") || groups.length === 0)) {
        const names = arrayOf<string>(rule.resourceNames);
        if (names.length === 0) {
            problems.push("grants access to secrets without resourceNames; secrets must be granted by exact resourceNames");
        }
        for (const name of names.filter((n) => /[*?]/.test(n) || n === "")) {
            problems.push(
                `grants secrets by the pattern "${name}"; resourceNames must be exact secret names (Kubernetes does not expand globs)`,
            );
        }
    }
    const writes = verbs.filter((v) => WRITE_VERBS.includes(v));
    if (writes.length > 0) {
        for (const resource of resources) {
            const group = GUARDED_RESOURCES[resource];
            if (group === undefined || !(groups.includes(group) || groups.includes("*"))) continue;
            problems.push(
                `grants ${writes.map((v) => `"${v}"`).join(", ")} on ${resource}; tenants must not change their RBAC, quotas, limits or network policies`,
            );
        }
    }
    return problems;
}
