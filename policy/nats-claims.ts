// Strict reading of the NATS JWTs the pack checks. nats-server decodes claims with Go's
// encoding/json, which matches object keys to struct fields case-insensitively ("NATS", "nat\u017f")
// and decodes a repeated key twice (a second "nats" object is merged into the first): a pack that
// reads a JWT any other way can be shown one set of claims while the server acts on another. So the
// pack reads only JSON with no such ambiguity (each key once, integers only, well-formed strings)
// whose claims are, key for key, the shapes tenancy's builders write (components/nats-jwt.ts) or a
// narrowing of them, and rejects everything else.
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { decodeNkeyPublic, Prefix } from "../components/nkey-encoding";
import { SUBJECT } from "../contract";

/** The kind of a NATS JWT, its `nats.type`. */
export type JwtType = "operator" | "account" | "user";

const MAX_DEPTH = 32;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
// Code units, no `u` flag: a high surrogate without a low one after it, or a low one without a high one before it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** Parses JSON strictly: throws on duplicate keys (exact duplicates at any depth), non-integer or unsafe-integer numbers, lone surrogates, invalid UTF-8 is the caller's job. */
export function parseStrictJson(text: string): unknown {
    let at = 0;
    function fail(what: string): never {
        throw new Error(what);
    }
    // Printable ASCII as itself, anything else (a BOM, a form feed) by its code point.
    const shown = (c: string) => (c >= " " && c <= "~" ? JSON.stringify(c) : `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
    const unexpected = (): never => fail(at < text.length ? `unexpected ${shown(text[at])} at offset ${at}` : `unexpected end at offset ${at}`);
    const space = () => {
        while (text[at] === " " || text[at] === "\t" || text[at] === "\r" || text[at] === "\n") at++;
    };
    const expect = (char: string) => (text[at] === char ? at++ : unexpected());
    const string = (): string => {
        const start = at;
        expect('"');
        let out = "";
        for (let c = text[at]; c !== '"'; c = text[at]) {
            if (c === undefined) return unexpected();
            if (c < " ") fail(`raw control character in a string at offset ${at}; it must be escaped`);
            if (c !== "\\") {
                out += c;
                at++;
            } else if (text[at + 1] === "u" && /^[0-9A-Fa-f]{4}$/.test(text.slice(at + 2, at + 6))) {
                out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
                at += 6;
            } else if (Object.hasOwn(ESCAPES, text[at + 1] ?? "")) {
                out += ESCAPES[text[at + 1]];
                at += 2;
            } else fail(`invalid escape at offset ${at}`);
        }
        at++;
        // Go replaces a lone surrogate with U+FFFD: the server would read another string than the pack.
        if (LONE_SURROGATE.test(out)) fail(`string at offset ${start} holds a lone surrogate; surrogates must come in pairs`);
        return out;
    };
    const value = (depth: number, path: string): unknown => {
        const where = path ? ` at ${JSON.stringify(path)}` : "";
        space();
        const c = text[at];
        if (c === "{" || c === "[") {
            if (depth === MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} at offset ${at}`);
            at++;
            space();
            if (c === "[") {
                const list: unknown[] = [];
                if (text[at] === "]") return at++, list;
                for (;;) {
                    list.push(value(depth + 1, path ? `${path}.${list.length}` : String(list.length)));
                    space();
                    if (text[at] === "]") return at++, list;
                    expect(",");
                }
            }
            const object: Record<string, unknown> = {};
            if (text[at] === "}") return at++, object;
            for (;;) {
                space();
                const key = string();
                const inner = path ? `${path}.${key}` : key;
                if (Object.hasOwn(object, key)) fail(`key ${JSON.stringify(inner)} appears twice; each key may appear once`);
                space();
                expect(":");
                // defineProperty, not assignment: a "__proto__" key stays an ordinary (and unknown) key.
                Object.defineProperty(object, key, { value: value(depth + 1, inner), enumerable: true, writable: true, configurable: true });
                space();
                if (text[at] === "}") return at++, object;
                expect(",");
            }
        }
        if (c === '"') return string();
        for (const [word, literal] of [["true", true], ["false", false], ["null", null]] as const) {
            if (text.startsWith(word, at)) return (at += word.length), literal;
        }
        NUMBER.lastIndex = at;
        const number = NUMBER.exec(text)?.[0] ?? unexpected();
        // Go refuses 1.0 and 1e3 for an int64 claim (the server would not load the JWT) and JS rounds past 2^53: only plain safe integers read alike.
        if (!INTEGER.test(number)) fail(`number ${number}${where} is not an integer written plainly (no fraction, no exponent)`);
        if (!Number.isSafeInteger(Number(number))) fail(`number ${number}${where} is outside the safe integers (±(2^53 - 1))`);
        at += number.length;
        return Number(number);
    };
    const result = value(0, "");
    space();
    if (at !== text.length) unexpected();
    return result;
}

