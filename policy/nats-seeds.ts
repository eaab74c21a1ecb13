// NATS nkey seeds wherever a stack stores them. A seed is a credential: whoever holds a copy IS that
// key, so the pack must find every copy to report those outside the owner's namespace. Seeds were
// hidden as other roles (SA…), in lower case, and in line-wrapped base64, so this reads every signing
// role, in any case, in plain text and inside base64, base64url and hex (wrapped or not), nested up
// to MAX_LAYERS deep. Every pass is a linear walk without regexes, and a budget of decoded bytes per
// value bounds the work whatever an input holds.
import { nkeyFromSeedBytes } from "../components/nats-keys";
import { encodeNkeySeed, Prefix } from "../components/nkey-encoding";

/** The kind of key a seed is, by its second character. */
export type SeedRole = "operator" | "account" | "user" | "server" | "cluster";

/** A seed found: its canonical text (upper case SO…/SA…/SU…/SN…/SC…), its public key, its role. */
export interface FoundSeed {
    /** The canonical seed text, as the library encodes its 32 bytes; every other spelling of the same key maps to it. */
    seed: string;
    /** The public key (O…/A…/U…/N…/C…). */
    publicKey: string;
    /** The role of the key. */
    role: SeedRole;
}

// Signing roles only: curve (X) keys encrypt, they cannot connect or sign, and are out of scope.
// Indexed by prefix byte, and Prefix.Seed copied, because both are read for every candidate.
const ROLES: (SeedRole | undefined)[] = [];
Object.assign(ROLES, { [Prefix.Operator]: "operator", [Prefix.Account]: "account", [Prefix.User]: "user", [Prefix.Server]: "server", [Prefix.Cluster]: "cluster" });
const SEED_PREFIX = Prefix.Seed;
const RAW = new Uint8Array(36); // scratch for seedAt, which keeps nothing of it

const SEED_CHARS = 58; // base32 of 2 prefix bytes, 32 seed bytes and a 2-byte CRC, unpadded
const MAX_LAYERS = 4; // base64 of base64 of a .creds is 2: 4 leaves room without unbounded recursion
const MAX_DECODED_BYTES = 16 * 1024 * 1024; // per value; a Kubernetes object is at most ~1.5 MiB
// The 58 bytes of a seed take at least 78 base64 characters or 116 hex digits: shorter runs hold none.
const MIN_BASE64 = 78;
const MIN_HEX = 2 * SEED_CHARS;

// Character classes of the first 256 code points (decoded bytes are read as latin1: a character a byte).
const BASE32 = 1;
const BASE64 = 2; // standard and URL alphabets together: Node's decoder reads both, so mixes decode too
const HEX = 4;
const SPACE = 8;
const CLASS = new Uint8Array(256);
const VALUE = new Uint8Array(256); // base32 digit of a letter of either case, or of 2-7
const mark = (chars: string, kind: number) => {
    for (const c of chars) CLASS[c.charCodeAt(0)] |= kind;
};
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
mark(UPPER + UPPER.toLowerCase() + "234567", BASE32);
mark(UPPER + UPPER.toLowerCase() + "0123456789+/-_", BASE64);
mark("0123456789abcdefABCDEF", HEX);
mark(" \t\r\n\f\v", SPACE);
[...UPPER + "234567"].forEach((c, i) => (VALUE[c.charCodeAt(0)] = VALUE[c.toLowerCase().charCodeAt(0)] = i));
const classAt = (text: string, i: number): number => {
    const code = text.charCodeAt(i);
    return code < 256 ? CLASS[code] : 0;
};

// CRC-16/XMODEM by table: a candidate's checksum is checked before any curve work, so it must be cheap.
const CRC = Uint16Array.from({ length: 256 }, (_, byte) => {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    return crc;
});

