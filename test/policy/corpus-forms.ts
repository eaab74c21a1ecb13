// The corpus of issue #10, through the real pack process: each class written as the attacker
// wrote it — a Patch, a List, a generic or Node-token custom resource, a yaml component, a value
// unknown during preview, CIDR arithmetic — and the classes the pack did not have before.
import { UNKNOWN } from "../../cli/engine";
import type { Mutation } from "./corpus";
import { idOf } from "./fixtures";

const ACME_ID = idOf("acme");
const acmeMeta = (name: string) => ({ name, namespace: "org-acme", labels: { "tenancy.io/tenant-id": ACME_ID, tier: "standard", "app.kubernetes.io/managed-by": "tenancy" } });
const ACME = { type: "tenancy:tenant:Tenant", name: "acme" };
const egress = (name: string, cidrs: string[]) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: acmeMeta(name),
    spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) }] },
});

/** Rows in the forms and classes the pack used to miss. */
export const FORM_MUTATIONS: Mutation[] = [
    {
        change: "a Patch raises acme's quota",
        rule: "require-tenant-baseline",
        says: `ResourceQuota "org-acme/quota" (patched by kubernetes:core/v1:ResourceQuotaPatch "acme-quota-raise") of tenant acme sets requests.cpu to 64, above the standard plan's ceiling of 10.`,
        apply: (w) => w.add("kubernetes:core/v1:ResourceQuotaPatch", "acme-quota-raise", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "quota", namespace: "org-acme" }, spec: { hard: { "requests.cpu": "64" } } }),
    },
    {
        change: "a Patch scopes acme's baseline quota away from most pods",
        rule: "require-tenant-baseline",
        says: `ResourceQuota "org-acme/quota" (patched by kubernetes:core/v1:ResourceQuotaPatch "acme-quota-scope") of tenant acme sets spec.scopes (BestEffort)`,
        apply: (w) => w.add("kubernetes:core/v1:ResourceQuotaPatch", "acme-quota-scope", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "quota", namespace: "org-acme" }, spec: { scopes: ["BestEffort"] } }),
    },
    {
        change: "a Patch opens acme's default-deny policy",
        rule: "require-tenant-baseline",
        says: `Tenant namespace "org-acme" (tenant acme) has no default-deny NetworkPolicy`,
        apply: (w) => w.add("kubernetes:networking.k8s.io/v1:NetworkPolicyPatch", "acme-open", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: "org-acme" }, spec: { ingress: [{}] } }),
    },
    {
        change: "a RoleBindingList in acme's namespace binds globex's ServiceAccount",
        rule: "restrict-role-binding-subjects",
        says: `RoleBinding "org-acme/peek" (item 1 of kubernetes:rbac.authorization.k8s.io/v1:RoleBindingList "acme-peek") of tenant acme binds ServiceAccount "org-globex/agent-worker-sa" of tenant globex`,
        apply: (w) =>
            w.add("kubernetes:rbac.authorization.k8s.io/v1:RoleBindingList", "acme-peek", {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBindingList",
                items: [{ metadata: acmeMeta("peek"), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "agent-secret-reader" }, subjects: [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-globex" }] }],
            }, ACME),
    },
    {
        change: "a generic CustomResource binds ClusterRole admin in acme's namespace",
        rule: "restrict-cluster-roles",
        says: `RoleBinding "org-acme/admin" (declared as kubernetes:apiextensions.k8s.io:CustomResource "acme-admin") of tenant acme references ClusterRole "admin"`,
        apply: (w) =>
            w.add("kubernetes:apiextensions.k8s.io:CustomResource", "acme-admin", {
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: acmeMeta("admin"),
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" }, subjects: [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-acme" }],
            }, ACME),
    },
    {
        change: "a yaml ConfigGroup grants acme's agents view cluster-wide",
        rule: "restrict-cluster-roles",
        says: `ClusterRoleBinding "acme-view" (object 1 of kubernetes:yaml/v2:ConfigGroup "extras") binds ServiceAccount "org-acme/agent-worker-sa" of tenant acme to ClusterRole "view" cluster-wide`,
        apply: (w) =>
            w.add("kubernetes:yaml/v2:ConfigGroup", "extras", {
                yaml: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: acme-view}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: agent-worker-sa, namespace: org-acme}]\n",
            }),
    },
    {
        change: "acme's reader binding names a ServiceAccount whose namespace is unknown during preview",
        rule: "restrict-role-binding-subjects",
        says: `RoleBinding "org-acme/agent-secret-reader" of tenant acme binds a subject whose namespace is unknown during preview`,
        apply: (w) => w.edit("RoleBinding/acme-secret-reader", (p) => (p.subjects[0].namespace = UNKNOWN)),
    },
    {
        change: "globex's namespace label unknown during preview",
        rule: "enforce-tenant-ownership",
        says: `Namespace "org-globex" of tenant globex carries tenancy.io/tenant-id unknown during preview`,
        apply: (w) => w.edit("globex-namespace", (p) => (p.metadata.labels["tenancy.io/tenant-id"] = UNKNOWN)),
    },
    {
        change: "two acme policies whose blocks together cover the IPv4 internet",
        rule: "limit-tenant-ip-blocks",
        says: "The NetworkPolicies of tenant acme together admit egress to the whole IPv4 internet",
        apply: (w) =>
            w
                .add("kubernetes:networking.k8s.io/v1:NetworkPolicy", "acme-low", egress("low", ["0.0.0.0/2"]), ACME)
                .add("kubernetes:networking.k8s.io/v1:NetworkPolicy", "acme-high", egress("high", ["::ffff:64.0.0.0/98"]), ACME),
    },
    {
        change: "acme's egress reaches the metadata address through NAT64",
        rule: "isolate-tenant-network-policies",
        says: `NetworkPolicy "org-acme/allow-egress-cidrs" of tenant acme admits egress to the cloud metadata address 169.254.169.254 (ipBlock 64:ff9b::a9fe:a9fe/128)`,
        apply: (w) => w.edit("acme-allow-egress-cidrs", (p) => p.spec.egress[0].to.push({ ipBlock: { cidr: "64:ff9b::a9fe:a9fe/128" } })),
    },
    {
        change: "acme's egress reaches the cluster's pod range",
        rule: "isolate-tenant-network-policies",
        says: `admits egress to the cluster's pod range 10.244.0.0/16, which holds every tenant's pods (ipBlock 10.0.0.0/8)`,
        apply: (w) => w.edit("acme-allow-egress-cidrs", (p) => p.spec.egress[0].to.push({ ipBlock: { cidr: "10.0.0.0/8" } })),
    },
    {
        change: "acme's namespace enforces privileged pods",
        rule: "require-pod-security-admission",
        says: `Namespace "org-acme" of tenant acme enforces Pod Security "privileged"`,
        apply: (w) => w.edit("acme-namespace", (p) => (p.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged")),
    },
    {
        change: "an ExternalName Service in acme's namespace aliases globex's",
        rule: "restrict-cross-namespace-references",
        says: `Service "org-acme/api" of tenant acme is an ExternalName Service (to "api.org-globex.svc.cluster.local")`,
        apply: (w) => w.add("kubernetes:core/v1:Service", "acme-api", { apiVersion: "v1", kind: "Service", metadata: acmeMeta("api"), spec: { type: "ExternalName", externalName: "api.org-globex.svc.cluster.local" } }, ACME),
    },
    {
        change: "a ClusterRole aggregates secrets into edit",
        rule: "restrict-cluster-roles",
        says: `ClusterRole "secret-editor" carries rbac.authorization.k8s.io/aggregate-to-edit=true`,
        apply: (w) =>
            w.add("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "secret-editor", {
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "secret-editor", labels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" } },
                rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }],
            }),
    },
    {
        change: "a PersistentVolume pre-bound to a claim in globex's namespace",
        rule: "forbid-tenant-cluster-objects",
        says: `PersistentVolume "acme-data" is pre-bound by its claimRef to a claim in namespace "org-globex" of tenant globex`,
        apply: (w) =>
            w.add("kubernetes:core/v1:PersistentVolume", "acme-data", { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "acme-data" }, spec: { capacity: { storage: "1Gi" }, hostPath: { path: "/data/acme" }, claimRef: { namespace: "org-globex", name: "data" } } }),
    },
    {
        change: "a ClusterRole declared under acme's component",
        rule: "forbid-tenant-cluster-objects",
        says: `ClusterRole "acme-nodes" is a cluster-scoped object declared under tenant acme's component`,
        apply: (w) => w.add("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "acme-nodes", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "acme-nodes" }, rules: [] }, ACME),
    },
    {
        change: "a pod in acme's namespace asks for the enterprise plan's priority",
        rule: "limit-tenant-priority",
        says: `Pod "org-acme/fast" of tenant acme names priorityClassName "tenancy-enterprise" (spec.priorityClassName)`,
        apply: (w) => w.add("kubernetes:core/v1:Pod", "acme-fast", { apiVersion: "v1", kind: "Pod", metadata: acmeMeta("fast"), spec: { priorityClassName: "tenancy-enterprise", containers: [{ name: "a", image: "a" }] } }, ACME),
    },
    {
        change: "acme's priority ceiling allows pods",
        rule: "limit-tenant-priority",
        says: `ResourceQuota "org-acme/priority-ceiling" of tenant acme allows 3 pods`,
        apply: (w) => w.edit("acme-priority-ceiling", (p) => (p.spec.hard.pods = "3")),
    },
    {
        change: "a Calico NetworkPolicy in acme's namespace",
        rule: "require-known-object-forms",
        says: `NetworkPolicy "org-acme/allow-all" of tenant acme is a crd.projectcalico.org/v1 NetworkPolicy, a kind the pack does not know`,
        apply: (w) => w.add("kubernetes:crd.projectcalico.org/v1:NetworkPolicy", "acme-calico", { apiVersion: "crd.projectcalico.org/v1", kind: "NetworkPolicy", metadata: acmeMeta("allow-all"), spec: { selector: "all()", ingress: [{ action: "Allow" }] } }, ACME),
    },
    {
        change: "a helm Release installs objects the engine never sees",
        rule: "require-known-object-forms",
        says: `kubernetes:helm.sh/v3:Release "acme-extras" installs objects with helm inside the cluster`,
        apply: (w) => w.add("kubernetes:helm.sh/v3:Release", "acme-extras", { chart: "extras", namespace: "org-acme" }),
    },
    {
        change: "acme's quota value unknown during preview",
        rule: "require-tenant-baseline",
        says: `ResourceQuota "org-acme/quota" of tenant acme sets limits.cpu to a value unknown during preview`,
        apply: (w) => w.edit("acme-quota", (p) => (p.spec.hard["limits.cpu"] = UNKNOWN)),
    },
];
