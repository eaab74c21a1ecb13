/** Decimal and binary suffixes of Kubernetes resource quantities, as multipliers of the base unit. */
const SUFFIXES: Record<string, number> = {
    "": 1,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

// The grammar of k8s.io/apimachinery/pkg/api/resource: a signed decimal, then a binary suffix,
// a decimal suffix or a decimal exponent.
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/**
 * Parses a Kubernetes quantity ("500m", "40Gi", "10", "1e3") into its value in base units,
 * or returns undefined when the string is not a quantity.
 */
export function parseQuantity(text: string): number | undefined {
    const match = QUANTITY.exec(text.trim() === text ? text : "");
    if (!match) return undefined;
    const [, digits, suffix = ""] = match;
    const base = Number(digits);
    if (!Number.isFinite(base)) return undefined;
    if (/^[eE]/.test(suffix)) return base * 10 ** Number(suffix.slice(1));
    return base * SUFFIXES[suffix];
}

/** True when the string is a valid, non-negative Kubernetes quantity. */
export function isQuantity(text: string): boolean {
    const value = parseQuantity(text);
    return value !== undefined && value >= 0;
}
