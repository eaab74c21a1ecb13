import { describe, expect, it } from "vitest";
import { restrictClusterRoles } from "../../policy/restrict-cluster-roles";
import { byName, CONFIG, world } from "./fixtures";
import { clone, fixture, runResourceRule } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const CR = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const AGGREGATE_RULE = "no ClusterRole may add rules to or redefine view, edit, admin, cluster-admin, which tenant namespaces may be granted.";

const CRB = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";

function clusterBinding(subject: Record<string, string>) {
    return fixture(CRB, "crb", {
        metadata: { name: "crb" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [subject],
    });
}

const readerBinding = () => clone(byName(world(), "RoleBinding/acme-secret-reader"));

function roleBindingTo(name: string) {
    const f = readerBinding();
    f.props.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name };
    return f;
}

const clusterRole = (name: string, labels?: unknown, extra: Record<string, unknown> = {}) =>
    fixture(CR, name, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, ...(labels !== undefined ? { labels } : {}) }, rules: [], ...extra });

describe("restrict-cluster-roles", () => {
    it("accepts a tenant RoleBinding to its own Role and to the allowed ClusterRole view", () => {
        expect(runResourceRule(restrictClusterRoles, readerBinding(), CONFIG)).toEqual([]);
        expect(runResourceRule(restrictClusterRoles, roleBindingTo("view"), CONFIG)).toEqual([]);
    });

    it("accepts a ClusterRoleBinding of platform principals", () => {
        expect(runResourceRule(restrictClusterRoles, clusterBinding({ kind: "ServiceAccount", name: "agent-orchestrator", namespace: "platform-system" }), CONFIG)).toEqual([]);
    });

    it.each([
        [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-acme" }, `ServiceAccount "org-acme/agent-worker-sa" of tenant acme`],
        [{ kind: "User", name: "system:serviceaccount:org-acme:agent-worker-sa" }, `User "system:serviceaccount:org-acme:agent-worker-sa" of tenant acme`],
        [{ kind: "Group", name: "system:serviceaccounts:org-acme" }, `Group "system:serviceaccounts:org-acme" of tenant acme`],
        [{ kind: "Group", name: "system:authenticated" }, `Group "system:authenticated", which includes every tenant's principals,`],
    ])("reports a ClusterRoleBinding naming %j", (subject, who) => {
        expect(runResourceRule(restrictClusterRoles, clusterBinding(subject), CONFIG)).toEqual([
            `ClusterRoleBinding "crb" binds ${who} to ClusterRole "view" cluster-wide; no ClusterRoleBinding may name a tenant principal.`,
        ]);
    });

    it.each(["cluster-admin", "admin", "edit"])("reports a tenant RoleBinding to ClusterRole %s", (name) => {
        expect(runResourceRule(restrictClusterRoles, roleBindingTo(name), CONFIG)).toEqual([
            `RoleBinding "org-acme/agent-secret-reader" of tenant acme references ClusterRole "${name}", which grants write access to the whole namespace; RoleBindings in tenant namespaces may reference only the ClusterRoles view or a Role of their own namespace.`,
        ]);
    });

    it("reports a ClusterRole outside the allow-list and honours a configured allow-list", () => {
        expect(runResourceRule(restrictClusterRoles, roleBindingTo("secret-lister"), CONFIG)).toEqual([
            `RoleBinding "org-acme/agent-secret-reader" of tenant acme references ClusterRole "secret-lister"; RoleBindings in tenant namespaces may reference only the ClusterRoles view or a Role of their own namespace.`,
        ]);
        expect(runResourceRule(restrictClusterRoles, roleBindingTo("secret-lister"), { ...CONFIG, allowedClusterRoles: ["view", "secret-lister"] })).toEqual([]);
    });

    it("never allows edit even when the config lists it", () => {
        expect(runResourceRule(restrictClusterRoles, roleBindingTo("edit"), { ...CONFIG, allowedClusterRoles: ["edit"] })).toEqual([
            `RoleBinding "org-acme/agent-secret-reader" of tenant acme references ClusterRole "edit", which grants write access to the whole namespace; RoleBindings in tenant namespaces may reference only the ClusterRoles (none allowed) or a Role of their own namespace.`,
        ]);
    });

    it("reports a ClusterRoleBinding or tenant RoleBinding whose deciding values are unknown during preview", () => {
        const binding = clusterBinding({ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-acme" });
        binding.props.subjects = UNKNOWN;
        expect(runResourceRule(restrictClusterRoles, binding, CONFIG)).toEqual([
            `ClusterRoleBinding "crb" has subjects that are unknown during preview; a ClusterRoleBinding's subjects must be known so the pack can tell that no tenant principal is among them.`,
        ]);
        expect(runResourceRule(restrictClusterRoles, clusterBinding({ kind: "Group", name: UNKNOWN }), CONFIG)).toEqual([
            `ClusterRoleBinding "crb" binds a subject whose name is unknown during preview; every subject must be known so the pack can tell whose principal it is.`,
        ]);
        const rb = readerBinding();
        rb.props.roleRef = UNKNOWN;
        expect(runResourceRule(restrictClusterRoles, rb, CONFIG)).toEqual([
            `RoleBinding "org-acme/agent-secret-reader" of tenant acme has a roleRef that is unknown during preview; the role a tenant RoleBinding grants must be known.`,
        ]);
    });

    it("accepts ClusterRoles that neither aggregate into nor redefine a role tenants are granted", () => {
        expect(runResourceRule(restrictClusterRoles, clusterRole("metrics-reader", { "app.kubernetes.io/part-of": "monitoring" }), CONFIG)).toEqual([]);
        expect(runResourceRule(restrictClusterRoles, clusterRole("metrics-reader", { "rbac.authorization.k8s.io/aggregate-to-view": "false" }), CONFIG)).toEqual([]);
    });

    it.each(["view", "edit", "admin"])("reports a ClusterRole that aggregates into %s", (target) => {
        expect(runResourceRule(restrictClusterRoles, clusterRole("extra", { [`rbac.authorization.k8s.io/aggregate-to-${target}`]: "true" }), CONFIG)).toEqual([
            `ClusterRole "extra" carries rbac.authorization.k8s.io/aggregate-to-${target}=true, so it aggregates into ClusterRole "${target}"; ${AGGREGATE_RULE}`,
        ]);
    });

    it("reports aggregation into a configured allow-listed ClusterRole, and a label unknown during preview", () => {
        const config = { ...CONFIG, allowedClusterRoles: ["view", "agent-debugger"] };
        const rule = "no ClusterRole may add rules to or redefine view, edit, admin, cluster-admin, agent-debugger, which tenant namespaces may be granted.";
        expect(runResourceRule(restrictClusterRoles, clusterRole("extra", { "rbac.authorization.k8s.io/aggregate-to-agent-debugger": "true" }), config)).toEqual([
            `ClusterRole "extra" carries rbac.authorization.k8s.io/aggregate-to-agent-debugger=true, so it aggregates into ClusterRole "agent-debugger"; ${rule}`,
        ]);
        expect(runResourceRule(restrictClusterRoles, clusterRole("extra", { "rbac.authorization.k8s.io/aggregate-to-edit": UNKNOWN }), CONFIG)).toEqual([
            `ClusterRole "extra" carries rbac.authorization.k8s.io/aggregate-to-edit unknown during preview, so it may aggregate into ClusterRole "edit"; ${AGGREGATE_RULE}`,
        ]);
    });

    it("reports a redefinition of view by aggregationRule, and a ClusterRole whose name is unknown during preview", () => {
        const view = clusterRole("view", undefined, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "example.com/extra": "true" } }] } });
        expect(runResourceRule(restrictClusterRoles, view, CONFIG)).toEqual([`ClusterRole "view" redefines a ClusterRole tenants are granted; ${AGGREGATE_RULE}`]);
        const unnamed = fixture(CR, "mystery", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: UNKNOWN }, rules: [] });
        expect(runResourceRule(restrictClusterRoles, unnamed, CONFIG)).toEqual([
            `ClusterRole "(unknown during preview)" has a name that is unknown during preview, so it may redefine a ClusterRole tenants are granted; ${AGGREGATE_RULE}`,
        ]);
    });
});
