import { describe, expect, it } from "vitest";
import { restrictRoleBindingSubjects } from "../../policy/restrict-role-binding-subjects";
import { ACME, platformBinding, secretReaderBinding } from "./fixtures";
import { fixture, runResourceRule } from "./support";

const TYPE = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const RULE = `; every subject must be in namespace "org-acme" or be a platform principal (ServiceAccount platform-system/agent-orchestrator).`;
const PREFIX = `RoleBinding "org-acme/agent-secret-reader" of tenant acme binds`;

function withSubject(subject: Record<string, string>) {
    const props = secretReaderBinding(ACME);
    props.subjects = [subject as (typeof props.subjects)[number]];
    return fixture(TYPE, "acme-secret-reader", props);
}

describe("restrict-role-binding-subjects", () => {
    it("accepts the tenant's own ServiceAccount and the platform orchestrator", () => {
        expect(runResourceRule(restrictRoleBindingSubjects, fixture(TYPE, "a", secretReaderBinding(ACME)))).toEqual([]);
        expect(runResourceRule(restrictRoleBindingSubjects, fixture(TYPE, "b", platformBinding(ACME)))).toEqual([]);
    });

    it("accepts a ServiceAccount subject without namespace (it defaults to the binding's)", () => {
        expect(runResourceRule(restrictRoleBindingSubjects, withSubject({ kind: "ServiceAccount", name: "agent-worker-sa" }))).toEqual([]);
    });

    it.each([
        [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-globex" }, `${PREFIX} ServiceAccount "org-globex/agent-worker-sa" of tenant globex${RULE}`],
        [{ kind: "User", name: "system:serviceaccount:org-globex:agent-worker-sa" }, `${PREFIX} User "system:serviceaccount:org-globex:agent-worker-sa" of tenant globex${RULE}`],
        [{ kind: "Group", name: "system:serviceaccounts:org-globex" }, `${PREFIX} Group "system:serviceaccounts:org-globex" of tenant globex${RULE}`],
        [{ kind: "Group", name: "system:serviceaccounts" }, `${PREFIX} Group "system:serviceaccounts", which includes every tenant's principals${RULE}`],
        [{ kind: "Group", name: "system:authenticated" }, `${PREFIX} Group "system:authenticated", which includes every tenant's principals${RULE}`],
        [{ kind: "Group", name: "system:unauthenticated" }, `${PREFIX} Group "system:unauthenticated", which includes every tenant's principals${RULE}`],
        [{ kind: "ServiceAccount", name: "default", namespace: "default" }, `${PREFIX} ServiceAccount "default/default" from namespace "default"${RULE}`],
        [{ kind: "User", name: "mallory@example.com" }, `${PREFIX} User "mallory@example.com", which belongs to no namespace${RULE}`],
    ])("reports subject %j", (subject, message) => {
        expect(runResourceRule(restrictRoleBindingSubjects, withSubject(subject))).toEqual([message]);
    });

    it("reports a binding in kube-system naming a tenant's ServiceAccount", () => {
        const binding = fixture(TYPE, "sneaky", {
            metadata: { name: "sneaky", namespace: "kube-system" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "extension-apiserver-authentication-reader" },
            subjects: [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-acme" }],
        });
        expect(runResourceRule(restrictRoleBindingSubjects, binding)).toEqual([
            `RoleBinding "kube-system/sneaky" binds ServiceAccount "org-acme/agent-worker-sa" of tenant acme outside its namespace; a tenant's principals may be bound only in their own namespace "org-acme".`,
        ]);
    });

    it("leaves platform-internal bindings outside tenant namespaces alone", () => {
        const binding = fixture(TYPE, "nats-reader", {
            metadata: { name: "nats-reader", namespace: "nats" },
            roleRef: { kind: "Role", name: "reader" },
            subjects: [{ kind: "ServiceAccount", name: "nats-box", namespace: "platform-system" }],
        });
        expect(runResourceRule(restrictRoleBindingSubjects, binding)).toEqual([]);
    });

    it("honours configured platform principals", () => {
        const f = withSubject({ kind: "Group", name: "sre-oncall" });
        expect(runResourceRule(restrictRoleBindingSubjects, f)).toHaveLength(1);
        expect(runResourceRule(restrictRoleBindingSubjects, f, { platformPrincipals: [{ kind: "Group", name: "sre-oncall" }] })).toEqual([]);
    });
});
