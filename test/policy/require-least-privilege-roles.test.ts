import { describe, expect, it } from "vitest";
import { requireLeastPrivilegeRoles } from "../../policy/require-least-privilege-roles";
import { ACME, platformRole, secretReaderRole } from "./fixtures";
import { fixture, runResourceRule } from "./support";

const TYPE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const ROLE = `Role "org-acme/agent-secret-reader" of tenant acme`;

function withRule(rule: Record<string, string[]>) {
    const props = secretReaderRole(ACME);
    props.rules = [rule as (typeof props.rules)[number]];
    return fixture(TYPE, "acme-secret-reader", props);
}

describe("require-least-privilege-roles", () => {
    it("accepts the program's two tenant Roles", () => {
        expect(runResourceRule(requireLeastPrivilegeRoles, fixture(TYPE, "a", secretReaderRole(ACME)))).toEqual([]);
        expect(runResourceRule(requireLeastPrivilegeRoles, fixture(TYPE, "b", platformRole(ACME)))).toEqual([]);
    });

    it.each([
        [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }, `grants "*" in verbs; tenant Roles must list verbs, resources and apiGroups explicitly`],
        [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }, `grants "*" in resources; tenant Roles must list verbs, resources and apiGroups explicitly`],
        [{ apiGroups: ["*"], resources: ["pods"], verbs: ["get"] }, `grants "*" in apiGroups; tenant Roles must list verbs, resources and apiGroups explicitly`],
        [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }, "grants access to secrets without resourceNames; secrets must be granted by exact resourceNames"],
        [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: [] }, "grants access to secrets without resourceNames; secrets must be granted by exact resourceNames"],
        [
            { apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["agent-ssh-*"] },
            `grants secrets by the pattern "agent-ssh-*"; resourceNames must be exact secret names (Kubernetes does not expand globs)`,
        ],
        [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["bind"] }, `grants the verb "bind"; tenant Roles must not bind, escalate or impersonate`],
        [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"] }, `grants the verb "escalate"; tenant Roles must not bind, escalate or impersonate`],
        [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }, `grants the verb "impersonate"; tenant Roles must not bind, escalate or impersonate`],
        [
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create", "patch"] },
            `grants "create", "patch" on rolebindings; tenants must not change their RBAC, quotas, limits or network policies`,
        ],
        [
            { apiGroups: [""], resources: ["resourcequotas"], verbs: ["update"] },
            `grants "update" on resourcequotas; tenants must not change their RBAC, quotas, limits or network policies`,
        ],
        [
            { apiGroups: [""], resources: ["limitranges"], verbs: ["delete"] },
            `grants "delete" on limitranges; tenants must not change their RBAC, quotas, limits or network policies`,
        ],
        [
            { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["patch"] },
            `grants "patch" on networkpolicies; tenants must not change their RBAC, quotas, limits or network policies`,
        ],
    ])("reports %j", (rule, problem) => {
        expect(runResourceRule(requireLeastPrivilegeRoles, withRule(rule))).toEqual([`${ROLE} ${problem} (rule 1).`]);
    });

    it("allows reading the multi-tenancy resources", () => {
        const f = withRule({ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch"] });
        expect(runResourceRule(requireLeastPrivilegeRoles, f)).toEqual([]);
    });

    it("numbers the offending rule", () => {
        const props = platformRole(ACME);
        props.rules.push({ apiGroups: [""], resources: ["pods"], verbs: ["*"] });
        expect(runResourceRule(requireLeastPrivilegeRoles, fixture(TYPE, "b", props))).toEqual([
            `Role "org-acme/platform-agent-manager" of tenant acme grants "*" in verbs; tenant Roles must list verbs, resources and apiGroups explicitly (rule 3).`,
        ]);
    });

    it("ignores Roles outside tenant namespaces", () => {
        const f = fixture(TYPE, "sys", { metadata: { name: "sys", namespace: "kube-system" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] });
        expect(runResourceRule(requireLeastPrivilegeRoles, f)).toEqual([]);
    });
});
