import { describe, expect, it } from "vitest";
import { limitTenantIpBlocks } from "../../policy/limit-tenant-ip-blocks";
import { byName, CONFIG, world } from "./fixtures";
import { rewrite } from "./forms";
import { fixture, runStackRule, type Fixture } from "./support";

const TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const RULE = "the union of a tenant's ipBlocks must stay outside the internet as a whole, link-local and cloud metadata addresses and the cluster's pod and Service ranges.";

// One more egress policy of acme, declared under its network component.
function egressPolicy(resources: Fixture[], name: string, cidrs: string[]): Fixture {
    const parent = resources.find((f) => f.type === "tenancy:tenant:TenantNetwork" && f.name === "acme");
    const props = structuredClone(byName(resources, "acme-allow-egress-cidrs").props);
    props.metadata.name = name;
    props.spec.egress = [{ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) }];
    return fixture(TYPE, `acme-${name}`, props, parent);
}

describe("limit-tenant-ip-blocks", () => {
    it("accepts the compliant stack", async () => {
        expect(await runStackRule(limitTenantIpBlocks, world(), CONFIG)).toEqual([]);
    });

    it("reports two policies whose blocks together cover the IPv4 internet, each harmless alone", async () => {
        const resources = world();
        // Each quarter of IPv4 is under half of the public internet; two of them are over it.
        const low = egressPolicy(resources, "allow-low", ["0.0.0.0/2"]);
        const high = egressPolicy(resources, "allow-high", ["::ffff:64.0.0.0/98"]);
        expect(await runStackRule(limitTenantIpBlocks, [...resources, low, high], CONFIG)).toEqual([
            {
                message:
                    `The NetworkPolicies of tenant acme together admit egress to the whole IPv4 internet (ipBlocks 203.0.113.0/24, 0.0.0.0/2, ::ffff:64.0.0.0/98 in ` +
                    `NetworkPolicy "org-acme/allow-egress-cidrs", NetworkPolicy "org-acme/allow-low", NetworkPolicy "org-acme/allow-high"); ${RULE}`,
                urn: byName(resources, "acme-namespace").urn,
            },
        ]);
    });

    it("counts a Patch's blocks with the policy it patches, and the blocks it replaces too (either may be applied last)", async () => {
        const resources = world();
        const low = egressPolicy(resources, "allow-low", ["0.0.0.0/2"]);
        const { fixtures } = rewrite([...resources, low], "acme-allow-egress-cidrs", "patch", (b) => (b.spec.egress[0].to = [{ ipBlock: { cidr: "64.0.0.0/2" } }]));
        expect((await runStackRule(limitTenantIpBlocks, fixtures, CONFIG)).map((r) => r.message)).toEqual([
            `The NetworkPolicies of tenant acme together admit egress to the whole IPv4 internet (ipBlocks 203.0.113.0/24, 0.0.0.0/2, 64.0.0.0/2 in ` +
                `NetworkPolicy "org-acme/allow-egress-cidrs", NetworkPolicy "org-acme/allow-low", NetworkPolicy "org-acme/allow-egress-cidrs" (patched by kubernetes:networking.k8s.io/v1:NetworkPolicyPatch "acme-allow-egress-cidrs-patch")); ${RULE}`,
        ]);
    });

    it("leaves a single policy that covers the internet to isolate-tenant-network-policies", async () => {
        const resources = world();
        expect(await runStackRule(limitTenantIpBlocks, [...resources, egressPolicy(resources, "allow-all", ["0.0.0.0/0"])], CONFIG)).toEqual([]);
    });

    it("accepts several narrow policies, and blocks of different tenants that only together would cover it", async () => {
        const resources = world();
        const narrow = egressPolicy(resources, "allow-vendor", ["198.51.100.0/24", "2001:db8:1::/48"]);
        const globex = structuredClone(byName(resources, "globex-allow-egress-cidrs"));
        globex.props.spec.egress[0].to = [{ ipBlock: { cidr: "64.0.0.0/2" } }];
        const low = egressPolicy(resources, "allow-low", ["0.0.0.0/2"]);
        const rest = resources.filter((f) => f.name !== "globex-allow-egress-cidrs");
        expect(await runStackRule(limitTenantIpBlocks, [...rest, narrow, globex, low], CONFIG)).toEqual([]);
    });
});
