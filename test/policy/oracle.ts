// Independent oracles for the generative tests: what the pack must decide, computed here from the
// issue's definitions with other arithmetic (Number intervals, integer base units), never with the
// pack's own parsers, so a bug in one is not hidden by the same bug in the other.

/** A quantity in integer base units: milli-units for cpu, bytes for memory and storage, items for counts. */
export type Unit = "milli" | "bytes" | "count";

/** The unit of each quota key the plans cap. */
export const QUOTA_UNITS: Record<string, Unit> = {
    "requests.cpu": "milli",
    "limits.cpu": "milli",
    "requests.memory": "bytes",
    "limits.memory": "bytes",
    "requests.storage": "bytes",
    persistentvolumeclaims: "count",
    pods: "count",
};

const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n };

/** Reads a catalog ceiling ("10", "40Gi", "2Ti", "4000m", 15) in integer base units. */
export function ceilingUnits(text: string | number, unit: Unit): bigint {
    const m = /^(\d+)(m|Ki|Mi|Gi|Ti)?$/.exec(String(text));
    if (!m) throw new Error(`the oracle reads only plain catalog ceilings, not ${text}`);
    const n = BigInt(m[1]);
    if (m[2] === "m") return n;
    if (m[2]) return n * BINARY[m[2]];
    return unit === "milli" ? n * 1000n : n;
}

/** Every way of writing `value` base units the oracle knows to be exact. */
export function spellings(value: bigint, unit: Unit): (string | number)[] {
    const out: (string | number)[] = [];
    if (unit === "milli") {
        out.push(`${value}m`, `${value}e-3`);
        const whole = value / 1000n;
        const frac = value % 1000n;
        out.push(frac === 0n ? `${whole}` : `${whole}.${frac.toString().padStart(3, "0").replace(/0+$/, "")}`);
        if (frac === 0n) out.push(Number(whole), `${whole}.000`);
    } else {
        out.push(`${value}`, `${value}e0`);
        for (const [suffix, size] of Object.entries(BINARY)) if (value % size === 0n && value > 0n) out.push(`${value / size}${suffix}`);
        if (value % 1000n === 0n && value > 0n) out.push(`${value / 1000n}k`);
        if (unit === "count") out.push(Number(value), `${value * 1000n}m`);
    }
    return out;
}

/** An IPv4 range as Numbers (inclusive). */
export type V4Range = [number, number];

/** Parses a dotted quad (leading zeros read as decimal), or undefined. */
export function v4(text: string): number | undefined {
    const parts = text.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** The IPv4 range of a prefix. */
export function v4Block(address: number, prefix: number): V4Range {
    const size = 2 ** (32 - prefix);
    const lo = Math.floor(address / size) * size;
    return [lo, lo + size - 1];
}

// Public IPv4: everything but the special-purpose blocks, as the "internet" means.
const SPECIAL: V4Range[] = [
    ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.0.0.0", 24], ["192.0.2.0", 24],
    ["192.88.99.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
].map(([a, p]) => v4Block(v4(a as string)!, p as number));

function merge(ranges: V4Range[]): V4Range[] {
    const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
    const out: V4Range[] = [];
    for (const [lo, hi] of sorted) {
        const last = out[out.length - 1];
        if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
        else out.push([lo, hi]);
    }
    return out;
}

function overlap(a: V4Range[], b: V4Range[]): number {
    let total = 0;
    for (const [alo, ahi] of merge(a)) for (const [blo, bhi] of merge(b)) total += Math.max(0, Math.min(ahi, bhi) - Math.max(alo, blo) + 1);
    return total;
}

const PUBLIC_SIZE = 2 ** 32 - overlap(SPECIAL, [[0, 2 ** 32 - 1]]);

/** Whether IPv4 ranges cover more than half of the public IPv4 internet. */
export function coversV4Internet(ranges: V4Range[]): boolean {
    const covered = overlap(ranges, [[0, 2 ** 32 - 1]]) - overlap(merge(ranges), SPECIAL);
    return covered * 2 > PUBLIC_SIZE;
}

/** Whether IPv4 ranges touch a target range. */
export function touches(ranges: V4Range[], target: V4Range): boolean {
    return overlap(ranges, [target]) > 0;
}
