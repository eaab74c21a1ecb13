import { describe, expect, it } from "vitest";
import { restrictClusterRoles } from "../../policy/restrict-cluster-roles";
import { ACME, secretReaderBinding } from "./fixtures";
import { fixture, runResourceRule } from "./support";

const RB = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const CRB = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";

function clusterBinding(subject: Record<string, string>) {
    return fixture(CRB, "crb", {
        metadata: { name: "crb" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [subject],
    });
}

function roleBindingTo(name: string) {
    const props = secretReaderBinding(ACME);
    props.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name };
    return fixture(RB, "acme-secret-reader", props);
}

describe("restrict-cluster-roles", () => {
    it("accepts a tenant RoleBinding to its own Role and to the allowed ClusterRole view", () => {
        expect(runResourceRule(restrictClusterRoles, fixture(RB, "a", secretReaderBinding(ACME)))).toEqual([]);
        expect(runResourceRule(restrictClusterRoles, roleBindingTo("view"))).toEqual([]);
    });

    it("accepts a ClusterRoleBinding of platform principals", () => {
        expect(runResourceRule(restrictClusterRoles, clusterBinding({ kind: "ServiceAccount", name: "agent-orchestrator", namespace: "platform-system" }))).toEqual([]);
    });

    it.each([
        [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-acme" }, `ServiceAccount "org-acme/agent-worker-sa" of tenant acme`],
        [{ kind: "User", name: "system:serviceaccount:org-acme:agent-worker-sa" }, `User "system:serviceaccount:org-acme:agent-worker-sa" of tenant acme`],
        [{ kind: "Group", name: "system:serviceaccounts:org-acme" }, `Group "system:serviceaccounts:org-acme" of tenant acme`],
        [{ kind: "Group", name: "system:authenticated" }, `Group "system:authenticated", which includes every tenant's principals,`],
    ])("reports a ClusterRoleBinding naming %j", (subject, who) => {
        expect(runResourceRule(restrictClusterRoles, clusterBinding(subject))).toEqual([
            `ClusterRoleBinding "crb" binds ${who} to ClusterRole "view" cluster-wide; no ClusterRoleBinding may name a tenant principal.`,
        ]);
    });

    it.each(["cluster-admin", "admin", "edit"])("reports a tenant RoleBinding to ClusterRole %s", (name) => {
        expect(runResourceRule(restrictClusterRoles, roleBindingTo(name))).toEqual([
            `RoleBinding "org-acme/agent-secret-reader" of tenant acme references ClusterRole "${name}", which grants write access to the whole namespace; RoleBindings in tenant namespaces may reference only the ClusterRoles view or a Role of their own namespace.`,
        ]);
    });

    it("reports a ClusterRole outside the allow-list and honours a configured allow-list", () => {
        expect(runResourceRule(restrictClusterRoles, roleBindingTo("secret-lister"))).toEqual([
            `RoleBinding "org-acme/agent-secret-reader" of tenant acme references ClusterRole "secret-lister"; RoleBindings in tenant namespaces may reference only the ClusterRoles view or a Role of their own namespace.`,
        ]);
        expect(runResourceRule(restrictClusterRoles, roleBindingTo("secret-lister"), { allowedClusterRoles: ["view", "secret-lister"] })).toEqual([]);
    });

    it("never allows edit even when the config lists it", () => {
        expect(runResourceRule(restrictClusterRoles, roleBindingTo("edit"), { allowedClusterRoles: ["edit"] })).toEqual([
            `RoleBinding "org-acme/agent-secret-reader" of tenant acme references ClusterRole "edit", which grants write access to the whole namespace; RoleBindings in tenant namespaces may reference only the ClusterRoles (none allowed) or a Role of their own namespace.`,
        ]);
    });
});
