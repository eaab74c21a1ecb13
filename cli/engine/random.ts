import { derivedBytes } from "./plan-key";
import { canonicalJson, secret, UNKNOWN } from "./wire";

/** Emulated state of one provider-computed resource: its outputs and, outside preview, its id. */
export interface EmulatedState {
    /** Outputs in wire format (the inputs plus computed values; secret outputs wrapped). */
    outputs: Record<string, unknown>;
    /** The id the provider would assign. */
    id: string;
    /** Names of the outputs that were computed locally rather than echoed from inputs. */
    computed: string[];
}

type Inputs = Record<string, unknown>;
type Emulator = (inputs: Inputs, bytes: (purpose: string, n: number) => Buffer) => { values: Inputs; id: string; secrets?: string[] };

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
// The random provider's default special characters.
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

function flag(inputs: Inputs, name: string, fallback: boolean): boolean {
    return typeof inputs[name] === "boolean" ? (inputs[name] as boolean) : fallback;
}

function num(inputs: Inputs, name: string, fallback: number): number {
    return typeof inputs[name] === "number" ? (inputs[name] as number) : fallback;
}

/** Picks `n` characters from `alphabet` using 4 bytes per pick (bias below 1e-9). */
function pick(bytes: Buffer, alphabet: string, n: number, offset: number): string {
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[bytes.readUInt32BE((offset + i) * 4) % alphabet.length];
    return out;
}

// Mirrors terraform-provider-random's string generation: the minimum counts of each class first,
// then the rest from the union, then a keyed shuffle.
const randomString: Emulator = (inputs, bytes) => {
    const length = num(inputs, "length", 16);
    const classes: Array<[string, number]> = [];
    if (flag(inputs, "lower", true)) classes.push([LOWER, num(inputs, "minLower", 0)]);
    if (flag(inputs, "upper", true)) classes.push([UPPER, num(inputs, "minUpper", 0)]);
    if (flag(inputs, "numeric", flag(inputs, "number", true))) classes.push([DIGITS, num(inputs, "minNumeric", 0)]);
    if (flag(inputs, "special", true)) {
        const special = typeof inputs.overrideSpecial === "string" ? inputs.overrideSpecial : SPECIAL;
        if (special) classes.push([special, num(inputs, "minSpecial", 0)]);
    }
    const all = classes.map(([chars]) => chars).join("");
    const source = bytes("chars", (length + 1) * 8);
    let chars = "";
    let used = 0;
    for (const [alphabet, min] of classes) {
        chars += pick(source, alphabet, min, used);
        used += min;
    }
    chars += pick(source, all || LOWER, Math.max(0, length - used), used);
    const order = bytes("shuffle", chars.length * 4);
    const shuffled = [...chars];
    for (let i = shuffled.length - 1; i > 0; i--) {
        const j = order.readUInt32BE(i * 4) % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const result = shuffled.join("").slice(0, length);
    return { values: { result }, id: result };
};

function uuid(raw: Buffer, version: 4 | 7): string {
    const b = Buffer.from(raw.subarray(0, 16));
    b[6] = (b[6] & 0x0f) | (version << 4);
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = b.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function uuidEmulator(version: 4 | 7): Emulator {
    return (_inputs, bytes) => {
        const result = uuid(bytes("uuid", 16), version);
        return { values: { result }, id: result };
    };
}

const EMULATORS: Record<string, Emulator> = {
    "random:index/randomBytes:RandomBytes": (inputs, bytes) => {
        const raw = bytes("bytes", num(inputs, "length", 32));
        return { values: { base64: raw.toString("base64"), hex: raw.toString("hex") }, id: "none" };
    },
    "random:index/randomId:RandomId": (inputs, bytes) => {
        const raw = bytes("id", num(inputs, "byteLength", 8));
        const prefix = typeof inputs.prefix === "string" ? inputs.prefix : "";
        const b64Url = raw.toString("base64url");
        return {
            values: {
                b64Std: prefix + raw.toString("base64"),
                b64Url: prefix + b64Url,
                hex: prefix + raw.toString("hex"),
                dec: prefix + BigInt(`0x${raw.toString("hex") || "0"}`).toString(10),
            },
            id: b64Url,
        };
    },
    "random:index/randomString:RandomString": randomString,
    "random:index/randomPassword:RandomPassword": (inputs, bytes) => {
        const { values } = randomString(inputs, bytes);
        // No bcrypt implementation is installed, so the hash stays unknown, as in a real preview.
        return { values: { ...values, bcryptHash: UNKNOWN }, id: "none" };
    },
    "random:index/randomInteger:RandomInteger": (inputs, bytes) => {
        const min = num(inputs, "min", 0);
        const max = num(inputs, "max", min);
        const result = min + (bytes("int", 4).readUInt32BE(0) % (max - min + 1));
        return { values: { result }, id: String(result) };
    },
    "random:index/randomUuid:RandomUuid": uuidEmulator(4),
    "random:index/randomUuid4:RandomUuid4": uuidEmulator(4),
    "random:index/randomUuid7:RandomUuid7": uuidEmulator(7),
    "random:index/randomShuffle:RandomShuffle": (inputs, bytes) => {
        const items = Array.isArray(inputs.inputs) ? [...inputs.inputs] : [];
        const order = bytes("shuffle", Math.max(1, items.length) * 4);
        for (let i = items.length - 1; i > 0; i--) {
            const j = order.readUInt32BE(i * 4) % (i + 1);
            [items[i], items[j]] = [items[j], items[i]];
        }
        const count = num(inputs, "resultCount", items.length);
        return { values: { results: items.slice(0, count) }, id: "-" };
    },
};

/** Whether this resource type's computed outputs are emulated locally. */
export function isEmulatedRandom(type: string): boolean {
    return Object.prototype.hasOwnProperty.call(EMULATORS, type);
}

/**
 * Computes what the random provider would return for a new resource, from bytes keyed on the
 * machine key, the URN and the inputs: stable across runs, different when the real provider would
 * replace the resource (its inputs changed). `secretOutputs` are wrapped as secrets, as the engine does.
 */
export function emulateRandom(key: Buffer, type: string, urn: string, inputs: Inputs, secretOutputs: string[]): EmulatedState {
    const emulator = EMULATORS[type];
    if (!emulator) throw new Error(`no emulation for ${type}`);
    const scope = `${type}\u0000${urn}\u0000${canonicalJson(inputs)}`;
    const { values, id } = emulator(inputs, (purpose, n) => derivedBytes(key, `${scope}\u0000${purpose}`, n));
    const outputs: Inputs = { ...inputs };
    for (const [name, value] of Object.entries(values)) outputs[name] = secretOutputs.includes(name) ? secret(value) : value;
    return { outputs, id, computed: Object.keys(values).sort() };
}
