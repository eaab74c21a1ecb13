import { describe, expect, it } from "vitest";
import type { GuardConfig } from "../../policy/config";
import { isolateTenantNetworkPolicies } from "../../policy/isolate-tenant-network-policies";
import { byName, CONFIG, idOf, world } from "./fixtures";
import { clone, fixture, runResourceRule } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const RULE = `; peers may select only namespace "org-acme", platform namespaces (platform-system, nats, kube-system) or namespaces pinned by name that belong to no tenant.`;
const IP_RULE = "tenant ipBlocks must stay outside the internet as a whole, link-local and cloud metadata addresses and the cluster's pod and Service ranges.";
const POLICY = `NetworkPolicy "org-acme/allow-same-namespace" of tenant acme`;
const EGRESS = `NetworkPolicy "org-acme/allow-egress-cidrs" of tenant acme`;

const policy = (name: string) => clone(byName(world(), `acme-${name}`));
const check = (f: ReturnType<typeof policy>, config: Partial<GuardConfig> = CONFIG) => runResourceRule(isolateTenantNetworkPolicies, f, config);

function withIngressPeer(peer: unknown) {
    const f = policy("allow-same-namespace");
    f.props.spec.ingress = [{ from: [{ podSelector: {} }, peer] }];
    return f;
}

function withEgress(...cidrs: (string | { cidr: string; except?: string[] })[]) {
    const f = policy("allow-egress-cidrs");
    f.props.spec.egress = [{ to: cidrs.map((c) => ({ ipBlock: typeof c === "string" ? { cidr: c } : c })) }];
    return f;
}

describe("isolate-tenant-network-policies: selectors", () => {
    it("accepts every NetworkPolicy of the compliant stack", () => {
        for (const f of world().filter((x) => x.type === TYPE)) expect(runResourceRule(isolateTenantNetworkPolicies, f, CONFIG), f.name).toEqual([]);
    });

    it.each([
        [{ namespaceSelector: {} }, "every namespace (empty namespaceSelector)"],
        [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "org-globex" } } }, `namespace "org-globex" of tenant globex`],
        [
            { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["org-acme", "org-globex"] }] } },
            `namespace "org-globex" of tenant globex`,
        ],
        [{ namespaceSelector: { matchLabels: { "tenancy.io/tenant-id": idOf("globex") } } }, `namespaces of tenant ${idOf("globex")} (tenancy.io/tenant-id=${idOf("globex")})`],
        [{ namespaceSelector: { matchLabels: { tier: "enterprise" } } }, `namespaces selected by {"matchLabels":{"tier":"enterprise"}}, which may include other tenants' namespaces`],
        [
            { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] }] } },
            `namespaces selected by {"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system"]}]}, which may include other tenants' namespaces`,
        ],
        [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": UNKNOWN } } }, "namespaces selected by a namespaceSelector.matchLabels.kubernetes.io/metadata.name unknown during preview"],
        [UNKNOWN, "a peer unknown during preview"],
        [{}, "a peer that selects nothing the pack can read"],
    ])("reports ingress peer %j", (peer, what) => {
        expect(check(withIngressPeer(peer))).toEqual([`${POLICY} admits ingress from ${what} (ingress rule 1, peer 2)${RULE}`]);
    });

    it("reports a rule without peers, which admits every source or destination", () => {
        const f = policy("allow-same-namespace");
        f.props.spec.ingress = [{ ports: [{ port: 8080 }] }];
        f.props.spec.egress = [{ to: [] }];
        expect(check(f)).toEqual([
            `${POLICY} admits ingress from every peer (ingress rule 1 has no "from")${RULE}`,
            `${POLICY} admits egress to every peer (egress rule 1 has no "to")${RULE}`,
        ]);
    });

    it("reports rules or a spec unknown during preview", () => {
        const rules = policy("allow-same-namespace");
        rules.props.spec.egress = UNKNOWN;
        rules.props.spec.ingress[0].from = UNKNOWN;
        expect(check(rules)).toEqual([
            `${POLICY} admits ingress from peers unknown during preview (ingress rule 1)${RULE}`,
            `${POLICY} has egress rules that are unknown during preview; what a tenant NetworkPolicy admits must be known.`,
        ]);
        const spec = policy("allow-same-namespace");
        spec.props.spec = UNKNOWN;
        expect(check(spec)).toEqual([`${POLICY} has a spec that is unknown during preview; what a tenant NetworkPolicy admits must be known.`]);
    });

    it("stays quiet about unknowns that decide nothing: the pods a policy applies to, its ports, an except list", () => {
        const f = withEgress({ cidr: "203.0.113.0/24", except: UNKNOWN as unknown as string[] });
        f.props.spec.podSelector = { matchLabels: { app: UNKNOWN } };
        f.props.spec.egress[0].ports = UNKNOWN;
        expect(check(f)).toEqual([]);
    });

    it("accepts selectors pinned to the tenant itself, a platform namespace or a non-tenant namespace", () => {
        for (const peer of [
            { namespaceSelector: { matchLabels: { "tenancy.io/tenant-id": idOf("acme") } } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "platform-system" }, podSelector: {} } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring", team: "sre" } } },
            { ipBlock: { cidr: "192.0.2.0/24" } },
        ]) {
            expect(check(withIngressPeer(peer)), JSON.stringify(peer)).toEqual([]);
        }
    });

    it("ignores policies outside tenant namespaces", () => {
        const f = fixture(TYPE, "nats", { metadata: { name: "allow-all", namespace: "nats" }, spec: { ingress: [{ from: [{ namespaceSelector: {} }] }] } });
        expect(runResourceRule(isolateTenantNetworkPolicies, f, CONFIG)).toEqual([]);
    });
});

