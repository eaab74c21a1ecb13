import { describe, expect, it } from "vitest";
import {
    agentServiceAccountSpec,
    isProtected,
    limitRangeSpec,
    namespaceSpec,
    networkPolicySpecs,
    platformAgentManagerBindingSpec,
    platformAgentManagerRoleSpec,
    quotaHard,
    quotaAnnotations,
    resourceQuotaSpec,
    secretReaderBindingSpec,
    secretReaderRoleSpec,
} from "../../components";
import { loadRegistry, missingSecrets, type Plan, type Tenant } from "../../registry";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";

const registry = loadRegistry(EXAMPLE_REGISTRY);
const entry = (slug: string) => registry.entries.find((e) => e.tenant.slug === slug)!;
const acme = entry("acme").tenant;
const standard: Plan = registry.plans.plans.standard;
const with_ = (changes: Partial<Tenant>): Tenant => ({ ...acme, ...changes });
const acmeLabels = { "tenancy.io/tenant-id": "org_7f3k2m9q", tier: "standard", "app.kubernetes.io/managed-by": "tenancy" };
const restrictedPodSecurity = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/warn-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/audit-version": "latest",
};

describe("namespaceSpec", () => {
    it("names the namespace org-<slug> and labels it with the opaque id, never the display name", () => {
        expect(namespaceSpec(acme)).toEqual({
            metadata: {
                name: "org-acme",
                labels: { ...acmeLabels, ...restrictedPodSecurity },
                annotations: {
                    "tenancy.io/org-id": "org_7f3k2m9q",
                    "tenancy.io/plan": "standard",
                    "tenancy.io/agent-limit": "10",
                    "tenancy.io/lifecycle": "active",
                },
            },
        });
        expect(JSON.stringify(namespaceSpec(acme))).not.toContain("Acme Robotics");
    });

    it("carries a `tier` label so kube-state-metrics exposes label_tier, and an org- name for namespace=~\"org-.*\"", () => {
        const { metadata } = namespaceSpec(entry("globex").tenant);
        expect(metadata.labels.tier).toBe("enterprise");
        expect(/^org-.*$/.test(metadata.name)).toBe(true);
    });

    it("enforces Pod Security Admission by plan: restricted on free and standard, baseline on enterprise, warn and audit at restricted", () => {
        expect(namespaceSpec(acme).metadata.labels).toMatchObject(restrictedPodSecurity);
        expect(namespaceSpec(with_({ plan: "free" })).metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        expect(namespaceSpec(entry("globex").tenant).metadata.labels).toMatchObject({ ...restrictedPodSecurity, "pod-security.kubernetes.io/enforce": "baseline" });
        // A plan the contract does not name is never weaker by omission.
        expect(namespaceSpec(with_({ plan: "gold" })).metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    });

    it("is protected unless the tenant is decommissioned", () => {
        expect(isProtected({ lifecycle: "active" })).toBe(true);
        expect(isProtected({ lifecycle: "suspended" })).toBe(true);
        expect(isProtected({ lifecycle: "decommissioned" })).toBe(false);
    });
});

describe("quota", () => {
    it("gives a standard tenant at its agent limit exactly DESIGN.md's quota", () => {
        expect(quotaHard(acme, standard)).toEqual({
            "requests.cpu": "10",
            "requests.memory": "40Gi",
            "limits.cpu": "20",
            "limits.memory": "80Gi",
            "requests.storage": "200Gi",
            persistentvolumeclaims: "20",
            pods: "15",
        });
    });

    it("lets pods follow the agent limit plus the plan's headroom", () => {
        expect(quotaHard(with_({ agentLimit: 3 }), standard).pods).toBe("8");
        expect(quotaHard(with_({ agentLimit: 0 }), standard).pods).toBe("5");
    });

    it("applies overrides below the ceiling", () => {
        const hard = quotaHard(with_({ quota: { requestsCpu: "4", persistentVolumeClaims: 2 } }), standard);
        expect(hard["requests.cpu"]).toBe("4");
        expect(hard.persistentvolumeclaims).toBe("2");
        expect(hard["limits.cpu"]).toBe("20");
    });

    it("skips the provider's quota-status wait for an active tenant only: a suspension's pods 0 is in force when the update ends", () => {
        expect(quotaAnnotations(acme)).toEqual({ "pulumi.com/skipAwait": "true" });
        for (const lifecycle of ["suspended", "decommissioned"] as const) {
            const tenant = with_({ lifecycle });
            expect(quotaAnnotations(tenant), lifecycle).toBeUndefined();
            expect(resourceQuotaSpec(tenant, standard).metadata, lifecycle).not.toHaveProperty("annotations");
        }
    });

    it("scales a suspended tenant to zero pods and keeps its storage", () => {
        const hard = quotaHard(with_({ lifecycle: "suspended" }), standard);
        expect(hard.pods).toBe("0");
        expect(hard.persistentvolumeclaims).toBe("20");
    });

    it("puts the ResourceQuota and LimitRange in the tenant's namespace explicitly", () => {
        expect(resourceQuotaSpec(acme, standard).metadata).toEqual({ name: "quota", namespace: "org-acme", labels: acmeLabels, annotations: { "pulumi.com/skipAwait": "true" } });
        expect(limitRangeSpec(acme, standard)).toEqual({
            metadata: { name: "limits", namespace: "org-acme", labels: acmeLabels },
            spec: {
                limits: [
                    {
                        type: "Container",
                        default: { cpu: "2000m", memory: "8Gi" },
                        defaultRequest: { cpu: "500m", memory: "2Gi" },
                        max: { cpu: "4000m", memory: "16Gi" },
                    },
                ],
            },
        });
    });
});

describe("access", () => {
    it("creates the agents' ServiceAccount in the tenant namespace", () => {
        expect(agentServiceAccountSpec(acme).metadata).toEqual({ name: "agent-worker-sa", namespace: "org-acme", labels: acmeLabels });
    });

    it("lets the secret reader get exactly the declared secrets and the NATS credentials, by name", () => {
        expect(secretReaderRoleSpec(acme).rules).toEqual([
            {
                apiGroups: [""],
                resources: ["secrets"],
                verbs: ["get"],
                resourceNames: ["github-app", "nats-credentials", "openai-api"],
            },
        ]);
        expect(secretReaderRoleSpec(entry("initech").tenant).rules[0].resourceNames).toEqual(["nats-credentials"]);
    });

    it("binds the secret reader to the agents' ServiceAccount only", () => {
        expect(secretReaderBindingSpec(acme)).toEqual({
            metadata: { name: "agent-secret-reader", namespace: "org-acme", labels: acmeLabels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "agent-secret-reader" },
            subjects: [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-acme" }],
        });
    });

    it("binds the platform controller with a namespaced Role over pods and PVCs only", () => {
        const controller = { namespace: "platform-system", serviceAccount: "agent-orchestrator" };
        expect(platformAgentManagerBindingSpec(acme, controller)).toEqual({
            metadata: { name: "platform-agent-manager", namespace: "org-acme", labels: acmeLabels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "platform-agent-manager" },
            subjects: [{ kind: "ServiceAccount", name: "agent-orchestrator", namespace: "platform-system" }],
        });
        const resources = platformAgentManagerRoleSpec(acme).rules.flatMap((r) => r.resources);
        expect(resources).toEqual(["pods", "persistentvolumeclaims", "pods/log", "pods/status"]);
    });
});

describe("networkPolicySpecs", () => {
    const nats = { namespace: "nats", port: 4222 };

    it("denies all traffic by default, then allows the namespace, DNS, NATS and declared CIDRs", () => {
        const policies = networkPolicySpecs(acme, nats);
        expect(policies.map((p) => p.metadata.name)).toEqual([
            "default-deny",
            "allow-same-namespace",
            "allow-dns",
            "allow-nats",
            "allow-egress-cidrs",
        ]);
        expect(policies.every((p) => p.metadata.namespace === "org-acme")).toBe(true);
        expect(policies[0].spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(policies[1].spec).toMatchObject({ ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] });
        expect(policies[3].spec).toEqual({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "nats" } } }],
                    ports: [{ protocol: "TCP", port: 4222 }],
                },
            ],
        });
        expect(policies[4].spec).toEqual({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "203.0.113.0/24" } }] }],
        });
    });

    it("adds no egress CIDR policy when the tenant declares none", () => {
        expect(networkPolicySpecs(entry("initech").tenant, nats).map((p) => p.metadata.name)).not.toContain("allow-egress-cidrs");
    });

    it("never selects other namespaces with an empty namespaceSelector", () => {
        const text = JSON.stringify(networkPolicySpecs(acme, nats));
        expect(text).not.toContain('"namespaceSelector":{}');
    });
});

describe("missingSecrets", () => {
    it("lists the config path of every declared key without a value", () => {
        expect(missingSecrets(acme, { "openai-api": { apiKey: "x" }, "github-app": { appId: "1" } })).toEqual([
            { secret: "github-app", key: "privateKey", path: "tenancy:secrets.acme.github-app.privateKey" },
        ]);
        expect(missingSecrets(acme, undefined).map((m) => m.path)).toEqual([
            "tenancy:secrets.acme.openai-api.apiKey",
            "tenancy:secrets.acme.github-app.appId",
            "tenancy:secrets.acme.github-app.privateKey",
        ]);
    });
});
