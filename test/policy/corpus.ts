// The cross-tenant corpus of the ordinary forms: each row a change to the program's output and the
// rule that must block it; and the changes a platform engineer makes on purpose, which must pass.
import { idOf } from "./fixtures";
import type { World } from "./world";

const ACME_ID = idOf("acme");
const GLOBEX_ID = idOf("globex");
const acmeLabels = { "tenancy.io/tenant-id": ACME_ID, tier: "standard", "app.kubernetes.io/managed-by": "tenancy" };
const RB = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const CRB = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
const CM = "kubernetes:core/v1:ConfigMap";
const SA = (namespace: string, name = "agent-worker-sa") => ({ kind: "ServiceAccount", name, namespace });

/** One row of the corpus: a change to the program's output and the rule that must block it. */
export interface Mutation {
    /** What the change does, in a reviewer's words. */
    change: string;
    /** Rule that must report it. */
    rule: string;
    /** Text its message must contain (names the tenant and the resource). */
    says: string;
    /** The change. */
    apply: (w: World) => World;
}

/** The ordinary forms of every class the pack blocked before issue #10. */
export const MUTATIONS: Mutation[] = [
    {
        change: "a tenant Secret loses its namespace",
        rule: "require-explicit-namespace",
        says: `Secret "openai-api" (tenant ${ACME_ID}) does not set metadata.namespace`,
        apply: (w) => w.edit("acme-openai-api", (p) => delete p.metadata.namespace),
    },
    {
        change: "a hand-written ConfigMap without namespace",
        rule: "require-explicit-namespace",
        says: `ConfigMap "shared-config" does not set metadata.namespace`,
        apply: (w) => w.add(CM, "shared-config", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "shared-config" }, data: {} }),
    },
    {
        change: "acme's Secret moved into globex's namespace",
        rule: "enforce-tenant-ownership",
        says: `Secret "org-globex/openai-api" is created by tenant acme but lives in namespace "org-globex" of tenant globex`,
        apply: (w) => w.edit("acme-openai-api", (p) => (p.metadata.namespace = "org-globex")),
    },
    {
        change: "acme's RoleBinding moved into globex's namespace",
        rule: "enforce-tenant-ownership",
        says: `RoleBinding "org-globex/agent-secret-reader" is created by tenant acme but lives in namespace "org-globex" of tenant globex`,
        apply: (w) => w.edit("RoleBinding/acme-secret-reader", (p) => (p.metadata.namespace = "org-globex")),
    },
    {
        change: "acme's NetworkPolicy moved into initech's namespace",
        rule: "enforce-tenant-ownership",
        says: `NetworkPolicy "org-initech/allow-dns" is created by tenant acme but lives in namespace "org-initech" of tenant initech`,
        apply: (w) => w.edit("acme-allow-dns", (p) => (p.metadata.namespace = "org-initech")),
    },
    {
        change: "acme's ServiceAccount labelled as globex's",
        rule: "enforce-tenant-ownership",
        says: `ServiceAccount "org-acme/agent-worker-sa" of tenant acme carries tenancy.io/tenant-id=${GLOBEX_ID}`,
        apply: (w) => w.edit("acme-agent-sa", (p) => (p.metadata.labels["tenancy.io/tenant-id"] = GLOBEX_ID)),
    },
    {
        change: "a hand-written ConfigMap in acme's namespace labelled as globex's",
        rule: "enforce-tenant-ownership",
        says: `ConfigMap "org-acme/handoff" of tenant acme carries tenancy.io/tenant-id=${GLOBEX_ID}`,
        apply: (w) =>
            w.add(CM, "handoff", {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "handoff", namespace: "org-acme", labels: { ...acmeLabels, "tenancy.io/tenant-id": GLOBEX_ID } },
            }),
    },
    {
        change: "globex's namespace labelled with acme's id",
        rule: "enforce-tenant-ownership",
        says: `Namespace "org-globex" of tenant globex carries tenancy.io/tenant-id=${ACME_ID}; it must carry tenancy.io/tenant-id=${GLOBEX_ID}`,
        apply: (w) => w.edit("globex-namespace", (p) => (p.metadata.labels["tenancy.io/tenant-id"] = ACME_ID)),
    },
    {
        change: "globex's namespace relabelled and re-annotated with an id no tenant has",
        rule: "enforce-tenant-ownership",
        says: `Namespace "org-globex" of tenant globex carries tenancy.io/tenant-id=org_fresh01; it must carry tenancy.io/tenant-id=${GLOBEX_ID}`,
        apply: (w) =>
            w.edit("globex-namespace", (p) => {
                p.metadata.labels["tenancy.io/tenant-id"] = "org_fresh01";
                p.metadata.annotations["tenancy.io/org-id"] = "org_fresh01";
            }),
    },
    {
        change: "a hand-written namespace posing as a tenant",
        rule: "enforce-tenant-ownership",
        says: `Namespace "org-shadow" uses the tenant prefix "org-" but is not created by tenant shadow's Tenant component`,
        apply: (w) => w.add("kubernetes:core/v1:Namespace", "shadow", { apiVersion: "v1", kind: "Namespace", metadata: { name: "org-shadow", labels: acmeLabels } }),
    },
    {
        change: "acme's reader binding names globex's ServiceAccount",
        rule: "restrict-role-binding-subjects",
        says: `RoleBinding "org-acme/agent-secret-reader" of tenant acme binds ServiceAccount "org-globex/agent-worker-sa" of tenant globex`,
        apply: (w) => w.edit("RoleBinding/acme-secret-reader", (p) => (p.subjects = [SA("org-globex")])),
    },
    {
        change: "acme's binding names globex's ServiceAccount as a User",
        rule: "restrict-role-binding-subjects",
        says: `binds User "system:serviceaccount:org-globex:agent-worker-sa" of tenant globex`,
        apply: (w) =>
            w.edit("RoleBinding/acme-secret-reader", (p) => (p.subjects = [{ kind: "User", name: "system:serviceaccount:org-globex:agent-worker-sa" }])),
    },
    {
        change: "acme's binding names all of globex's ServiceAccounts",
        rule: "restrict-role-binding-subjects",
        says: `binds Group "system:serviceaccounts:org-globex" of tenant globex`,
        apply: (w) => w.edit("RoleBinding/acme-secret-reader", (p) => (p.subjects = [{ kind: "Group", name: "system:serviceaccounts:org-globex" }])),
    },
    {
        change: "acme's binding names every authenticated user",
        rule: "restrict-role-binding-subjects",
        says: `RoleBinding "org-acme/platform-agent-manager" of tenant acme binds Group "system:authenticated", which includes every tenant's principals`,
        apply: (w) => w.edit("RoleBinding/acme-platform-agent-manager", (p) => p.subjects.push({ kind: "Group", name: "system:authenticated" })),
    },
    {
        change: "initech's binding names unauthenticated users",
        rule: "restrict-role-binding-subjects",
        says: `RoleBinding "org-initech/agent-secret-reader" of tenant initech binds Group "system:unauthenticated"`,
        apply: (w) => w.edit("RoleBinding/initech-secret-reader", (p) => (p.subjects = [{ kind: "Group", name: "system:unauthenticated" }])),
    },
    {
        change: "a binding in kube-system names acme's ServiceAccount",
        rule: "restrict-role-binding-subjects",
        says: `RoleBinding "kube-system/acme-dns-debug" binds ServiceAccount "org-acme/agent-worker-sa" of tenant acme outside its namespace`,
        apply: (w) =>
            w.add(RB, "acme-dns-debug", {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata: { name: "acme-dns-debug", namespace: "kube-system" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "dns-reader" },
                subjects: [SA("org-acme")],
            }),
    },
    {
        change: "the platform binding in acme names a non-platform ServiceAccount",
        rule: "restrict-role-binding-subjects",
        says: `binds ServiceAccount "nats/nats-box" from namespace "nats"`,
        apply: (w) => w.edit("RoleBinding/acme-platform-agent-manager", (p) => (p.subjects = [SA("nats", "nats-box")])),
    },
    {
        change: "a ClusterRoleBinding grants acme's agents view everywhere",
        rule: "restrict-cluster-roles",
        says: `ClusterRoleBinding "acme-view" binds ServiceAccount "org-acme/agent-worker-sa" of tenant acme to ClusterRole "view" cluster-wide`,
        apply: (w) =>
            w.add(CRB, "acme-view", {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRoleBinding",
                metadata: { name: "acme-view" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
                subjects: [SA("org-acme")],
            }),
    },
    {
        change: "a ClusterRoleBinding grants every ServiceAccount",
        rule: "restrict-cluster-roles",
        says: `ClusterRoleBinding "all-sa-view" binds Group "system:serviceaccounts", which includes every tenant's principals`,
        apply: (w) =>
            w.add(CRB, "all-sa-view", {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRoleBinding",
                metadata: { name: "all-sa-view" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
                subjects: [{ kind: "Group", name: "system:serviceaccounts" }],
            }),
    },
    ...["cluster-admin", "admin", "edit"].map(
        (role): Mutation => ({
            change: `acme's reader binding references ClusterRole ${role}`,
            rule: "restrict-cluster-roles",
            says: `RoleBinding "org-acme/agent-secret-reader" of tenant acme references ClusterRole "${role}"`,
            apply: (w) =>
                w.edit("RoleBinding/acme-secret-reader", (p) => (p.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role })),
        }),
    ),
    {
        change: "acme's secret reader reads secrets by glob",
        rule: "require-least-privilege-roles",
        says: `Role "org-acme/agent-secret-reader" of tenant acme grants secrets by the pattern "agent-ssh-*"`,
        apply: (w) => w.edit("Role/acme-secret-reader", (p) => (p.rules[0].resourceNames = ["agent-ssh-*"])),
    },
    {
        change: "globex's secret reader reads every secret",
        rule: "require-least-privilege-roles",
        says: `Role "org-globex/agent-secret-reader" of tenant globex grants access to secrets without resourceNames`,
        apply: (w) => w.edit("Role/globex-secret-reader", (p) => delete p.rules[0].resourceNames),
    },
    {
        change: "acme's platform role gets every verb",
        rule: "require-least-privilege-roles",
        says: `Role "org-acme/platform-agent-manager" of tenant acme grants "*" in verbs`,
        apply: (w) => w.edit("Role/acme-platform-agent-manager", (p) => (p.rules[0].verbs = ["*"])),
    },
    {
        change: "acme's platform role may patch network policies",
        rule: "require-least-privilege-roles",
        says: `Role "org-acme/platform-agent-manager" of tenant acme grants "patch" on networkpolicies`,
        apply: (w) => w.edit("Role/acme-platform-agent-manager", (p) => p.rules.push({ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["patch"] })),
    },
    {
        change: "initech's reader may escalate roles",
        rule: "require-least-privilege-roles",
        says: `Role "org-initech/agent-secret-reader" of tenant initech grants the verb "escalate"`,
        apply: (w) => w.edit("Role/initech-secret-reader", (p) => p.rules.push({ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"] })),
    },
    {
        change: "acme admits ingress from every namespace",
        rule: "isolate-tenant-network-policies",
        says: `NetworkPolicy "org-acme/allow-same-namespace" of tenant acme admits ingress from every namespace (empty namespaceSelector)`,
        apply: (w) => w.edit("acme-allow-same-namespace", (p) => p.spec.ingress[0].from.push({ namespaceSelector: {} })),
    },
    {
        change: "acme's NATS egress points at globex's namespace",
        rule: "isolate-tenant-network-policies",
        says: `NetworkPolicy "org-acme/allow-nats" of tenant acme admits egress to namespace "org-globex" of tenant globex`,
        apply: (w) => w.edit("acme-allow-nats", (p) => (p.spec.egress[0].to[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"] = "org-globex")),
    },
    {
        change: "globex admits ingress from the whole internet",
        rule: "isolate-tenant-network-policies",
        says: `NetworkPolicy "org-globex/allow-same-namespace" of tenant globex admits ingress from the whole IPv4 internet (ipBlocks 0.0.0.0/0)`,
        apply: (w) => w.edit("globex-allow-same-namespace", (p) => p.spec.ingress[0].from.push({ ipBlock: { cidr: "0.0.0.0/0" } })),
    },
    {
        change: "acme's egress selects globex's namespaces by tenant label",
        rule: "isolate-tenant-network-policies",
        says: `admits egress to namespaces of tenant ${GLOBEX_ID} (tenancy.io/tenant-id=${GLOBEX_ID})`,
        apply: (w) => w.edit("acme-allow-same-namespace", (p) => p.spec.egress[0].to.push({ namespaceSelector: { matchLabels: { "tenancy.io/tenant-id": GLOBEX_ID } } })),
    },
    {
        change: "acme's ResourceQuota removed",
        rule: "require-tenant-baseline",
        says: `Tenant namespace "org-acme" (tenant acme) has no unscoped ResourceQuota (only priority-ceiling)`,
        apply: (w) => w.remove("acme-quota"),
    },
    {
        change: "globex's LimitRange removed",
        rule: "require-tenant-baseline",
        says: `Tenant namespace "org-globex" (tenant globex) has no LimitRange`,
        apply: (w) => w.remove("globex-limits"),
    },
    {
        change: "initech's default-deny policy removed",
        rule: "require-tenant-baseline",
        says: `Tenant namespace "org-initech" (tenant initech) has no default-deny NetworkPolicy`,
        apply: (w) => w.remove("initech-default-deny"),
    },
    {
        change: "acme's quota raised above the standard plan",
        rule: "require-tenant-baseline",
        says: `ResourceQuota "org-acme/quota" of tenant acme sets requests.cpu to 64, above the standard plan's ceiling of 10`,
        apply: (w) => w.edit("acme-quota", (p) => (p.spec.hard["requests.cpu"] = "64")),
    },
    {
        change: "a second ResourceQuota in acme's namespace",
        rule: "require-tenant-baseline",
        says: `Tenant namespace "org-acme" (tenant acme) has 2 unscoped ResourceQuotas (quota, quota-extra)`,
        apply: (w) =>
            w.add("kubernetes:core/v1:ResourceQuota", "acme-quota-extra", {
                apiVersion: "v1",
                kind: "ResourceQuota",
                metadata: { name: "quota-extra", namespace: "org-acme", labels: acmeLabels },
                spec: { hard: { pods: "1" } },
            }),
    },
    {
        change: "acme's namespace loses protection while active",
        rule: "protect-live-tenant-namespaces",
        says: `Namespace "org-acme" of tenant acme (lifecycle active) is not protected`,
        apply: (w) => w.options("acme-namespace", (o) => (o.protect = false)),
    },
    {
        change: "initech's namespace loses protection while suspended",
        rule: "protect-live-tenant-namespaces",
        says: `Namespace "org-initech" of tenant initech (lifecycle suspended) is not protected`,
        apply: (w) => w.options("initech-namespace", (o) => (o.protect = false)),
    },
];