// A zod error that says what must be true, and whether the value is missing or wrong.
const must = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? `is missing; it must be ${what}` : `must be ${what}`) });
const KEY_KINDS = { O: [Prefix.Operator, "an operator"], A: [Prefix.Account, "an account"], U: [Prefix.User, "a user"] } as const;

// The value of `read`, or undefined where it throws (a bad checksum, bytes that are not UTF-8).
function attempt<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch {
        return undefined;
    }
}

function publicKey(letter: keyof typeof KEY_KINDS) {
    const [role, kind] = KEY_KINDS[letter];
    const rule = must(`${kind} public key (${letter} and 55 base32 characters, valid checksum)`);
    return z.string(rule).regex(new RegExp(`^${letter}[A-Z2-7]{55}$`), rule).refine((key) => attempt(() => decodeNkeyPublic(role, key)) !== undefined, rule);
}

const subjectRule = must("a NATS subject (\".\"-separated tokens of ASCII letters, digits, _, - and *, or > as the last token)");
// SUBJECT lets ">" stand as any token; the server reads it as a full wildcard only as the last one.
const subject = z.string(subjectRule).regex(SUBJECT, subjectRule).refine((s) => !s.slice(0, -1).includes(">"), subjectRule);
const subjects = z.array(subject, must("a list of NATS subjects"));
const anyString = z.string(must("a string"));
// -1 is "unlimited" to nats-server; lower values mean nothing tenancy writes.
const limit = z.int(must("an integer ≥ -1 (-1 is unlimited)")).min(-1, must("an integer ≥ -1 (-1 is unlimited)"));
const integer = z.int(must("an integer"));
const flag = z.boolean(must("true or false"));
const exportType = z.enum(["stream", "service"], must('"stream" or "service"'));
const permList = z.strictObject({ allow: subjects.optional(), deny: subjects.optional() }, must("an object of allow and deny subject lists"));
const permissions = { pub: permList, sub: permList, resp: z.strictObject({ max: integer, ttl: integer }, must("an object of max and ttl")).optional() };
const natsHead = <T extends string>(type: T) => ({ type: z.literal(type, must(JSON.stringify(type))), version: z.literal(2, must("2")) });

const importSchema = z.strictObject({ name: anyString, subject, account: publicKey("A"), type: exportType, local_subject: subject.optional() }, must("an import object"));
const exportSchema = z.strictObject({ name: anyString, subject, type: exportType, response_type: z.literal("Singleton", must('"Singleton"')).optional() }, must("an export object"));
// Only the scope tenancy writes: no bearer tokens, source networks, time windows or connection types.
const scopedKey = z.strictObject(
    {
        kind: z.literal("user_scope", must('"user_scope"')),
        key: publicKey("A"),
        role: anyString,
        template: z.strictObject({ ...permissions, subs: limit, data: limit, payload: limit }, must("an object of permissions and limits")),
    },
    must("a user_scope signing key object (kind, key, role, template)"),
);
// No JetStream key at all: tenancy gives no account JetStream, and an unmodelled limit is an unchecked one.
const limitKeys = { subs: limit, data: limit, payload: limit, imports: limit, exports: limit, wildcards: flag, conn: limit, leaf: limit, disallow_bearer: flag.optional() };
const limits = z.strictObject(limitKeys, must("an object of account limits"));

