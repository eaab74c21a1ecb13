import { describe, expect, it } from "vitest";
import { isolateTenantNetworkPolicies } from "../../policy/isolate-tenant-network-policies";
import { ACME, networkPolicies } from "./fixtures";
import { fixture, runResourceRule } from "./support";

const TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const RULE =
    `; peers may select only namespace "org-acme", platform namespaces (platform-system, nats, kube-system) or namespaces pinned by name that belong to no tenant.`;
const POLICY = `NetworkPolicy "org-acme/allow-same-namespace" of tenant acme`;

function withIngressPeer(peer: Record<string, unknown>) {
    const props = networkPolicies(ACME)["allow-same-namespace"];
    (props.spec as { ingress: unknown[] }).ingress = [{ from: [{ podSelector: {} }, peer] }];
    return fixture(TYPE, "acme-allow-same-namespace", props);
}

describe("isolate-tenant-network-policies", () => {
    it("accepts the program's policies", () => {
        for (const [name, props] of Object.entries(networkPolicies(ACME))) {
            expect(runResourceRule(isolateTenantNetworkPolicies, fixture(TYPE, name, props)), name).toEqual([]);
        }
    });

    it.each([
        [{ namespaceSelector: {} }, "every namespace (empty namespaceSelector)"],
        [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "org-globex" } } }, `namespace "org-globex" of tenant globex`],
        [
            { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["org-acme", "org-globex"] }] } },
            `namespace "org-globex" of tenant globex`,
        ],
        [{ namespaceSelector: { matchLabels: { "tenancy.io/tenant-id": "org_k4x8p2wn" } } }, "namespaces of tenant org_k4x8p2wn (tenancy.io/tenant-id=org_k4x8p2wn)"],
        [
            { namespaceSelector: { matchLabels: { tier: "enterprise" } } },
            `namespaces selected by {"matchLabels":{"tier":"enterprise"}}, which may include other tenants' namespaces`,
        ],
        [
            { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] }] } },
            `namespaces selected by {"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system"]}]}, which may include other tenants' namespaces`,
        ],
        [{ ipBlock: { cidr: "0.0.0.0/0" } }, "0.0.0.0/0, which includes every tenant's pods"],
        [{ ipBlock: { cidr: "::/0", except: ["10.0.0.0/8"] } }, "::/0, which includes every tenant's pods"],
    ])("reports ingress peer %j", (peer, what) => {
        expect(runResourceRule(isolateTenantNetworkPolicies, withIngressPeer(peer))).toEqual([
            `${POLICY} admits ingress from ${what} (ingress rule 1, peer 2)${RULE}`,
        ]);
    });

    it("reports catch-all egress", () => {
        const props = networkPolicies(ACME)["allow-egress-cidrs"];
        (props.spec as { egress: unknown[] }).egress = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }];
        expect(runResourceRule(isolateTenantNetworkPolicies, fixture(TYPE, "e", props))).toEqual([
            `NetworkPolicy "org-acme/allow-egress-cidrs" of tenant acme admits egress to 0.0.0.0/0, which includes every tenant's pods (egress rule 1, peer 1)${RULE}`,
        ]);
    });

    it("accepts selectors pinned to the tenant itself, a platform namespace or a non-tenant namespace", () => {
        for (const peer of [
            { namespaceSelector: { matchLabels: { "tenancy.io/tenant-id": "org_7f3k2m9q" } } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "platform-system" }, podSelector: {} } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring", team: "sre" } } },
            { ipBlock: { cidr: "10.20.0.0/16" } },
        ]) {
            expect(runResourceRule(isolateTenantNetworkPolicies, withIngressPeer(peer)), JSON.stringify(peer)).toEqual([]);
        }
    });

    it("ignores policies outside tenant namespaces", () => {
        const f = fixture(TYPE, "nats", { metadata: { name: "allow-all", namespace: "nats" }, spec: { ingress: [{ from: [{ namespaceSelector: {} }] }] } });
        expect(runResourceRule(isolateTenantNetworkPolicies, f)).toEqual([]);
    });
});
