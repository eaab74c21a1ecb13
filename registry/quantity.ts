/** An exact Kubernetes quantity: `num / den` in base units, `den` > 0 (no rounding, ever). */
export interface ExactQuantity {
    /** Numerator. */
    num: bigint;
    /** Denominator, positive. */
    den: bigint;
}

// Binary suffixes as powers of 2, decimal suffixes as powers of 10.
const BINARY: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// The grammar of k8s.io/apimachinery/pkg/api/resource: a signed decimal, then a binary suffix,
// a decimal suffix or a decimal exponent.
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

// Exponents beyond this are no quantity a cluster uses; bounding them bounds the BigInt work.
const MAX_EXPONENT = 100;

/**
 * Parses a Kubernetes quantity ("500m", "0.7", "40Gi", "1e3", or a JSON number) exactly, or
 * returns undefined when it is not one.
 */
export function parseExactQuantity(value: string | number): ExactQuantity | undefined {
    if (typeof value === "number" && !Number.isFinite(value)) return undefined;
    const text = typeof value === "number" ? String(value) : value;
    const match = QUANTITY.exec(text);
    if (!match) return undefined;
    const [, sign, whole, fraction = "", suffix = ""] = match;
    if (whole === "" && fraction === "") return undefined;
    let num = BigInt(`${whole}${fraction}` || "0") * (sign === "-" ? -1n : 1n);
    let den = 10n ** BigInt(fraction.length);
    let exponent: number;
    if (suffix in BINARY) {
        num *= 2n ** BINARY[suffix];
        exponent = 0;
    } else if (suffix in DECIMAL) exponent = DECIMAL[suffix];
    else exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
    if (exponent >= 0) num *= 10n ** BigInt(exponent);
    else den *= 10n ** BigInt(-exponent);
    return { num, den };
}

/** Compares two exact quantities: negative, zero or positive as `a` is below, equal to or above `b`. */
export function compareQuantities(a: ExactQuantity, b: ExactQuantity): number {
    const left = a.num * b.den;
    const right = b.num * a.den;
    return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * Parses a Kubernetes quantity ("500m", "40Gi", "10", "1e3") into its value in base units,
 * or returns undefined when the string is not a quantity. Comparisons should use
 * {@link parseExactQuantity}: a float cannot hold 0.7 or 700m exactly.
 */
export function parseQuantity(text: string): number | undefined {
    const exact = parseExactQuantity(text);
    return exact === undefined ? undefined : Number(exact.num) / Number(exact.den);
}

/** True when the string is a valid, non-negative Kubernetes quantity. */
export function isQuantity(text: string): boolean {
    const value = parseExactQuantity(text);
    return value !== undefined && value.num >= 0n;
}
