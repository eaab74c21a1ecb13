import { fixture, type Fixture } from "./support";
import { DEFAULT_CONFIG } from "../../policy/config";

/** A tenant as the fixtures need it. */
export interface TenantFixture {
    /** Slug. */
    slug: string;
    /** Opaque org id. */
    id: string;
    /** Plan. */
    plan: string;
    /** Lifecycle. */
    lifecycle: string;
}

/** Tenant acme of the example registry. */
export const ACME: TenantFixture = { slug: "acme", id: "org_7f3k2m9q", plan: "standard", lifecycle: "active" };
/** Tenant globex of the example registry. */
export const GLOBEX: TenantFixture = { slug: "globex", id: "org_k4x8p2wn", plan: "enterprise", lifecycle: "active" };

/** The three labels of every tenant object. */
export function labels(t: TenantFixture): Record<string, string> {
    return { "tenancy.io/tenant-id": t.id, tier: t.plan, "app.kubernetes.io/managed-by": "tenancy" };
}

/** Metadata of a namespaced tenant object. */
export function meta(t: TenantFixture, name: string) {
    return { name, namespace: `org-${t.slug}`, labels: labels(t) };
}

/** The tenant's Namespace properties. */
export function namespaceProps(t: TenantFixture) {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: `org-${t.slug}`,
            labels: labels(t),
            annotations: {
                "tenancy.io/org-id": t.id,
                "tenancy.io/plan": t.plan,
                "tenancy.io/agent-limit": "10",
                "tenancy.io/lifecycle": t.lifecycle,
            },
        },
    };
}

/** The secret reader Role. */
export function secretReaderRole(t: TenantFixture) {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: meta(t, "agent-secret-reader"),
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["nats-credentials", "openai-api"] }],
    };
}

/** The platform agent manager Role. */
export function platformRole(t: TenantFixture) {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: meta(t, "platform-agent-manager"),
        rules: [
            { apiGroups: [""], resources: ["pods", "persistentvolumeclaims"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
            { apiGroups: [""], resources: ["pods/log", "pods/status"], verbs: ["get", "list", "watch"] },
        ],
    };
}

/** The secret reader RoleBinding to the tenant's agent ServiceAccount. */
export function secretReaderBinding(t: TenantFixture) {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: meta(t, "agent-secret-reader"),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "agent-secret-reader" },
        subjects: [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: `org-${t.slug}` }],
    };
}

/** The platform agent manager RoleBinding to the platform's orchestrator. */
export function platformBinding(t: TenantFixture) {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: meta(t, "platform-agent-manager"),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "platform-agent-manager" },
        subjects: [{ kind: "ServiceAccount", name: "agent-orchestrator", namespace: "platform-system" }],
    };
}

/** The tenant's NetworkPolicies, by name. */
export function networkPolicies(t: TenantFixture) {
    const policy = (name: string, spec: Record<string, unknown>) => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta(t, name),
        spec,
    });
    const same = [{ podSelector: {} }];
    return {
        "default-deny": policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        "allow-same-namespace": policy("allow-same-namespace", {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: same }],
            egress: [{ to: same }],
        }),
        "allow-dns": policy("allow-dns", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                        },
                    ],
                    ports: [{ protocol: "UDP", port: 53 }],
                },
            ],
        }),
        "allow-nats": policy("allow-nats", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "nats" } } }], ports: [{ protocol: "TCP", port: 4222 }] }],
        }),
        "allow-egress-cidrs": policy("allow-egress-cidrs", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "203.0.113.0/24" } }] }],
        }),
    };
}

/** The standard-plan ResourceQuota. */
export function quotaProps(t: TenantFixture) {
    return {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: meta(t, "quota"),
        spec: {
            // The ceilings themselves: config.test.ts checks they equal the catalog's standard plan.
            hard: { ...DEFAULT_CONFIG.planCeilings.standard },
        },
    };
}

/** Every resource of one tenant as the program registers it: components, then Kubernetes children. */
export function tenantStack(t: TenantFixture): Fixture[] {
    const n = t.slug;
    const tenant = fixture("tenancy:tenant:Tenant", n, {});
    const nsComp = fixture("tenancy:tenant:TenantNamespace", n, {}, tenant);
    const quotaComp = fixture("tenancy:tenant:TenantQuota", n, {}, tenant);
    const access = fixture("tenancy:tenant:TenantAccess", n, {}, tenant);
    const network = fixture("tenancy:tenant:TenantNetwork", n, {}, tenant);
    const secrets = fixture("tenancy:tenant:TenantSecrets", n, {}, tenant);
    const policies = networkPolicies(t);
    return [
        tenant,
        nsComp,
        fixture("kubernetes:core/v1:Namespace", `${n}-namespace`, namespaceProps(t), nsComp, t.lifecycle !== "decommissioned"),
        quotaComp,
        fixture("kubernetes:core/v1:ResourceQuota", `${n}-quota`, quotaProps(t), quotaComp),
        fixture(
            "kubernetes:core/v1:LimitRange",
            `${n}-limits`,
            { apiVersion: "v1", kind: "LimitRange", metadata: meta(t, "limits"), spec: { limits: [{ type: "Container", default: { cpu: "2000m" } }] } },
            quotaComp,
        ),
        access,
        fixture("kubernetes:core/v1:ServiceAccount", `${n}-agent-sa`, { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(t, "agent-worker-sa") }, access),
        fixture("kubernetes:rbac.authorization.k8s.io/v1:Role", `${n}-secret-reader`, secretReaderRole(t), access),
        fixture("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", `${n}-secret-reader`, secretReaderBinding(t), access),
        fixture("kubernetes:rbac.authorization.k8s.io/v1:Role", `${n}-platform-agent-manager`, platformRole(t), access),
        fixture("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", `${n}-platform-agent-manager`, platformBinding(t), access),
        network,
        ...Object.entries(policies).map(([name, props]) =>
            fixture("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${n}-${name}`, props, network),
        ),
        secrets,
        fixture(
            "kubernetes:core/v1:Secret",
            `${n}-openai-api`,
            { apiVersion: "v1", kind: "Secret", metadata: meta(t, "openai-api"), type: "Opaque", stringData: { apiKey: "sk-test" } },
            secrets,
        ),
    ];
}

/** Finds a fixture by Pulumi name (throws when absent, so a renamed fixture fails loudly). */
export function byName(fixtures: Fixture[], name: string): Fixture {
    const found = fixtures.find((f) => f.name === name && !f.type.startsWith("tenancy:"));
    if (!found) throw new Error(`no fixture named ${name}`);
    return found;
}
