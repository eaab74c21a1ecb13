/**
 * The engine's wire format for property values (what a resource monitor receives in a
 * RegisterResource request): plain JSON plus signature objects for secrets, resource references,
 * assets and output values, and a sentinel string for unknown values.
 */

/** Key that marks a signature object. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Signature of a secret: `{ [SIG_KEY]: SECRET_SIG, value }`. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** Signature of a resource reference: `{ [SIG_KEY]: RESOURCE_SIG, urn, id?, packageVersion? }`. */
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** Signature of an output value: `{ [SIG_KEY]: OUTPUT_SIG, value?, secret?, dependencies? }`. */
export const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** The value of a property that is not known until the deployment runs. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Text that replaces a secret value in every redacted output. */
export const REDACTED = "[secret]";
/** Text that replaces an unknown value in readable output. */
export const COMPUTED = "[computed]";

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True for a wire-format secret. */
export function isSecret(value: unknown): value is { value: unknown } {
    return isObject(value) && value[SIG_KEY] === SECRET_SIG;
}

/** Wraps a value as a wire-format secret (once). */
export function secret(value: unknown): Obj {
    return isSecret(value) ? (value as Obj) : { [SIG_KEY]: SECRET_SIG, value };
}

/**
 * Turns wire format into plain JSON for people and files: secrets become "[secret]" (or their value
 * when `reveal`), unknowns "[computed]", resource references `{ resource: urn }`. With `keepShape`,
 * a secret object or list keeps its keys and length and only its leaves become "[secret]", so a
 * redacted manifest still has the shape the API expects.
 */
export function toPlain(value: unknown, reveal = false, keepShape = false): unknown {
    return plain(value, reveal, keepShape, false);
}

function plain(value: unknown, reveal: boolean, keepShape: boolean, inSecret: boolean): unknown {
    if (value === UNKNOWN) return COMPUTED;
    if (Array.isArray(value)) return value.map((v) => plain(v, reveal, keepShape, inSecret));
    if (!isObject(value)) return inSecret && !reveal && value !== null ? REDACTED : value;
    const sig = value[SIG_KEY];
    if (sig === SECRET_SIG || (sig === OUTPUT_SIG && value.secret)) {
        if (!("value" in value)) return COMPUTED;
        if (reveal || keepShape) return plain(value.value, reveal, keepShape, true);
        return REDACTED;
    }
    if (sig === RESOURCE_SIG) return { resource: value.urn };
    if (sig === OUTPUT_SIG) return "value" in value ? plain(value.value, reveal, keepShape, inSecret) : COMPUTED;
    const out: Obj = {};
    for (const key of Object.keys(value)) out[key] = plain(value[key], reveal, keepShape, inSecret);
    return out;
}

/** Removes secret markers, keeping the values (used where a tool needs the real data, e.g. policies). */
export function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (!isObject(value)) return value;
    if (value[SIG_KEY] === SECRET_SIG) return unwrapSecrets(value.value);
    const out: Obj = {};
    for (const key of Object.keys(value)) out[key] = unwrapSecrets(value[key]);
    return out;
}

/** JSON with object keys sorted at every level, so equal values always print the same. */
export function canonicalJson(value: unknown, indent?: number): string {
    return JSON.stringify(sortKeys(value), null, indent);
}

/** A deep copy with object keys sorted at every level. */
export function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (!isObject(value)) return value;
    const out: Obj = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
}
