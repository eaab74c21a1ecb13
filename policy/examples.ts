import { natsStackKeys, operatorMaterial, platformAccountSpec, platformMaterial, renderOperatorConf } from "../components";

/**
 * One small input per rule that the rule rejects; docs.ts runs the rule on it, so the example
 * violation in POLICIES.md is what the rule really says.
 */

/** A resource of an example, as a rule sees it. */
export interface ExampleResource {
    /** Pulumi type token. */
    type: string;
    /** Pulumi name. */
    name: string;
    /** Properties. */
    props: Record<string, unknown>;
    /** Parent's Pulumi name within the example (URNs are derived from it). */
    parent?: string;
    /** protect option. */
    protect?: boolean;
}

/** An example: what was changed, and the resources after the change. */
export interface Example {
    /** The change, in a reviewer's words. */
    change: string;
    /** Resources (all of the stack for stack rules, the first one for resource rules). */
    resources: ExampleResource[];
    /** Pack configuration beyond the examples' registry, when the rule needs more. */
    config?: Record<string, unknown>;
}

const ACME = "org_7f3k2m9q";
// A master key for the examples only (public, so nothing it derives guards anything).
const EXAMPLE_MASTER = Buffer.alloc(32, 1);

// operator.conf as tenancy renders it for acme, with a leafnodes block appended by hand.
function exampleOperatorConf(): string {
    const { operatorJwt, system } = operatorMaterial(EXAMPLE_MASTER);
    const platform = platformMaterial(platformAccountSpec(), EXAMPLE_MASTER, 1);
    const conf = renderOperatorConf({ operatorJwt, system, platform: { publicKey: platform.accountPublicKey, jwt: platform.accountJwt }, tenantIds: [ACME] });
    return `${conf}leafnodes {\n  remotes: [ { url: "nats://hub.example.com:7422", account: "${natsStackKeys(EXAMPLE_MASTER, []).platform.account}" } ]\n}\n`;
}
const GLOBEX = "org_k4x8p2wn";
const labels = (id: string, plan = "standard") => ({ "tenancy.io/tenant-id": id, tier: plan, "app.kubernetes.io/managed-by": "tenancy" });
const podSecurity = { "pod-security.kubernetes.io/enforce": "restricted" };
const namespace = (slug: string, id: string, extraLabels: Record<string, string> = podSecurity): ExampleResource => ({
    type: "kubernetes:core/v1:Namespace",
    name: `${slug}-namespace`,
    parent: slug,
    props: { metadata: { name: `org-${slug}`, labels: { ...labels(id), ...extraLabels }, annotations: { "tenancy.io/org-id": id, "tenancy.io/lifecycle": "active" } } },
    protect: true,
});

/** The tenants of the examples' registry (docs.ts writes it next to a copy of the plan catalog). */
export const EXAMPLE_TENANTS: Record<string, string> = {
    "acme.yaml": `id: ${ACME}\nslug: acme\ndisplayName: Acme\nplan: standard\nagentLimit: 10\n`,
    "globex.yaml": `id: ${GLOBEX}\nslug: globex\ndisplayName: Globex\nplan: enterprise\nagentLimit: 40\n`,
};
const tenant = (slug: string): ExampleResource => ({ type: "tenancy:tenant:Tenant", name: slug, props: {} });
const egressPolicy = (name: string, cidr: string): ExampleResource => ({
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    name: `acme-${name}`,
    parent: "acme",
    props: { metadata: { name, namespace: "org-acme", labels: labels(ACME) }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr } }] }] } },
});