// The seed spelled by the 58 characters at `at`, or undefined. nkeys (Go and JS) ignore the low 3 bits
// of the second byte and the last 2 bits of the text, so one key has several spellings a client
// accepts: the canonical text re-encodes the bytes, and `known` spares the curve for a seed seen before.
function seedAt(text: string, at: number, known?: Map<string, FoundSeed>): FoundSeed | undefined {
    const raw = RAW;
    let buffer = 0;
    let bits = 0;
    let n = 0;
    for (let i = at; i < at + SEED_CHARS; i++) {
        const code = text.charCodeAt(i);
        if (code > 255 || !(CLASS[code] & BASE32)) return undefined;
        buffer = ((buffer << 5) | VALUE[code]) & 0xffff;
        bits += 5;
        if (bits < 8) continue;
        bits -= 8;
        raw[n++] = (buffer >>> bits) & 0xff;
        // Reject on the prefix first: text crafted to be full of candidates then costs 4 characters each.
        if (n === 2 && ((raw[0] & 0xf8) !== SEED_PREFIX || ROLES[((raw[0] & 7) << 5) | (raw[1] >> 3)] === undefined)) return undefined;
    }
    let crc = 0;
    for (let i = 0; i < 34; i++) crc = ((crc << 8) & 0xffff) ^ CRC[((crc >> 8) ^ raw[i]) & 0xff];
    if (crc !== (raw[34] | (raw[35] << 8))) return undefined;
    const prefix = ((raw[0] & 7) << 5) | (raw[1] >> 3);
    const payload = raw.slice(2, 34);
    const canonical = encodeNkeySeed(prefix, payload);
    return known?.get(canonical) ?? { seed: canonical, publicKey: nkeyFromSeedBytes(prefix, payload).publicKey, role: ROLES[prefix]! };
}

/** Validates one seed text (case-insensitive, surrounding whitespace ignored) and returns its canonical form, public key and role, or undefined. */
export function readSeed(text: string): FoundSeed | undefined {
    const trimmed = text.trim();
    return trimmed.length === SEED_CHARS ? seedAt(trimmed, 0) : undefined;
}

// Seeds written as they are: every position of a run of base32 characters, since a seed may sit
// against other letters (decoded binary, `seed=SU…`); case-insensitive, as the holder can upper-case it back.
function scanPlain(text: string, found: Map<string, FoundSeed>): void {
    for (let i = 0, end = 0; i < text.length; i = end + 1) {
        for (end = i; end < text.length && classAt(text, end) & BASE32; ) end++;
        for (let at = i; at + SEED_CHARS <= end; at++) {
            const seed = (text.charCodeAt(at) | 32) === 0x73 /* s */ ? seedAt(text, at, found) : undefined;
            if (seed) found.set(seed.seed, seed);
        }
    }
}

// Maximal runs of `kind` characters, with whitespace inside dropped: wrapped lines (any width, \n or
// \r\n, YAML indentation, a JSON `\n` escape) join back into one text. Anything else (`=` padding,
// quotes, punctuation) ends a run. Joining words of prose can misalign a blob that follows them, so
// `visit` also gets the offsets (mod `group`) where pieces began; decoding from each realigns them.
function eachRun(text: string, kind: number, group: number, min: number, visit: (joined: string, offsets: number) => void): void {
    // The scan allocates nothing (in binary, most characters open or end a run): the pieces of a run
    // are gathered again only when it is long enough to be decoded.
    let start = 0;
    let length = 0;
    let offsets = 0;
    for (let i = 0; i < text.length; ) {
        const code = text.charCodeAt(i);
        const kinds = code < 256 ? CLASS[code] : 0;
        if (kinds & kind) {
            if (length === 0) start = i;
            offsets |= 1 << (length & (group - 1)); // group is 2 or 4
            let end = i + 1;
            while (end < text.length && classAt(text, end) & kind) end++;
            length += end - i;
            i = end;
        } else if (kinds & SPACE) i++;
        else if (code === 0x5c /* \ */ && isEscapedSpace(text, i + 1)) i += 2;
        else {
            if (length >= min) visit(joinRun(text, start, i, kind), offsets);
            length = offsets = 0;
            i++;
        }
    }
    if (length >= min) visit(joinRun(text, start, text.length, kind), offsets);
}