describe("isolate-tenant-network-policies: ipBlocks by CIDR arithmetic", () => {
    it.each([
        [["0.0.0.0/0"], "the whole IPv4 internet (ipBlocks 0.0.0.0/0), the cloud metadata address 169.254.169.254 (ipBlock 0.0.0.0/0), the cluster's pod range 10.244.0.0/16, which holds every tenant's pods (ipBlock 0.0.0.0/0), the cluster's Service range 10.96.0.0/12, which holds every tenant's Services (ipBlock 0.0.0.0/0)"],
        [["0.0.0.0/1", "128.0.0.0/1"], "the whole IPv4 internet (ipBlocks 0.0.0.0/1, 128.0.0.0/1), the cloud metadata address 169.254.169.254 (ipBlock 128.0.0.0/1), the cluster's pod range 10.244.0.0/16, which holds every tenant's pods (ipBlock 0.0.0.0/1), the cluster's Service range 10.96.0.0/12, which holds every tenant's Services (ipBlock 0.0.0.0/1)"],
        [[{ cidr: "::ffff:0:0/96", except: ["::ffff:10.0.0.0/104", "::ffff:169.254.0.0/112"] }], "the whole IPv4 internet (ipBlocks ::ffff:0:0/96 except ::ffff:10.0.0.0/104, ::ffff:169.254.0.0/112)"],
        [["2000::/3"], "the whole IPv6 internet (ipBlocks 2000::/3)"],
        [
            ["::/0"],
            "the whole IPv4 and IPv6 internet (ipBlocks ::/0), the cloud metadata address 169.254.169.254 (ipBlock ::/0), the cloud metadata address fd00:ec2::254 (ipBlock ::/0), the link-local range fe80::/10 (ipBlock ::/0), the cluster's pod range 10.244.0.0/16, which holds every tenant's pods (ipBlock ::/0), the cluster's Service range 10.96.0.0/12, which holds every tenant's Services (ipBlock ::/0)",
        ],
        [["169.254.169.254/32"], "the cloud metadata address 169.254.169.254 (ipBlock 169.254.169.254/32)"],
        [["169.254.0.0/24"], "the link-local range 169.254.0.0/16 (ipBlock 169.254.0.0/24)"],
        [["fd00:ec2::254/128"], "the cloud metadata address fd00:ec2::254 (ipBlock fd00:ec2::254/128)"],
        [["fe80::1/64"], "the link-local range fe80::/10 (ipBlock fe80::1/64)"],
        [["10.244.7.0/24"], "the cluster's pod range 10.244.0.0/16, which holds every tenant's pods (ipBlock 10.244.7.0/24)"],
        [["::ffff:10.96.0.1/128"], "the cluster's Service range 10.96.0.0/12, which holds every tenant's Services (ipBlock ::ffff:10.96.0.1/128)"],
        [["010.096.000.000/16"], "the cluster's Service range 10.96.0.0/12, which holds every tenant's Services (ipBlock 010.096.000.000/16)"],
    ])("reports egress to %j", (cidrs, what) => {
        expect(check(withEgress(...cidrs))).toEqual([`${EGRESS} admits egress to ${what}; ${IP_RULE}`]);
    });

    it("reports a block it cannot read", () => {
        expect(check(withEgress("203.0.113.0"))).toEqual([
            `${EGRESS} admits egress to "203.0.113.0" is not a CIDR (no prefix length); every ipBlock must be a CIDR known during preview, and ${IP_RULE}`,
        ]);
        expect(check(withEgress("10.0.0.0/33"))).toEqual([
            `${EGRESS} admits egress to "10.0.0.0/33" is not a CIDR (prefix length must be 0 to 32); every ipBlock must be a CIDR known during preview, and ${IP_RULE}`,
        ]);
    });

    it("reports ingress from the internet too: it reaches the tenant's pods from everywhere", () => {
        expect(check(withIngressPeer({ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "169.254.0.0/16"] } }))).toEqual([
            `${POLICY} admits ingress from the whole IPv4 internet (ipBlocks 0.0.0.0/0 except 10.0.0.0/8, 169.254.0.0/16); ${IP_RULE}`,
        ]);
    });

    it("uses the configured pod and Service ranges", () => {
        expect(check(withEgress("10.244.7.0/24"), { ...CONFIG, podCidrs: ["100.64.0.0/16"] })).toEqual([]);
        expect(check(withEgress("100.64.3.0/24"), { ...CONFIG, podCidrs: ["100.64.0.0/16"] })).toEqual([
            `${EGRESS} admits egress to the cluster's pod range 100.64.0.0/16, which holds every tenant's pods (ipBlock 100.64.3.0/24); ${IP_RULE}`,
        ]);
    });

    it("accepts narrow public ranges in any spelling, and large ones that stay below half the internet", () => {
        for (const cidrs of [["203.0.113.0/24"], ["::ffff:203.0.113.0/120"], ["2001:db8:40::/48"], ["8.0.0.0/7", "16.0.0.0/4"], ["2001:db8::/32", "2400::/6"]]) {
            expect(check(withEgress(...cidrs)), cidrs.join(" ")).toEqual([]);
        }
    });
});