/** The example input of each rule, by rule name. */
export const EXAMPLES: Record<string, Example> = {
    "require-explicit-namespace": {
        change: "a Secret without metadata.namespace",
        resources: [{ type: "kubernetes:core/v1:Secret", name: "acme-openai-api", props: { metadata: { name: "openai-api", labels: labels(ACME) } } }],
    },
    "enforce-tenant-ownership": {
        change: "acme's Secret moved into globex's namespace",
        resources: [
            tenant("acme"),
            namespace("acme", ACME),
            tenant("globex"),
            namespace("globex", GLOBEX),
            { type: "kubernetes:core/v1:Secret", name: "acme-openai-api", parent: "acme", props: { metadata: { name: "openai-api", namespace: "org-globex", labels: labels(ACME) } } },
        ],
    },
    "restrict-role-binding-subjects": {
        change: "acme's RoleBinding names globex's ServiceAccount",
        resources: [
            {
                type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                name: "acme-secret-reader",
                props: {
                    metadata: { name: "agent-secret-reader", namespace: "org-acme", labels: labels(ACME) },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "agent-secret-reader" },
                    subjects: [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-globex" }],
                },
            },
        ],
    },
    "restrict-cluster-roles": {
        change: "a ClusterRoleBinding names acme's ServiceAccount",
        resources: [
            {
                type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
                name: "acme-view",
                props: {
                    metadata: { name: "acme-view" },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
                    subjects: [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-acme" }],
                },
            },
        ],
    },
    "require-least-privilege-roles": {
        change: "a tenant Role grants secrets by a glob",
        resources: [
            {
                type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
                name: "acme-secret-reader",
                props: {
                    metadata: { name: "agent-secret-reader", namespace: "org-acme", labels: labels(ACME) },
                    rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["agent-ssh-*"] }],
                },
            },
        ],
    },
    "isolate-tenant-network-policies": {
        change: "a tenant NetworkPolicy admits ingress from every namespace",
        resources: [
            {
                type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                name: "acme-allow-same-namespace",
                props: {
                    metadata: { name: "allow-same-namespace", namespace: "org-acme", labels: labels(ACME) },
                    spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: {} }] }] },
                },
            },
        ],
    },
    "require-tenant-baseline": {
        change: "a tenant namespace's ResourceQuota removed",
        resources: [
            tenant("acme"),
            namespace("acme", ACME),
            { type: "kubernetes:core/v1:LimitRange", name: "acme-limits", parent: "acme", props: { metadata: { name: "limits", namespace: "org-acme", labels: labels(ACME) } } },
            {
                type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                name: "acme-default-deny",
                parent: "acme",
                props: { metadata: { name: "default-deny", namespace: "org-acme", labels: labels(ACME) }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
            },
        ],
    },
    "isolate-tenant-nats": {
        change: "a leafnodes block added to operator.conf, whose remote would carry acme's account to another server",
        config: { natsKeys: natsStackKeys(EXAMPLE_MASTER, [ACME, GLOBEX].map((id) => ({ id, generation: 1 }))) },
        resources: [
            tenant("acme"),
            namespace("acme", ACME),
            {
                type: "kubernetes:core/v1:ConfigMap",
                name: "nats-operator",
                props: { metadata: { name: "nats-operator", namespace: "nats" }, data: { "operator.conf": exampleOperatorConf() } },
            },
        ],
    },
    "protect-live-tenant-namespaces": {
        change: "an active tenant's namespace without protect",
        resources: [{ ...namespace("acme", ACME), parent: undefined, protect: false }],
    },
    "require-known-object-forms": {
        change: "a generic custom resource in acme's namespace whose kind is unknown during preview",
        resources: [
            tenant("acme"),
            {
                type: "kubernetes:apiextensions.k8s.io:CustomResource",
                name: "acme-mystery",
                parent: "acme",
                props: { apiVersion: "v1", kind: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", metadata: { name: "mystery", namespace: "org-acme", labels: labels(ACME) } },
            },
        ],
    },
    "forbid-tenant-cluster-objects": {
        change: "a ClusterRole declared under acme's component",
        resources: [
            tenant("acme"),
            { type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", name: "acme-nodes", parent: "acme", props: { metadata: { name: "acme-nodes" }, rules: [] } },
        ],
    },
    "limit-tenant-ip-blocks": {
        change: "two acme policies whose ipBlocks together cover the IPv4 internet",
        resources: [tenant("acme"), namespace("acme", ACME), egressPolicy("allow-low", "0.0.0.0/2"), egressPolicy("allow-high", "64.0.0.0/2")],
    },
    "restrict-cross-namespace-references": {
        change: "an ExternalName Service in acme's namespace aliasing globex's",
        resources: [
            {
                type: "kubernetes:core/v1:Service",
                name: "acme-api",
                props: { metadata: { name: "api", namespace: "org-acme", labels: labels(ACME) }, spec: { type: "ExternalName", externalName: "api.org-globex.svc.cluster.local" } },
            },
        ],
    },
    "limit-tenant-priority": {
        change: "a pod of acme (standard plan) at the enterprise plan's priority",
        resources: [
            tenant("acme"),
            namespace("acme", ACME),
            { type: "kubernetes:scheduling.k8s.io/v1:PriorityClass", name: "plan-priority-enterprise", props: { metadata: { name: "tenancy-enterprise" }, value: 100000, globalDefault: false } },
            {
                type: "kubernetes:core/v1:ResourceQuota",
                name: "acme-priority-ceiling",
                parent: "acme",
                props: {
                    metadata: { name: "priority-ceiling", namespace: "org-acme", labels: labels(ACME) },
                    spec: { hard: { pods: "0" }, scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["tenancy-enterprise"] }] } },
                },
            },
            {
                type: "kubernetes:core/v1:Pod",
                name: "acme-fast",
                parent: "acme",
                props: { metadata: { name: "fast", namespace: "org-acme", labels: labels(ACME) }, spec: { priorityClassName: "tenancy-enterprise", containers: [{ name: "a", image: "a" }] } },
            },
        ],
    },
    "require-pod-security-admission": {
        change: "acme's namespace enforces privileged pods",
        resources: [tenant("acme"), namespace("acme", ACME, { "pod-security.kubernetes.io/enforce": "privileged" })],
    },
};
