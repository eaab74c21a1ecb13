import type { StackValidationPolicy } from "@pulumi/policy";
import { arrayOf, tenantOfNamespace } from "./helpers";
import { internetCovered } from "./ip-ranges";
import { IP_BLOCK_RULE } from "./isolate-tenant-network-policies";
import { ipBlocks, type Peer } from "./network-peers";
import { describeObject, isKind } from "./objects";
import { stackRule } from "./rule-kit";
import type { StackObject } from "./stack-index";

type Blocks = ReturnType<typeof ipBlocks>["blocks"];

/** Checks that the ipBlocks of all of a tenant's NetworkPolicies together never cover the internet. */
export const limitTenantIpBlocks: StackValidationPolicy = stackRule(
    {
        name: "limit-tenant-ip-blocks",
        description:
            "Checks that the union of the ipBlocks of all NetworkPolicies in a tenant namespace (cidr minus except, in every form they are declared) covers neither the IPv4 nor the IPv6 internet, in any spelling.",
        config: ["tenantNamespacePrefix"],
    },
    (index, config, report) => {
        for (const [namespace, objects] of index.objectsByNamespace) {
            const slug = tenantOfNamespace(namespace, config);
            if (!slug) continue;
            const policies = objects.filter((o) => isKind(o, "NetworkPolicy"));
            for (const direction of ["ingress", "egress"] as const) {
                const perPolicy = policies.map((p) => [p, blocksOf(p, direction)] as const).filter(([, b]) => b.length > 0);
                const all = perPolicy.flatMap(([, b]) => b);
                const internet = internetCovered(all.flatMap((b) => b.ranges));
                // One policy that covers it alone is isolate-tenant-network-policies' violation.
                if (!internet || perPolicy.some(([, b]) => internetCovered(b.flatMap((x) => x.ranges)))) continue;
                const names = perPolicy.map(([p]) => describeObject(p)).join(", ");
                const ns = index.namespaces.get(namespace)?.[0];
                report(
                    `The NetworkPolicies of tenant ${slug} together admit ${direction} ${direction === "ingress" ? "from" : "to"} the whole ${internet} internet ` +
                        `(ipBlocks ${all.map((b) => b.cidr).join(", ")} in ${names}); ${IP_BLOCK_RULE.replace("tenant ipBlocks", "the union of a tenant's ipBlocks")}`,
                    ns?.resource.urn ?? perPolicy[0][0].resource.urn,
                );
            }
        }
    },
);

function blocksOf(policy: StackObject, direction: "ingress" | "egress"): Blocks {
    const field = direction === "ingress" ? "from" : "to";
    const rules = ((policy.body.spec ?? {}) as Record<string, unknown>)[direction];
    const peers = arrayOf<Record<string, unknown>>(rules).flatMap((r) => arrayOf<Peer>(r?.[field]));
    return ipBlocks(peers).blocks;
}
