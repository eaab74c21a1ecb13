import type { ResourceValidationPolicy } from "@pulumi/policy";
import { arrayOf, tenantOfNamespace } from "./helpers";
import { labelOf } from "./metadata";
import { forbiddenReach, ipBlocks, selectorProblem, type Own, type Peer } from "./network-peers";
import { describeObject, isKind, type DeclaredObject } from "./objects";
import { resourceRule } from "./rule-kit";
import { isUnknown } from "./unknowns";

const DIRECTIONS = [
    ["ingress", "from", "from"],
    ["egress", "to", "to"],
] as const;

/** What every tenant ipBlock must stay out of, for messages. */
export const IP_BLOCK_RULE =
    "tenant ipBlocks must stay outside the internet as a whole, link-local and cloud metadata addresses and the cluster's pod and Service ranges.";

/** Checks that NetworkPolicies in tenant namespaces admit no traffic from or to other tenants' namespaces or forbidden address ranges. */
export const isolateTenantNetworkPolicies: ResourceValidationPolicy = resourceRule(
    {
        name: "isolate-tenant-network-policies",
        description:
            "Checks that NetworkPolicies in tenant namespaces admit no traffic from or to other tenants: every rule names its peers, no empty or unpinned namespaceSelector, no selector of another tenant, and no ipBlock reaching the internet as a whole, link-local or metadata addresses, or the cluster's pod and Service ranges.",
        config: ["tenantNamespacePrefix", "tenantLabel", "platformNamespaces", "podCidrs", "serviceCidrs"],
    },
    ({ config, declaration }, report) => {
        for (const o of declaration.objects.filter((x) => isKind(x, "NetworkPolicy"))) {
            const slug = tenantOfNamespace(o.meta.namespace, config);
            if (!slug) continue;
            const own: Own = { namespace: o.meta.namespace!, tenantId: labelOf(o.meta, config.tenantLabel), config };
            policyProblems(o, slug, own).forEach((m) => report(m));
        }
    },
);

function policyProblems(o: DeclaredObject, slug: string, own: Own): string[] {
    const policy = `${describeObject(o)} of tenant ${slug}`;
    const rule =
        `; peers may select only namespace "${own.namespace}", platform namespaces (${own.config.platformNamespaces.join(", ")}) ` +
        "or namespaces pinned by name that belong to no tenant.";
    const spec = o.body.spec;
    if (isUnknown(spec)) return [`${policy} has a spec that is unknown during preview; what a tenant NetworkPolicy admits must be known.`];
    const problems: string[] = [];
    for (const [direction, field, preposition] of DIRECTIONS) {
        const rules = ((spec ?? {}) as Record<string, unknown>)[direction];
        if (isUnknown(rules)) {
            problems.push(`${policy} has ${direction} rules that are unknown during preview; what a tenant NetworkPolicy admits must be known.`);
            continue;
        }
        const peers: Peer[] = [];
        arrayOf<Record<string, unknown>>(rules).forEach((entry, i) => {
            const list = isUnknown(entry) ? entry : entry?.[field];
            if (isUnknown(list)) {
                problems.push(`${policy} admits ${direction} ${preposition} peers unknown during preview (${direction} rule ${i + 1})${rule}`);
            } else if (arrayOf(list).length === 0) {
                problems.push(`${policy} admits ${direction} ${preposition} every peer (${direction} rule ${i + 1} has no "${field}")${rule}`);
            }
            arrayOf<Peer>(list).forEach((peer, j) => {
                const problem = isUnknown(peer) ? "a peer unknown during preview" : selectorProblem(peer, own);
                if (problem) problems.push(`${policy} admits ${direction} ${preposition} ${problem} (${direction} rule ${i + 1}, peer ${j + 1})${rule}`);
                else if (!isUnknown(peer)) peers.push(peer);
            });
        });
        const { blocks, unreadable } = ipBlocks(peers);
        for (const bad of unreadable) problems.push(`${policy} admits ${direction} ${preposition} ${bad}; every ipBlock must be a CIDR known during preview, and ${IP_BLOCK_RULE}`);
        const reached = forbiddenReach(blocks, own.config);
        if (reached.length > 0) problems.push(`${policy} admits ${direction} ${preposition} ${reached.join(", ")}; ${IP_BLOCK_RULE}`);
    }
    return problems;
}
