// What a NetworkPolicy peer reaches: namespaces by selector, addresses by ipBlock.
import { NAMESPACE_NAME_LABEL } from "../contract";
import type { GuardConfig } from "./config";
import { arrayOf, tenantOfNamespace } from "./helpers";
import { cidrRanges, internetCovered, parseCidr, reaches, subtract, type Range } from "./ip-ranges";
import { firstUnknown, isUnknown } from "./unknowns";

interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

/** One peer of a NetworkPolicy rule. */
export interface Peer {
    /** Namespaces selected by label. */
    namespaceSelector?: LabelSelector;
    /** Pods selected by label (within the selected namespaces, or the policy's own). */
    podSelector?: LabelSelector;
    /** Addresses. */
    ipBlock?: { cidr?: string; except?: string[] };
}

/** The policy being checked: its namespace and tenant id. */
export interface Own {
    /** The policy's namespace. */
    namespace: string;
    /** The tenant id its namespace carries. */
    tenantId: string | undefined;
    /** The pack configuration. */
    config: GuardConfig;
}

/** Describes what a peer's selectors open beyond the tenant, or undefined when they stay inside allowed namespaces. */
export function selectorProblem(peer: Peer, own: Own): string | undefined {
    if (peer === null || typeof peer !== "object" || Array.isArray(peer)) return "a peer that is not a mapping";
    const unknown = firstUnknown(peer.namespaceSelector, "namespaceSelector");
    if (unknown) return `namespaces selected by a ${unknown} unknown during preview`;
    if (peer.ipBlock === undefined && peer.namespaceSelector === undefined && peer.podSelector === undefined) return "a peer that selects nothing the pack can read";
    const selector = peer.namespaceSelector;
    if (selector === undefined || selector === null) return undefined; // podSelector alone: same namespace; ipBlock: checked by address
    const labels = selector.matchLabels ?? {};
    const expressions = arrayOf<{ key?: string; operator?: string; values?: string[] }>(selector.matchExpressions);
    if (Object.keys(labels).length === 0 && expressions.length === 0) return "every namespace (empty namespaceSelector)";
    // The selector is safe when one of its terms pins the namespaces to allowed ones (terms are ANDed).
    const verdicts: (string | undefined)[] = [];
    for (const key of Object.keys(labels)) {
        const verdict = pinVerdict(key, [labels[key]], own);
        if (verdict !== null) verdicts.push(verdict);
    }
    for (const e of expressions) {
        if (e.operator !== "In") continue;
        const verdict = pinVerdict(e.key ?? "", arrayOf<string>(e.values), own);
        if (verdict !== null) verdicts.push(verdict);
    }
    if (verdicts.some((v) => v === undefined)) return undefined;
    const foreign = verdicts.find((v) => v !== undefined);
    return foreign ?? `namespaces selected by ${JSON.stringify(selector)}, which may include other tenants' namespaces`;
}

// null: the term does not pin namespaces; undefined: pinned to allowed namespaces; string: pinned to another tenant.
function pinVerdict(key: string, values: string[], own: Own): string | undefined | null {
    if (key === NAMESPACE_NAME_LABEL) {
        for (const value of values) {
            if (value === own.namespace || own.config.platformNamespaces.includes(value)) continue;
            const other = tenantOfNamespace(value, own.config);
            if (other) return `namespace "${value}" of tenant ${other}`;
        }
        return undefined;
    }
    if (key === own.config.tenantLabel) {
        if (own.tenantId === undefined || isUnknown(own.tenantId)) return `namespaces selected by ${key}, while this namespace's own ${key} is not known`;
        const foreign = values.find((v) => v !== own.tenantId);
        return foreign === undefined ? undefined : `namespaces of tenant ${foreign} (${key}=${foreign})`;
    }
    return null;
}

/** The ipBlocks of some peers as address ranges (cidr minus except), and the blocks that cannot be read. */
export function ipBlocks(peers: Peer[]): { blocks: { cidr: string; ranges: Range[] }[]; unreadable: string[] } {
    const blocks: { cidr: string; ranges: Range[] }[] = [];
    const unreadable: string[] = [];
    for (const peer of peers) {
        const block = peer?.ipBlock as unknown;
        if (block === undefined || block === null) continue;
        if (isUnknown(block) || isUnknown((block as { cidr?: unknown }).cidr)) {
            unreadable.push("an ipBlock whose cidr is unknown during preview");
            continue;
        }
        const { cidr, except } = block as { cidr?: unknown; except?: unknown };
        const range = typeof cidr === "string" ? parseCidr(cidr) : `${JSON.stringify(cidr)} is not a CIDR`;
        if (typeof range === "string") {
            unreadable.push(range);
            continue;
        }
        // An unknown `except` can only remove addresses: without it the block is at its largest, which is what is judged.
        const cut = isUnknown(except) ? [] : cidrRanges(arrayOf<string>(except).filter((e) => typeof e === "string"));
        const excepted = arrayOf<string>(except);
        blocks.push({ cidr: excepted.length > 0 ? `${String(cidr)} except ${excepted.join(", ")}` : String(cidr), ranges: subtract([range], cut) });
    }
    return { blocks, unreadable };
}

/** What a set of ipBlocks reaches that no tenant may reach, each as "the … (ipBlocks …)". */
export function forbiddenReach(blocks: { cidr: string; ranges: Range[] }[], config: GuardConfig): string[] {
    const all = blocks.flatMap((b) => b.ranges);
    const out: string[] = [];
    const internet = internetCovered(all);
    if (internet) out.push(`the whole ${internet} internet (ipBlocks ${blocks.map((b) => b.cidr).join(", ")})`);
    for (const target of forbiddenTargets(config)) {
        const hitting = blocks.filter((b) => reaches(b.ranges, target.ranges));
        if (hitting.length > 0 && !target.within?.some((t) => out.some((o) => o.startsWith(t)))) {
            out.push(`${target.what} (ipBlock${hitting.length > 1 ? "s" : ""} ${hitting.map((b) => b.cidr).join(", ")})`);
        }
    }
    return out;
}

interface Target {
    what: string;
    ranges: Range[];
    /** Skip this target when a more specific one in the list was already reported. */
    within?: string[];
}

function forbiddenTargets(config: GuardConfig): Target[] {
    return [
        { what: "the cloud metadata address 169.254.169.254", ranges: cidrRanges(["169.254.169.254/32"]) },
        { what: "the cloud metadata address fd00:ec2::254", ranges: cidrRanges(["fd00:ec2::254/128"]) },
        { what: "the link-local range 169.254.0.0/16", ranges: cidrRanges(["169.254.0.0/16"]), within: ["the cloud metadata address 169.254.169.254"] },
        { what: "the link-local range fe80::/10", ranges: cidrRanges(["fe80::/10"]) },
        ...config.podCidrs.map((c) => ({ what: `the cluster's pod range ${c}, which holds every tenant's pods`, ranges: cidrRanges([c]) })),
        ...config.serviceCidrs.map((c) => ({ what: `the cluster's Service range ${c}, which holds every tenant's Services`, ranges: cidrRanges([c]) })),
    ];
}
