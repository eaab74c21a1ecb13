import { describe, expect, it } from "vitest";
import { requireLeastPrivilegeRoles } from "../../policy/require-least-privilege-roles";
import { byName, CONFIG, world } from "./fixtures";
import { rewrite } from "./forms";
import { clone, fixture, runResourceRule } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const role = (name: string) => clone(byName(world(), `Role/${name}`));

const TYPE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const ROLE = `Role "org-acme/agent-secret-reader" of tenant acme`;

function withRule(rule: Record<string, string[]>) {
    const f = role("acme-secret-reader");
    f.props.rules = [rule];
    return f;
}

describe("require-least-privilege-roles", () => {
    it("accepts the program's two tenant Roles", () => {
        expect(runResourceRule(requireLeastPrivilegeRoles, role("acme-secret-reader"), CONFIG)).toEqual([]);
        expect(runResourceRule(requireLeastPrivilegeRoles, role("acme-platform-agent-manager"), CONFIG)).toEqual([]);
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
        expect(runResourceRule(requireLeastPrivilegeRoles, withRule(rule), CONFIG)).toEqual([`${ROLE} ${problem} (rule 1).`]);
    });

    it("allows reading the multi-tenancy resources", () => {
        const f = withRule({ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch"] });
        expect(runResourceRule(requireLeastPrivilegeRoles, f, CONFIG)).toEqual([]);
    });

    it("numbers the offending rule", () => {
        const f = role("acme-platform-agent-manager");
        f.props.rules.push({ apiGroups: [""], resources: ["pods"], verbs: ["*"] });
        expect(runResourceRule(requireLeastPrivilegeRoles, f, CONFIG)).toEqual([
            `Role "org-acme/platform-agent-manager" of tenant acme grants "*" in verbs; tenant Roles must list verbs, resources and apiGroups explicitly (rule 3).`,
        ]);
    });

    it("ignores Roles outside tenant namespaces", () => {
        const f = fixture(TYPE, "sys", { metadata: { name: "sys", namespace: "kube-system" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] });
        expect(runResourceRule(requireLeastPrivilegeRoles, f, CONFIG)).toEqual([]);
    });

    it("reports rules unknown during preview, whole or in part", () => {
        const whole = role("acme-secret-reader");
        whole.props.rules = UNKNOWN;
        expect(runResourceRule(requireLeastPrivilegeRoles, whole, CONFIG)).toEqual([
            `${ROLE} has rules unknown during preview; what a tenant Role grants must be known so the pack can check it.`,
        ]);
        expect(runResourceRule(requireLeastPrivilegeRoles, withRule({ apiGroups: [""], resources: ["secrets"], verbs: [UNKNOWN] }), CONFIG)).toEqual([
            `${ROLE} has rules[0].verbs[0] unknown during preview; what a tenant Role grants must be known so the pack can check it.`,
        ]);
    });

    it("judges a Role Patch and a Role in a List like the Role itself", () => {
        const wildcard = (b: Record<string, any>) => (b.rules = [{ apiGroups: [""], resources: ["secrets"], verbs: ["*"], resourceNames: ["openai-api"] }]);
        for (const [form, note] of [
            ["patch", ' (patched by kubernetes:rbac.authorization.k8s.io/v1:RolePatch "acme-secret-reader-patch")'],
            ["list", ' (item 1 of kubernetes:rbac.authorization.k8s.io/v1:RoleList "acme-secret-reader-list")'],
        ] as const) {
            const { fixtures, urn } = rewrite(world(), "Role/acme-secret-reader", form, wildcard);
            expect(runResourceRule(requireLeastPrivilegeRoles, fixtures.find((f) => f.urn === urn)!, CONFIG), form).toEqual([
                `Role "org-acme/agent-secret-reader"${note} of tenant acme grants "*" in verbs; tenant Roles must list verbs, resources and apiGroups explicitly (rule 1).`,
            ]);
        }
    });
});
