import { describe, expect, it } from "vitest";
import { restrictRoleBindingSubjects } from "../../policy/restrict-role-binding-subjects";
import { byName, CONFIG, world } from "./fixtures";
import { clone, fixture, runResourceRule, type Fixture } from "./support";

const TYPE = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const RULE = `; every subject must be in namespace "org-acme" or be a platform principal (ServiceAccount platform-system/agent-orchestrator).`;
const PREFIX = `RoleBinding "org-acme/agent-secret-reader" of tenant acme binds`;

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const binding = (name: string): Fixture => clone(byName(world(), `RoleBinding/${name}`));

function withSubject(subject: Record<string, string>) {
    const f = binding("acme-secret-reader");
    f.props.subjects = [subject];
    return f;
}

describe("restrict-role-binding-subjects", () => {
    it("accepts the tenant's own ServiceAccount and the platform orchestrator", () => {
        expect(runResourceRule(restrictRoleBindingSubjects, binding("acme-secret-reader"), CONFIG)).toEqual([]);
        expect(runResourceRule(restrictRoleBindingSubjects, binding("acme-platform-agent-manager"), CONFIG)).toEqual([]);
    });

    it("accepts a ServiceAccount subject without namespace (it defaults to the binding's)", () => {
        expect(runResourceRule(restrictRoleBindingSubjects, withSubject({ kind: "ServiceAccount", name: "agent-worker-sa" }), CONFIG)).toEqual([]);
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
        expect(runResourceRule(restrictRoleBindingSubjects, withSubject(subject), CONFIG)).toEqual([message]);
    });

    it("reports subjects unknown during preview, whole or in part, in tenant and platform namespaces", () => {
        const whole = binding("acme-secret-reader");
        whole.props.subjects = UNKNOWN;
        expect(runResourceRule(restrictRoleBindingSubjects, whole, CONFIG)).toEqual([
            `RoleBinding "org-acme/agent-secret-reader" of tenant acme has subjects that are unknown during preview; every subject of a RoleBinding must be known so the pack can tell whose principals it binds.`,
        ]);
        const unknownSubject = "binds a subject whose name is unknown during preview; every subject must be known so the pack can tell whose principal it is.";
        expect(runResourceRule(restrictRoleBindingSubjects, withSubject({ kind: "ServiceAccount", name: UNKNOWN }), CONFIG)).toEqual([`${PREFIX.slice(0, -" binds".length)} ${unknownSubject}`]);
        const platform = fixture(TYPE, "leases", {
            metadata: { name: "leases", namespace: "platform-system" },
            roleRef: { kind: "Role", name: "leases" },
            subjects: [{ kind: UNKNOWN, name: "agent-worker-sa", namespace: "org-acme" }],
        });
        expect(runResourceRule(restrictRoleBindingSubjects, platform, CONFIG)).toEqual([
            `RoleBinding "platform-system/leases" binds a subject whose kind is unknown during preview; every subject must be known so the pack can tell whose principal it is.`,
        ]);
    });

    it("leaves a binding whose namespace is unknown to require-explicit-namespace", () => {
        const f = withSubject({ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-globex" });
        f.props.metadata.namespace = UNKNOWN;
        expect(runResourceRule(restrictRoleBindingSubjects, f, CONFIG)).toEqual([]);
    });

    it("reports a binding in kube-system naming a tenant's ServiceAccount", () => {
        const binding = fixture(TYPE, "sneaky", {
            metadata: { name: "sneaky", namespace: "kube-system" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "extension-apiserver-authentication-reader" },
            subjects: [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-acme" }],
        });
        expect(runResourceRule(restrictRoleBindingSubjects, binding, CONFIG)).toEqual([
            `RoleBinding "kube-system/sneaky" binds ServiceAccount "org-acme/agent-worker-sa" of tenant acme outside its namespace; a tenant's principals may be bound only in their own namespace "org-acme".`,
        ]);
    });

    it("leaves platform-internal bindings outside tenant namespaces alone", () => {
        const binding = fixture(TYPE, "nats-reader", {
            metadata: { name: "nats-reader", namespace: "nats" },
            roleRef: { kind: "Role", name: "reader" },
            subjects: [{ kind: "ServiceAccount", name: "nats-box", namespace: "platform-system" }],
        });
        expect(runResourceRule(restrictRoleBindingSubjects, binding, CONFIG)).toEqual([]);
    });

    it("honours configured platform principals", () => {
        const f = withSubject({ kind: "Group", name: "sre-oncall" });
        expect(runResourceRule(restrictRoleBindingSubjects, f, CONFIG)).toHaveLength(1);
        expect(runResourceRule(restrictRoleBindingSubjects, f, { ...CONFIG, platformPrincipals: [{ kind: "Group", name: "sre-oncall" }] })).toEqual([]);
    });
});