const matching = (pattern: RegExp, what: string) => z.string(must(what)).regex(pattern, must(what));
const common = {
    aud: z.literal("NATS", must('"NATS"')),
    name: matching(/^[A-Za-z0-9_$-]{1,64}$/, "a name of 1 to 64 letters, digits, _, $ or -"),
    iat: z.int(must("an integer ≥ 0")).min(0, must("an integer ≥ 0")),
    jti: matching(/^[A-Za-z0-9+/=_-]{1,100}$/, "an id of 1 to 100 base64 characters"),
};
const claimsSchema = <N extends z.ZodType>(sub: keyof typeof KEY_KINDS, iss: keyof typeof KEY_KINDS, nats: N) =>
    z.strictObject({ ...common, sub: publicKey(sub), iss: publicKey(iss), nats }, must("an object of claims"));

/** The claims of an operator JWT tenancy writes: self-signed, trusting the system account, nothing else. */
export const operatorClaimsSchema = claimsSchema("O", "O", z.strictObject({ system_account: publicKey("A"), ...natsHead("operator") }, must("an object"))).refine(
    (claims) => claims.iss === claims.sub,
    { path: ["iss"], error: "must equal sub: an operator JWT is signed by the operator itself" },
);
/** The claims of an account JWT tenancy writes (or a narrowing of them): signed by an operator. */
export const accountClaimsSchema = claimsSchema("A", "O", z.strictObject({
    imports: z.array(importSchema, must("a list of imports")).optional(),
    exports: z.array(exportSchema, must("a list of exports")).optional(),
    limits,
    signing_keys: z.array(z.union([publicKey("A"), scopedKey], must("an account public key or a user_scope signing key")), must("a list of signing keys")).optional(),
    default_permissions: z.strictObject(permissions, must("an object of pub, sub and resp permissions")),
    ...natsHead("account"),
}, must("an object")));
/** The claims of a user JWT tenancy writes: issued by an account's scoped signing key, which sets everything else. */
export const userClaimsSchema = claimsSchema("U", "A", z.strictObject({ issuer_account: publicKey("A"), ...natsHead("user") }, must("an object")));

/** Claims of an operator JWT. */
export type OperatorClaims = z.infer<typeof operatorClaimsSchema>;
/** Claims of an account JWT. */
export type AccountClaims = z.infer<typeof accountClaimsSchema>;
/** Claims of a user JWT. */
export type UserClaims = z.infer<typeof userClaimsSchema>;
/** The claims of a JWT of type `T`. */
export type ClaimsOf<T extends JwtType> = T extends "operator" ? OperatorClaims : T extends "account" ? AccountClaims : UserClaims;

const SCHEMAS: Record<JwtType, z.ZodType<{ iss: string }>> = { operator: operatorClaimsSchema, account: accountClaimsSchema, user: userClaimsSchema };
const headerSchema = z.strictObject({ typ: z.literal("JWT"), alg: z.literal("ed25519-nkey") });
const PART = /^[A-Za-z0-9_-]+$/;
const PART_NAMES = ["header", "payload", "signature"] as const;
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // a BOM stays in the text, so the parser rejects it as Go does
const article = (type: JwtType) => (type === "user" ? "a" : "an");
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const issuerKeys = new Map<string, KeyObject>(); // one operator signs every account: import its key once

type Parts = { texts: string[]; header: unknown; payload: unknown; signature: Buffer };