const isEscapedSpace = (text: string, i: number) => text[i] === "n" || text[i] === "r" || text[i] === "t";

// The characters of `kind` in text[start, end), without the whitespace and escapes between them.
function joinRun(text: string, start: number, end: number, kind: number): string {
    const pieces: string[] = [];
    for (let i = start; i < end; ) {
        let stop = i;
        while (stop < end && classAt(text, stop) & kind) stop++;
        if (stop > i) pieces.push(text.slice(i, stop));
        i = stop < end && text.charCodeAt(stop) === 0x5c ? stop + 2 : stop + 1;
    }
    return pieces.join("");
}

// Every base64 and hex decoding of `text` worth scanning, within the budget (truncated when it runs out).
// A decoded text has no word boundaries to realign by, and a run joined across words decodes the
// words before a blob to bytes that may glue onto the text it holds: decoded texts (`deep`) are
// decoded at every alignment. In random bytes long runs are rare, so this costs little.
function decodings(text: string, deep: boolean, budget: { left: number }, out: string[]): void {
    const decode = (chars: string, encoding: "base64" | "hex", perByte: number) => {
        if (budget.left <= 0) return;
        const bytes = Math.min(Math.floor(chars.length / perByte), budget.left);
        budget.left -= bytes;
        out.push(Buffer.from(chars.slice(0, Math.ceil(bytes * perByte)), encoding).toString("latin1"));
    };
    eachRun(text, BASE64, 4, MIN_BASE64, (joined, offsets) => {
        for (let r = 0; r < 4; r++) if (deep || offsets & (1 << r)) decode(joined.slice(r), "base64", 4 / 3);
    });
    eachRun(text, HEX, 2, MIN_HEX, (joined, offsets) => {
        for (let r = 0; r < 2; r++) if (deep || offsets & (1 << r)) decode(joined.slice(r), "hex", 2);
    });
}

// Every string inside a value (object keys too: a seed can be a key), without recursion so any depth works.
function stringsIn(value: unknown): string[] {
    const texts: string[] = [];
    const seen = new Set<object>();
    const stack = [value];
    while (stack.length > 0) {
        const v = stack.pop();
        if (typeof v === "string") texts.push(v);
        else if (ArrayBuffer.isView(v)) texts.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("latin1"));
        else if (v && typeof v === "object" && !seen.has(v)) {
            seen.add(v);
            // Pushed last to first, so strings come in document order (the budget goes to the first).
            const items = Array.isArray(v) ? v : Object.entries(v).flat();
            for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]);
        }
    }
    return texts;
}

/**
 * Every text a value holds (any nesting of objects/arrays/strings; object keys too): each string,
 * then, layer by layer, each base64, base64url and hex decoding in it (wrapped or not, read as latin1),
 * nested up to 4 layers. Breadth first within a budget of 16 MiB decoded bytes per call, so an input
 * that exhausts it loses its deepest layers first. Other scans (NATS JWTs) use it to see what the seed scan sees.
 */
export function* textLayers(value: unknown): Generator<string> {
    const budget = { left: MAX_DECODED_BYTES };
    let layer = stringsIn(value);
    for (let depth = 0; layer.length > 0; depth++) {
        const next: string[] = [];
        for (const text of layer) {
            yield text;
            if (depth < MAX_LAYERS) decodings(text, depth > 0, budget, next);
        }
        layer = next;
    }
}

/**
 * Every valid seed inside a value (any nesting of objects/arrays/strings), keyed by canonical seed:
 * in plain text (any case, `.creds` files included) anywhere in {@link textLayers}.
 */
export function seedsIn(value: unknown): Map<string, FoundSeed> {
    return seedsInTexts(textLayers(value));
}

/** Every valid seed in texts already decoded by {@link textLayers} (so a caller scanning them for more decodes once). */
export function seedsInTexts(texts: Iterable<string>): Map<string, FoundSeed> {
    const found = new Map<string, FoundSeed>();
    for (const text of texts) scanPlain(text, found);
    return found;
}
