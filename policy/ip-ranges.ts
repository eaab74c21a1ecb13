// Exact IPv4/IPv6 range arithmetic over BigInt: CIDRs become closed intervals of one 128-bit space,
// so unions, differences and "does this cover that" are answered by arithmetic, not by string
// comparison. IPv4 lives at ::ffff:0:0/96 (IPv4-mapped), and the NAT64 prefix 64:ff9b::/96 is
// read as IPv4 too, since a NAT64 gateway sends it there.
import { isIPv6 } from "node:net";

/** A closed interval of addresses in the 128-bit space. */
export interface Range {
    /** First address. */
    lo: bigint;
    /** Last address. */
    hi: bigint;
}

const V4_MAPPED = 0xffff_0000_0000n;
const NAT64 = 0x0064_ff9b_0000_0000_0000_0000_0000_0000n;
const V4_SIZE = 1n << 32n;
const V4_WINDOWS = [V4_MAPPED, NAT64];

/** Parses a CIDR as Kubernetes does (host bits ignored, IPv4 octets may have leading zeros); a problem string when it is not one. */
export function parseCidr(text: string): Range | string {
    const slash = text.indexOf("/");
    if (slash < 0) return `"${text}" is not a CIDR (no prefix length)`;
    const address = text.slice(0, slash);
    const prefixText = text.slice(slash + 1);
    const v4 = parseIPv4(address);
    const value = v4 !== undefined ? v4 + V4_MAPPED : isIPv6(address) ? parseIPv6(address) : undefined;
    if (value === undefined) return `"${text}" is not a CIDR ("${address}" is not an IP address)`;
    const bits = v4 !== undefined ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return `"${text}" is not a CIDR (prefix length must be 0 to ${bits})`;
    const host = (1n << BigInt(bits - Number(prefixText))) - 1n;
    return { lo: value & ~host, hi: (value & ~host) | host };
}

function parseIPv4(address: string): bigint | undefined {
    const parts = address.split(".");
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIPv6(address: string): bigint {
    let text = address.toLowerCase();
    const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (tail) {
        const n = parseIPv4(tail[1]) ?? 0n;
        text = `${text.slice(0, -tail[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head, rest] = text.includes("::") ? text.split("::") : [text, undefined];
    const headGroups = head ? head.split(":") : [];
    const tailGroups = rest ? rest.split(":") : [];
    const groups = rest === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
    return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Sorts and merges ranges into disjoint, non-adjacent intervals. */
export function normalize(ranges: readonly Range[]): Range[] {
    const sorted = [...ranges].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    const out: Range[] = [];
    for (const r of sorted) {
        const last = out[out.length - 1];
        if (last && r.lo <= last.hi + 1n) last.hi = r.hi > last.hi ? r.hi : last.hi;
        else out.push({ ...r });
    }
    return out;
}

/** `a` minus `b`. */
export function subtract(a: readonly Range[], b: readonly Range[]): Range[] {
    let rest = normalize(a);
    for (const cut of normalize(b)) {
        rest = rest.flatMap((r) => {
            if (cut.hi < r.lo || cut.lo > r.hi) return [r];
            const parts: Range[] = [];
            if (cut.lo > r.lo) parts.push({ lo: r.lo, hi: cut.lo - 1n });
            if (cut.hi < r.hi) parts.push({ lo: cut.hi + 1n, hi: r.hi });
            return parts;
        });
    }
    return rest;
}

/** The addresses in both `a` and `b`. */
export function intersect(a: readonly Range[], b: readonly Range[]): Range[] {
    return subtract(a, subtract(a, b));
}

/** Number of addresses. */
export function size(ranges: readonly Range[]): bigint {
    return normalize(ranges).reduce((sum, r) => sum + (r.hi - r.lo + 1n), 0n);
}

/** The IPv4 addresses the ranges reach (through the IPv4-mapped and NAT64 windows), as ranges of the IPv4-mapped window. */
export function ipv4View(ranges: readonly Range[]): Range[] {
    const out: Range[] = [];
    for (const base of V4_WINDOWS) {
        for (const r of intersect(ranges, [{ lo: base, hi: base + V4_SIZE - 1n }])) out.push({ lo: r.lo - base + V4_MAPPED, hi: r.hi - base + V4_MAPPED });
    }
    return normalize(out);
}

/** Ranges of a list of CIDRs that are known to parse. */
export function cidrRanges(cidrs: readonly string[]): Range[] {
    return cidrs.map(parseCidr).filter((r): r is Range => typeof r !== "string");
}

// IPv4 special-purpose blocks (RFC 6890 and successors): everything else is the public internet.
const V4_SPECIAL = cidrRanges([
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
    "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
]);
const V4_PUBLIC = subtract(cidrRanges(["0.0.0.0/0"]), V4_SPECIAL);
const V6_PUBLIC = cidrRanges(["2000::/3"]);

/**
 * Which internets the ranges cover most of — more than half of public IPv4, or of IPv6 global
 * unicast 2000::/3 — as "IPv4", "IPv6", "IPv4 and IPv6", or undefined.
 */
export function internetCovered(ranges: readonly Range[]): string | undefined {
    const v4 = size(intersect(ipv4View(ranges), V4_PUBLIC)) * 2n > size(V4_PUBLIC);
    const v6 = size(intersect(ranges, V6_PUBLIC)) * 2n > size(V6_PUBLIC);
    return v4 && v6 ? "IPv4 and IPv6" : v4 ? "IPv4" : v6 ? "IPv6" : undefined;
}

/** True when the ranges reach any address of `target` (IPv4 targets also through their IPv6 spellings). */
export function reaches(ranges: readonly Range[], target: readonly Range[]): boolean {
    return intersect(ranges, target).length > 0 || intersect(ipv4View(ranges), target).length > 0;
}
