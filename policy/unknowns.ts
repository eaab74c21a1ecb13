// Values unknown during preview. @pulumi/policy wraps properties in a proxy that throws on reading
// one, and its server turns that throw into an advisory "can't run during preview": the whole rule
// stops and passes. The pack never reads through that proxy; it copies the raw properties once,
// with every unknown turned into UNKNOWN, and each rule decides per field what an unknown means.

/** The one marker every rule sees for a value not known until the deployment runs. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

// The engine's sentinels, one per type (@pulumi/policy/proxy); the engine sends the string one
// for every type, but a value written by another client may carry any of them.
const SENTINELS: ReadonlySet<unknown> = new Set([
    UNKNOWN,
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

// The proxy hands out its target for this key, without checking it (see @pulumi/policy/proxy).
const PROXY_TARGET = "__getSpecialProxyTarget";

/** True for a value unknown during preview. */
export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/** The object a @pulumi/policy proxy wraps, or `value` itself when it is not one. */
export function unwrapProxy(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    const target = (value as Record<string, unknown>)[PROXY_TARGET];
    return target !== undefined && target !== null && typeof target === "object" ? target : value;
}

/** A plain deep copy of a resource's properties: proxies removed, every unknown sentinel as UNKNOWN. */
export function plainValue(value: unknown): unknown {
    const raw = unwrapProxy(value);
    if (SENTINELS.has(raw)) return UNKNOWN;
    if (Array.isArray(raw)) return raw.map(plainValue);
    if (raw === null || typeof raw !== "object") return raw;
    // Assets and secrets deserialized by the pack's server are class instances; their fields are data too.
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(raw)) out[key] = plainValue((raw as Record<string, unknown>)[key]);
    return out;
}

/** The properties of a resource as plain data (see {@link plainValue}). */
export function plainProps(props: unknown): Record<string, unknown> {
    const value = plainValue(props);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The path of the first unknown value inside `value` (`spec.ingress[0].from`), or undefined when all of it is known. */
export function firstUnknown(value: unknown, path = ""): string | undefined {
    if (isUnknown(value)) return path || "(the whole value)";
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const found = firstUnknown(value[i], `${path}[${i}]`);
            if (found) return found;
        }
        return undefined;
    }
    if (value === null || typeof value !== "object") return undefined;
    for (const key of Object.keys(value)) {
        const found = firstUnknown((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
        if (found) return found;
    }
    return undefined;
}
