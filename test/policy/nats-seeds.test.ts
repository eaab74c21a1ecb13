import { randomBytes } from "node:crypto";
import { createCurve, fromSeed } from "@nats-io/nkeys";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { credsFile, userJwt } from "../../components/nats-jwt";
import { nkeyFromSeedBytes } from "../../components/nats-keys";
import { Prefix } from "../../components/nkey-encoding";
import { readSeed, seedsIn, textLayers, type SeedRole } from "../../policy/nats-seeds";

const ROLES: [SeedRole, Prefix, string][] = [
    ["operator", Prefix.Operator, "SO"],
    ["account", Prefix.Account, "SA"],
    ["user", Prefix.User, "SU"],
    ["server", Prefix.Server, "SN"],
    ["cluster", Prefix.Cluster, "SC"],
];
const key = (prefix: Prefix, fill: number) => nkeyFromSeedBytes(prefix, Buffer.alloc(32, fill));
const USER = key(Prefix.User, 1);
const ACCOUNT = key(Prefix.Account, 2);
const SIGNING = key(Prefix.Account, 3);
const CREDS = credsFile(userJwt("alice", USER.publicKey, ACCOUNT.publicKey, SIGNING), USER.seed);

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** base32 of bytes followed by their CRC-16/XMODEM (little endian): any nkey spelling, bit by bit. */
function spell(head: number[]): string {
    let crc = 0;
    for (const byte of head) {
        crc ^= byte << 8;
        for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    const bits = [...head, crc & 0xff, crc >> 8].map((b) => b.toString(2).padStart(8, "0")).join("");
    return Array.from({ length: Math.ceil(bits.length / 5) }, (_, i) => ALPHABET[parseInt(bits.slice(i * 5, i * 5 + 5).padEnd(5, "0"), 2)]).join("");
}
const b64 = (text: string) => Buffer.from(text).toString("base64");
/** Lines of `width` characters, as `base64 -w width` writes them. */
const wrap = (text: string, width: number, eol: string) => Array.from({ length: Math.ceil(text.length / width) }, (_, i) => text.slice(i * width, (i + 1) * width)).join(eol);
/** The public key @nats-io/nkeys gives a seed: the independent oracle. */
const oracle = (seed: string) => fromSeed(new TextEncoder().encode(seed)).getPublicKey();
/** What seedsIn finds, as seed → public key. */
const found = (value: unknown) => Object.fromEntries([...seedsIn(value)].map(([seed, f]) => [seed, f.publicKey]));

// Each way a stack can hold a document with a seed in it; the document is around the seed, so encoded
// seeds never start at the beginning of a base64 group.
const ENCODINGS: Record<string, (text: string) => string> = {
    plain: (t) => t,
    "lower case": (t) => t.toLowerCase(),
    base64: b64,
    "base64 wrapped at 76, \\n": (t) => wrap(b64(t), 76, "\n"),
    "base64 wrapped at 76, \\r\\n": (t) => wrap(b64(t), 76, "\r\n"),
    "base64 wrapped at 64, \\n": (t) => wrap(b64(t), 64, "\n"),
    "base64 wrapped at 64, \\r\\n": (t) => wrap(b64(t), 64, "\r\n"),
    "base64 wrapped at 75 in an indented YAML block": (t) => wrap(b64(t), 75, "\n    "),
    "base64 unpadded": (t) => b64(t).replace(/=+$/, ""),
    base64url: (t) => Buffer.from(t).toString("base64url"),
    hex: (t) => Buffer.from(t).toString("hex"),
    "hex upper case, wrapped at 60 (xxd -p)": (t) => wrap(Buffer.from(t).toString("hex").toUpperCase(), 60, "\n"),
    "base64 of base64": (t) => b64(b64(t)),
    "base64 wrapped at 76 of base64 of lower case": (t) => wrap(b64(b64(t.toLowerCase())), 76, "\n"),
    "hex of base64url of base64": (t) => Buffer.from(Buffer.from(b64(t)).toString("base64url")).toString("hex"),
    "base64 of base64 of base64 of base64": (t) => b64(b64(b64(b64(t)))),
    "JSON with the base64 wrapped by \\n escapes": (t) => JSON.stringify({ seed: wrap(b64(t), 76, "\n") }),
};

describe("readSeed", () => {
    it.each(ROLES)("reads a seed of role %s with its public key", (role, prefix, start) => {
        const k = key(prefix, 42);
        expect(k.seed.startsWith(start)).toBe(true);
        expect(readSeed(k.seed)).toEqual({ seed: k.seed, publicKey: k.publicKey, role });
        expect(readSeed(k.seed.toLowerCase())).toEqual({ seed: k.seed, publicKey: oracle(k.seed), role });
        expect(readSeed(` ${k.seed}\n`)?.publicKey).toBe(k.publicKey);
    });

    it("refuses a seed whose checksum does not match", () => {
        const last = USER.seed.at(-2) === "A" ? "B" : "A";
        expect(readSeed(USER.seed.slice(0, -2) + last + USER.seed.at(-1))).toBeUndefined();
    });

    it("refuses a curve seed, public keys and texts of the wrong length", () => {
        const curve = new TextDecoder().decode(createCurve().getSeed());
        expect(curve.startsWith("SX")).toBe(true);
        expect([curve, USER.publicKey, USER.seed.slice(1), USER.seed + "A", ""].map(readSeed)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    });

    it("refuses random base32 after SU unless nkeys itself takes it as a seed", () => {
        fc.assert(
            fc.property(fc.array(fc.constantFrom(...ALPHABET), { minLength: 56, maxLength: 56 }), (chars) => {
                const text = `SU${chars.join("")}`;
                let valid: string | undefined;
                try {
                    valid = oracle(text);
                } catch {
                    valid = undefined;
                }
                expect(readSeed(text)?.publicKey).toBe(valid);
                expect(seedsIn(text).size).toBe(valid ? 1 : 0);
            }),
            { numRuns: 500 },
        );
    });

    it("maps the other spellings nkeys accepts (unused bits of the prefix or of the last character set) to the canonical seed", () => {
        const bytes = Buffer.alloc(32, 1);
        const head = (low: number) => [Prefix.Seed | (Prefix.User >> 5), ((Prefix.User & 31) << 3) | low, ...bytes];
        expect(spell(head(0))).toBe(USER.seed);
        const variants = [spell(head(5)), USER.seed.slice(0, -1) + ALPHABET[ALPHABET.indexOf(USER.seed.at(-1)!) | 3]];
        for (const variant of variants) {
            expect(variant).not.toBe(USER.seed);
            expect(oracle(variant)).toBe(USER.publicKey);
            expect(readSeed(variant)).toEqual({ seed: USER.seed, publicKey: USER.publicKey, role: "user" });
            expect(found(`x ${variant} y ${b64(variant)}`)).toEqual({ [USER.seed]: USER.publicKey });
        }
    });
});

describe("textLayers", () => {
    it("gives every string of a value (keys too) in document order, then what its base64 and hex decode to, so other scans see what the seed scan sees", () => {
        const jwt = CREDS.split("\n").find((line) => line.startsWith("eyJ"))!;
        const layers = [...textLayers({ a: "plain", b: [wrap(b64(CREDS), 76, "\r\n")] })];
        expect(layers.slice(0, 4)).toEqual(["a", "plain", "b", wrap(b64(CREDS), 76, "\r\n")]);
        expect(layers.filter((text) => text.includes(jwt))).toHaveLength(1);
    });
});

describe("seedsIn", () => {
    it.each(Object.entries(ENCODINGS))("finds a seed of every role in a document stored as %s", (_, encode) => {
        for (const [, prefix] of ROLES) {
            const k = key(prefix, 7);
            expect(found(`kept in a ${encode(`# config\nnkey: ${k.seed}\nend\n`)} here`)).toEqual({ [k.seed]: k.publicKey });
        }
    });

    it("finds the user seed of a .creds file, plain and base64 of base64 wrapped at 76", () => {
        expect(CREDS).toContain("-----BEGIN USER NKEY SEED-----");
        for (const value of [CREDS, wrap(b64(CREDS), 76, "\n"), wrap(b64(wrap(b64(CREDS), 76, "\n")), 76, "\n")]) {
            expect(found(value)).toEqual({ [USER.seed]: USER.publicKey });
        }
    });

    it("finds a seed mid-sentence, in nested objects and arrays, and in object keys, once each", () => {
        const op = key(Prefix.Operator, 5);
        const value = {
            note: `please use ${ACCOUNT.seed.toLowerCase()} for now, and also ${b64(ACCOUNT.seed)}.`,
            data: [{ deep: { deeper: [["x", { creds: b64(CREDS) }]] } }],
            [op.seed]: 1,
            bytes: new TextEncoder().encode(`seed=${ACCOUNT.seed}`),
        };
        expect(found(value)).toEqual({ [ACCOUNT.seed]: ACCOUNT.publicKey, [USER.seed]: USER.publicKey, [op.seed]: op.publicKey });
        expect([...seedsIn(value).values()].map((f) => f.role).sort()).toEqual(["account", "operator", "user"]);
    });

    it("finds nothing in values without seeds, and survives cycles", () => {
        const cyclic: Record<string, unknown> = { a: "hello", n: 3, nil: null, t: true };
        cyclic.self = cyclic;
        expect(seedsIn(cyclic).size).toBe(0);
        expect(seedsIn(undefined).size).toBe(0);
        expect(seedsIn({ jwt: USER.publicKey, key: ACCOUNT.publicKey }).size).toBe(0);
    });

    it("bounds its work: 5 MB of base64 noise, wrapped or not, prose, and text full of seed-like candidates", () => {
        const noise = randomBytes(3_750_000).toString("base64");
        const words = Array.from({ length: 600_000 }, (_, i) => `w${i % 97}x`).join(" ");
        const cases: [string, string, Record<string, string>][] = [
            ["noise", noise, {}],
            ["wrapped noise", wrap(noise, 76, "\n"), {}],
            ["prose", words, {}],
            ["candidates", "SAAA".repeat(1_250_000), {}],
            ["noise, then a .creds in base64", `${noise} ${b64(CREDS)}`, { [USER.seed]: USER.publicKey }],
        ];
        // The bound is the decode budget and single-pass scans; the time it takes belongs to a benchmark, not here.
        for (const [name, text, expected] of cases) expect(found(text), name).toEqual(expected);
    });

    it("decodes 4 layers deep and 16 MiB per value, breadth first, and no further", () => {
        const doc = `seed: ${USER.seed}`;
        expect(found(b64(b64(b64(b64(b64(doc))))))).toEqual({});
        // 23 copies of 1 MB of base64 decode to more than 16 MiB: a blob after them is not decoded, a plain seed still found.
        const noise = randomBytes(750_000).toString("base64");
        expect(found([...Array<string>(23).fill(noise), b64(CREDS), ACCOUNT.seed])).toEqual({ [ACCOUNT.seed]: ACCOUNT.publicKey });
    });

    it("finds exactly the seed, for random seed bytes, role, encoding and surrounding text", () => {
        const text = fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), fc.base64String({ maxLength: 80 }), fc.string({ maxLength: 80 }));
        const encoding = fc.oneof(
            fc.constantFrom(...Object.values(ENCODINGS)),
            fc.record({ width: fc.integer({ min: 4, max: 120 }), eol: fc.constantFrom("\n", "\r\n", "\n  ") }).map(({ width, eol }) => (t: string) => wrap(b64(t), width, eol)),
        );
        fc.assert(
            fc.property(
                fc.uint8Array({ minLength: 32, maxLength: 32 }),
                fc.constantFrom(...ROLES),
                encoding,
                fc.tuple(text, text, text, text),
                fc.constantFrom(" ", "\n", '"', ": ", "\t"),
                (bytes, [role, prefix], encode, [before, after, inBefore, inAfter], separator) => {
                    const k = nkeyFromSeedBytes(prefix, bytes);
                    const seeds = seedsIn({ v: `${before}${separator}${encode(`${inBefore}${k.seed}${inAfter}`)}${separator}${after}` });
                    expect([...seeds.values()]).toEqual([{ seed: k.seed, publicKey: oracle(k.seed), role }]);
                },
            ),
            { numRuns: 300 },
        );
    });
});
