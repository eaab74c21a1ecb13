import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, readConfig, type GuardConfig } from "./config";
import { arrayOf, describeObject, kindOf, metadataOf, tenantOfNamespace } from "./helpers";

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
export const requireLeastPrivilegeRoles: ResourceValidationPolicy = {
    name: "require-least-privilege-roles",
    description:
        "Checks that Roles in tenant namespaces use no wildcards, grant secrets only by exact resourceNames, and cannot escalate or change RBAC, quotas, limits or network policies.",
    enforcementLevel: "mandatory",
    configSchema: configSchemaFor(["tenantNamespacePrefix"]),
    validateResource: (args, reportViolation) => {
        if (kindOf(args.type) !== "Role") return;
        const config = readConfig(args.getConfig<Partial<GuardConfig>>());
        const slug = tenantOfNamespace(metadataOf(args.props).namespace, config);
        if (!slug) return;
        const role = `${describeObject(args.type, args.name, args.props)} of tenant ${slug}`;
        arrayOf<PolicyRule>(args.props.rules).forEach((rule, i) => {
            for (const problem of ruleProblems(rule)) reportViolation(`${role} ${problem} (rule ${i + 1}).`);
        });
    },
};

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
