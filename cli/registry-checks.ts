// The registry-level checks the policy pack would make at plan time, run on the registry alone, so
// `tenancy validate` (and every verb that validates) refuses at the file's line what the plan would
// block later. The address arithmetic is the pack's own (policy/ip-ranges.ts, policy/network-peers.ts),
// imported, not restated.
import { DEFAULT_CONFIG } from "../policy/config";
import { internetCovered } from "../policy/ip-ranges";
import { forbiddenReach, ipBlocks } from "../policy/network-peers";
import { cidrProblem, validateRegistry, type ParsedTenants, type Registry, type SourceIssue, type TenantCheck } from "../registry";

const RULE =
    "the policy pack refuses it (isolate-tenant-network-policies, limit-tenant-ip-blocks: tenant egress must stay outside the internet as a whole, " +
    `link-local and cloud metadata addresses, the cluster's pod range ${DEFAULT_CONFIG.podCidrs.join(", ")} and Service range ${DEFAULT_CONFIG.serviceCidrs.join(", ")}); ` +
    "declare only the narrower ranges the agents need";

/** Egress CIDRs the pack refuses: each one that reaches a forbidden range, and lists whose union covers the internet. */
export const egressCheck: TenantCheck = (tenant, source) => {
    const egress = tenant.network?.egress ?? [];
    const issues: SourceIssue[] = [];
    const blocks: ReturnType<typeof ipBlocks>["blocks"] = [];
    egress.forEach((cidr, i) => {
        // Malformed CIDRs are the schema's; /0 too.
        if (cidrProblem(cidr) !== undefined) return;
        const { blocks: one } = ipBlocks([{ ipBlock: { cidr } }]);
        blocks.push(...one);
        const reached = forbiddenReach(one, DEFAULT_CONFIG).map((r) => r.replace(/ \(ipBlocks? [^)]*\)$/, ""));
        if (reached.length > 0) issues.push(source.issueAt(["network", "egress", i], `${cidr} reaches ${reached.join(", and ")}; ${RULE}`));
    });
    const internet = internetCovered(blocks.flatMap((b) => b.ranges));
    if (internet && issues.length === 0) {
        issues.push(source.issueAt(["network", "egress"], `${blocks.map((b) => b.cidr).join(" + ")} together cover the whole ${internet} internet; ${RULE}`));
    }
    return issues;
};

/** Every check of `tenancy validate`: the registry's own and the pack's registry-level ones. */
export const VALIDATE_CHECKS: readonly TenantCheck[] = [egressCheck];

/** validateRegistry with the pack's registry-level checks (`parsed` as validateRegistry takes it). */
export function validateTenantRegistry(dir: string, parsed?: ParsedTenants): { registry?: Registry; issues: SourceIssue[] } {
    return validateRegistry(dir, VALIDATE_CHECKS, parsed);
}