// Steps 1 and 2: three canonical base64url parts, header and payload strict JSON in valid UTF-8.
function readParts(jwt: string): Parts | { problem: string } {
    const texts = jwt.split(".");
    if (texts.length !== 3) return { problem: `is not a JWT: it has ${texts.length} "."-separated parts; a JWT has exactly three` };
    const bytes: Buffer[] = [];
    for (const [i, part] of texts.entries()) {
        // Node's decoder skips what it cannot read and Go's ignores newlines and stray bits: only the one canonical spelling is read.
        const raw = Buffer.from(part, "base64url");
        if (!PART.test(part) || raw.toString("base64url") !== part) {
            return { problem: `is not a JWT the pack can read: its ${PART_NAMES[i]} is not canonical base64url (non-empty, unpadded, no stray characters or bits)` };
        }
        bytes.push(raw);
    }
    const json: unknown[] = [];
    for (const i of [0, 1]) {
        const decoded = attempt(() => UTF8.decode(bytes[i]));
        if (decoded === undefined) return { problem: `is not a JWT the pack can read: its ${PART_NAMES[i]} is not valid UTF-8` };
        try {
            json.push(parseStrictJson(decoded));
        } catch (error) {
            return { problem: `is not a JWT the pack can read: its ${PART_NAMES[i]} is not strict JSON: ${(error as Error).message}` };
        }
    }
    return { texts, header: json[0], payload: json[1], signature: bytes[2] };
}

const natsTypeOf = (payload: unknown): unknown => (isRecord(payload) && isRecord(payload.nats) ? payload.nats.type : undefined);

// An unknown key says most about a tampered JWT (a missing "nats" beside a "Nats" says less), so it is named first; in
// a union (a signing key is a key or a scope) the branch of the value's own type says what is wrong inside it.
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
    const issue = issues.find((i) => i.code === "unrecognized_keys") ?? issues[0];
    const branch = issue.code === "invalid_union" ? issue.errors.find((b) => !b.some((i) => i.code === "invalid_type" && i.path.length === 0)) : undefined;
    if (!branch) return issue;
    const inner = firstIssue(branch);
    return { ...inner, path: [...issue.path, ...inner.path] };
}

function issueText(issues: readonly z.core.$ZodIssue[]): string {
    const issue = firstIssue(issues);
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
        return `claim ${JSON.stringify([...path, issue.keys[0]].join("."))} is not one tenancy writes (claims are read by exact, case-sensitive key, each once)`;
    }
    return path.length ? `claim ${JSON.stringify(path.join("."))} ${issue.message}` : `its claims ${issue.message}`;
}

function signedBy(issuer: string, parts: Parts): boolean {
    let key = issuerKeys.get(issuer);
    if (!key) {
        const raw = decodeNkeyPublic(issuer[0] === "O" ? Prefix.Operator : Prefix.Account, issuer);
        key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") }, format: "jwk" });
        issuerKeys.set(issuer, key);
    }
    return verify(null, Buffer.from(`${parts.texts[0]}.${parts.texts[1]}`), key, parts.signature);
}

/** Reads a NATS JWT strictly and verifies its signature by its issuer; a problem says what is wrong and what must be true. */
export function readNatsJwt<T extends JwtType>(jwt: string, type: T): { claims: ClaimsOf<T> } | { problem: string } {
    const parts = readParts(jwt);
    if ("problem" in parts) return parts;
    if (!headerSchema.safeParse(parts.header).success) return { problem: `is not a NATS JWT the pack accepts: its header must be exactly {"typ":"JWT","alg":"ed25519-nkey"}` };
    const actual = natsTypeOf(parts.payload);
    if (actual !== type && (actual === "operator" || actual === "account" || actual === "user")) {
        return { problem: `is ${article(actual)} ${actual} JWT, not ${article(type)} ${type} JWT` };
    }
    const read = SCHEMAS[type].safeParse(parts.payload);
    if (!read.success) return { problem: `is not a NATS ${type} JWT the pack accepts: ${issueText(read.error.issues)}` };
    if (!signedBy(read.data.iss, parts)) return { problem: `does not carry a valid signature by its issuer ${read.data.iss}` };
    return { claims: read.data as ClaimsOf<T> };
}

