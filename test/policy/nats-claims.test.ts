// The pack reads NATS JWTs strictly: every JWT the builders write is read, and every way Go's
// encoding/json could read a JWT differently (case-folded or repeated keys, numbers, strings) or any
// claim tenancy does not write is rejected, even with a valid signature by the right key.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { operatorJwt, platformAccountJwt, systemAccountJwt, tenantAccountJwt, userJwt, type JwtSigner } from "../../components/nats-jwt";
import { accountKeys, deriveNkey, operatorKeys, PLATFORM_KEY_OWNER } from "../../components/nats-keys";
import { platformAccountSpec, tenantAccountSpec } from "../../components/nats-spec";
import { parseStrictJson, readNatsJwt, type JwtType } from "../../policy/nats-claims";
import { planSchema } from "../../registry/schema";

const MASTER = Buffer.alloc(32, 7);
const { operator, system } = operatorKeys(MASTER);
const platform = accountKeys(MASTER, PLATFORM_KEY_OWNER, 1);
const plan = { nats: planSchema.shape.nats.parse({ maxConnections: 10, maxSubscriptions: 200, maxPayload: 1_048_576 }) };
const acmeSpec = tenantAccountSpec({ id: "org_7f3k2m9q", slug: "acme", plan: "standard" }, plan);
const acme = accountKeys(MASTER, acmeSpec.tenantId, 1);
const acmeKeys = { account: acme.account.publicKey, signing: acme.signing.publicKey, platformAccount: platform.account.publicKey };

const JWTS = {
    operator: operatorJwt(operator, system.publicKey),
    system: systemAccountJwt(system, operator),
    platform: platformAccountJwt(platformAccountSpec(), { account: platform.account.publicKey, signing: platform.signing.publicKey }, operator),
    tenant: tenantAccountJwt(acmeSpec, acmeKeys, operator),
    suspended: tenantAccountJwt({ ...acmeSpec, lifecycle: "suspended" }, acmeKeys, operator),
    user: userJwt(acmeSpec.account, acme.user.publicKey, acme.account.publicKey, acme.signing),
    platformUser: userJwt("PLATFORM", platform.user.publicKey, platform.account.publicKey, platform.signing),
};
const TYPES: Record<keyof typeof JWTS, JwtType> = { operator: "operator", system: "account", platform: "account", tenant: "account", suspended: "account", user: "user", platformUser: "user" };

const b64 = (bytes: string | Uint8Array) => Buffer.from(bytes).toString("base64url");
const HEADER = b64(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
const payloadText = (jwt: string) => Buffer.from(jwt.split(".")[1], "base64url").toString("utf8");
// Claims are `any`: the tests edit them freely, as an attacker would.
const claimsOf = (jwt: string): any => JSON.parse(payloadText(jwt));

/** A JWT of these two parts with a valid signature by `signer`: whatever is rejected is rejected for its content. */
function assemble(header: string, payload: string, signer: JwtSigner): string {
    return `${header}.${payload}.${b64(signer.sign(new TextEncoder().encode(`${header}.${payload}`)))}`;
}
/** `jwt` with its payload's JSON text edited, re-signed by `signer`. */
const withText = (jwt: string, edit: (json: string) => string, signer: JwtSigner = operator) => assemble(HEADER, b64(edit(payloadText(jwt))), signer);
/** `jwt` with its claims edited, re-signed by `signer`. */
const withClaims = (jwt: string, edit: (claims: any) => void, signer: JwtSigner = operator) => withText(jwt, (json) => {
    const claims = JSON.parse(json);
    edit(claims);
    return JSON.stringify(claims);
}, signer);
/** The same base64url text with the unused low bits of its last character set: Node decodes the same bytes. */
function strayBits(part: string): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const changed = part.slice(0, -1) + alphabet[alphabet.indexOf(part.at(-1)!) | 1];
    expect(changed).not.toBe(part);
    expect(Buffer.from(changed, "base64url")).toEqual(Buffer.from(part, "base64url"));
    return changed;
}
/** A public key with one character changed: the same shape, a wrong checksum. */
const badChecksum = (key: string) => key.slice(0, 10) + (key[10] === "A" ? "B" : "A") + key.slice(11);

const [header, payload, signature] = JWTS.tenant.split(".");
const duplicateNats = withText(JWTS.tenant, (json) => `${json.slice(0, -1)},"nats":{"limits":{"conn":-1}}}`);

const unknownClaim = (type: JwtType, path: string) =>
    `is not a NATS ${type} JWT the pack accepts: claim ${JSON.stringify(path)} is not one tenancy writes (claims are read by exact, case-sensitive key, each once)`;
const notStrict = (part: string, why: string) => `is not a JWT the pack can read: its ${part} is not strict JSON: ${why}`;
const notCanonical = (part: string) => `is not a JWT the pack can read: its ${part} is not canonical base64url (non-empty, unpadded, no stray characters or bits)`;
const BAD_HEADER = `is not a NATS JWT the pack accepts: its header must be exactly {"typ":"JWT","alg":"ed25519-nkey"}`;
const KEY_RULE = "(A and 55 base32 characters, valid checksum)";
const SUBJECT_RULE = 'must be a NATS subject ("."-separated tokens of ASCII letters, digits, _, - and *, or > as the last token)';

describe("readNatsJwt", () => {
    it.each(Object.entries(JWTS))("reads the %s JWT the builders write, claims as signed", (name, jwt) => {
        expect(readNatsJwt(jwt, TYPES[name as keyof typeof JWTS])).toEqual({ claims: claimsOf(jwt) });
    });

    it.each([
        ["fewer publish subjects in the defaults and the template", withClaims(JWTS.tenant, (c) => {
            c.nats.default_permissions.pub.allow = ["org.acme.>"];
            c.nats.signing_keys[0].template.pub.allow = ["org.acme.>"];
        })],
        ["responses removed", withClaims(JWTS.platform, (c) => {
            delete c.nats.default_permissions.resp;
            delete c.nats.signing_keys[0].template.resp;
        })],
        ["deny lists added", withClaims(JWTS.tenant, (c) => {
            c.nats.default_permissions.sub.deny = ["org.acme.secret.>"];
            c.nats.signing_keys[0].template.pub.deny = ["platform.status"];
        })],
        ["lower limits, imports dropped", withClaims(JWTS.tenant, (c) => {
            Object.assign(c.nats.limits, { conn: 1, subs: 5, payload: 1024 });
            c.nats.imports = c.nats.imports.slice(0, 1);
        })],
        ["an unscoped signing key beside the scoped one", withClaims(JWTS.tenant, (c) => c.nats.signing_keys.push(acme.signing.publicKey))],
    ])("reads a narrowed account JWT: %s", (_label, jwt) => {
        expect(readNatsJwt(jwt, "account")).toEqual({ claims: claimsOf(jwt) });
    });

    const loneSurrogate = payloadText(JWTS.tenant).replace('"name":"org_7f3k2m9q"', '"name":"org_\\ud800"');
    const otherOperator = deriveNkey(MASTER, "nats-operator", "OTHER", 1);
    it.each<[string, string, JwtType, string]>([
        ['a second "NATS" object beside "nats"', withClaims(JWTS.tenant, (c) => (c.NATS = { limits: { ...c.nats.limits, conn: -1 } })), "account", unknownClaim("account", "NATS")],
        ['"Nats" instead of "nats"', withClaims(JWTS.tenant, (c) => ([c.Nats, c.nats] = [c.nats, undefined])), "account", unknownClaim("account", "Nats")],
        ['"nat\\u017f" (escaped) beside "nats"', withText(JWTS.tenant, (json) => json.replace('"nats":', '"nat\\u017f":{"limits":{"conn":-1}},"nats":')), "account", unknownClaim("account", "nat\u017f")],
        ['"nats" twice', duplicateNats, "account", notStrict("payload", 'key "nats" appears twice; each key may appear once')],
        ["a key twice inside limits", withText(JWTS.tenant, (json) => json.replace('"limits":{', '"limits":{"conn":-1,')), "account", notStrict("payload", 'key "nats.limits.conn" appears twice; each key may appear once')],
        ['an "exp" claim', withClaims(JWTS.tenant, (c) => (c.exp = 4_102_444_800)), "account", unknownClaim("account", "exp")],
        ["a JetStream limit", withClaims(JWTS.tenant, (c) => (c.nats.limits.mem_storage = -1)), "account", unknownClaim("account", "nats.limits.mem_storage")],
        ["a bearer token in the scope's template", withClaims(JWTS.tenant, (c) => (c.nats.signing_keys[0].template.bearer_token = true)), "account", unknownClaim("account", "nats.signing_keys.0.template.bearer_token")],
        ["a user's bearer token", withClaims(JWTS.user, (c) => (c.nats.bearer_token = true), acme.signing), "user", unknownClaim("user", "nats.bearer_token")],
        ["a user's own publish permissions", withClaims(JWTS.user, (c) => (c.nats.pub = { allow: [">"] }), acme.signing), "user", unknownClaim("user", "nats.pub")],
        ['header alg "ed25519"', assemble(b64(JSON.stringify({ typ: "JWT", alg: "ed25519" })), payload, operator), "account", BAD_HEADER],
        ["a header with an extra key", assemble(b64(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey", kid: "x" })), payload, operator), "account", BAD_HEADER],
        ["stray bits in the header's last character", assemble(strayBits(header), payload, operator), "account", notCanonical("header")],
        ["stray bits in the signature's last character (the same signature to Node)", `${header}.${payload}.${strayBits(signature)}`, "account", notCanonical("signature")],
        ['a padded payload ("=")', assemble(header, `${payload}=`, operator), "account", notCanonical("payload")],
        ["an empty signature", `${header}.${payload}.`, "account", notCanonical("signature")],
        ["four parts", `${JWTS.tenant}.${signature}`, "account", 'is not a JWT: it has 4 "."-separated parts; a JWT has exactly three'],
        ["1.0 in limits", withText(JWTS.tenant, (json) => json.replace('"conn":10,', '"conn":1.0,')), "account", notStrict("payload", 'number 1.0 at "nats.limits.conn" is not an integer written plainly (no fraction, no exponent)')],
        ["1e3 in limits", withText(JWTS.tenant, (json) => json.replace('"conn":10,', '"conn":1e3,')), "account", notStrict("payload", 'number 1e3 at "nats.limits.conn" is not an integer written plainly (no fraction, no exponent)')],
        ["a number above 2^53", withText(JWTS.tenant, (json) => json.replace('"conn":10,', '"conn":9007199254740993,')), "account", notStrict("payload", 'number 9007199254740993 at "nats.limits.conn" is outside the safe integers (±(2^53 - 1))')],
        ["a lone surrogate", assemble(header, b64(loneSurrogate), operator), "account", notStrict("payload", `string at offset ${loneSurrogate.indexOf('"org_')} holds a lone surrogate; surrogates must come in pairs`)],
        ["invalid UTF-8", assemble(header, b64(Buffer.concat([Buffer.from(payloadText(JWTS.tenant).slice(0, -1)), Buffer.from([0xff, 0x7d])])), operator), "account", "is not a JWT the pack can read: its payload is not valid UTF-8"],
        ["a byte order mark before the payload", withText(JWTS.tenant, (json) => `\ufeff${json}`), "account", notStrict("payload", "unexpected U+FEFF at offset 0")],
        ["a user JWT where an account is due", JWTS.user, "account", "is a user JWT, not an account JWT"],
        ["an account JWT where an operator is due", JWTS.tenant, "operator", "is an account JWT, not an operator JWT"],
        ["an operator JWT where a user is due", JWTS.operator, "user", "is an operator JWT, not a user JWT"],
        ['nats.type "Account"', withClaims(JWTS.tenant, (c) => (c.nats.type = "Account")), "account", 'is not a NATS account JWT the pack accepts: claim "nats.type" must be "account"'],
        ["edited claims, old signature", `${header}.${withClaims(JWTS.tenant, (c) => (c.nats.limits.conn = -1)).split(".")[1]}.${signature}`, "account", `does not carry a valid signature by its issuer ${operator.publicKey}`],
        ["a signature by another real key", withClaims(JWTS.tenant, (c) => (c.nats.limits.conn = -1), acme.signing), "account", `does not carry a valid signature by its issuer ${operator.publicKey}`],
        ["an operator JWT whose iss is not its sub", withClaims(JWTS.operator, (c) => (c.iss = otherOperator.publicKey), otherOperator), "operator", 'is not a NATS operator JWT the pack accepts: claim "iss" must equal sub: an operator JWT is signed by the operator itself'],
        ["an account key with a bad checksum", withClaims(JWTS.tenant, (c) => (c.sub = badChecksum(c.sub))), "account", `is not a NATS account JWT the pack accepts: claim "sub" must be an account public key ${KEY_RULE}`],
        ["a signing key with a bad checksum", withClaims(JWTS.tenant, (c) => c.nats.signing_keys.push(badChecksum(acme.signing.publicKey))), "account", `is not a NATS account JWT the pack accepts: claim "nats.signing_keys.1" must be an account public key ${KEY_RULE}`],
        ["an account signed by an account key", withClaims(JWTS.tenant, (c) => (c.iss = acme.signing.publicKey), acme.signing), "account", 'is not a NATS account JWT the pack accepts: claim "iss" must be an operator public key (O and 55 base32 characters, valid checksum)'],
        ["> before the last token", withClaims(JWTS.tenant, (c) => c.nats.default_permissions.pub.allow.push("org.>.x")), "account", `is not a NATS account JWT the pack accepts: claim "nats.default_permissions.pub.allow.3" ${SUBJECT_RULE}`],
        ["no limits", withClaims(JWTS.tenant, (c) => delete c.nats.limits), "account", 'is not a NATS account JWT the pack accepts: claim "nats.limits" is missing; it must be an object of account limits'],
        ["a limit below -1", withClaims(JWTS.tenant, (c) => (c.nats.limits.conn = -2)), "account", 'is not a NATS account JWT the pack accepts: claim "nats.limits.conn" must be an integer ≥ -1 (-1 is unlimited)'],
        ["a deny list of another type inside a scope", withClaims(JWTS.tenant, (c) => (c.nats.signing_keys[0].template.pub.deny = 0)), "account", 'is not a NATS account JWT the pack accepts: claim "nats.signing_keys.0.template.pub.deny" must be a list of NATS subjects'],
        ["a signing key of neither form", withClaims(JWTS.tenant, (c) => c.nats.signing_keys.push(5)), "account", 'is not a NATS account JWT the pack accepts: claim "nats.signing_keys.1" must be an account public key or a user_scope signing key'],
        ["a null deny list", withClaims(JWTS.tenant, (c) => (c.nats.default_permissions.sub.deny = null)), "account", 'is not a NATS account JWT the pack accepts: claim "nats.default_permissions.sub.deny" must be a list of NATS subjects'],
    ])("rejects %s", (_label, jwt, type, problem) => {
        expect(readNatsJwt(jwt, type)).toEqual({ problem });
    });

    it("rejects any key inserted anywhere in the claims unless the schema allows it there", () => {
        const cases: Array<[JwtType, string, JwtSigner]> = [
            ["operator", JWTS.operator, operator],
            ["account", JWTS.system, operator],
            ["account", JWTS.platform, operator],
            ["account", JWTS.tenant, operator],
            ["user", JWTS.user, acme.signing],
        ];
        // Optional keys by the path of the object they may be added to.
        const optional: Record<JwtType, Array<[RegExp, string[]]>> = {
            operator: [],
            user: [],
            account: [
                [/^nats$/, ["imports", "exports", "signing_keys"]],
                [/^nats\.limits$/, ["disallow_bearer"]],
                [/^nats\.imports\.\d+$/, ["local_subject"]],
                [/^nats\.exports\.\d+$/, ["response_type"]],
                [/^nats\.(?:default_permissions|signing_keys\.\d+\.template)$/, ["resp"]],
                [/\.(?:pub|sub)$/, ["allow", "deny"]],
            ],
        };
        const nearMisses = ["NATS", "Nats", "nat\u017f", "Limits", "CONN", "Type", "exp", "nbf", "mem_storage", "tiered_limits", "bearer_token", "src", "times", "allowed_connection_types",
            "pub", "sub", "deny", "resp", "local_subject", "response_type", "imports", "exports", "signing_keys", "disallow_bearer", "__proto__", "constructor", "toString"];
        const key = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom(...nearMisses));
        const value = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string(), fc.constant([]), fc.constant({}), fc.constant(["x.>"]));
        fc.assert(fc.property(fc.constantFrom(...cases), fc.nat(), key, value, ([type, jwt, signer], pick, key, value) => {
            const claims = claimsOf(jwt);
            const nodes = objectNodes(claims);
            const { path, node } = nodes[pick % nodes.length];
            fc.pre(!Object.hasOwn(node, key));
            Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
            const result = readNatsJwt(assemble(HEADER, b64(JSON.stringify(claims)), signer), type);
            const where = path ? `${path}.${key}` : key;
            if (/[\ud800-\udfff]/.test(key) && !/^(?:[\ud800-\udbff][\udc00-\udfff]|[^\ud800-\udfff])*$/.test(key)) {
                expect(result).toMatchObject({ problem: expect.stringContaining("holds a lone surrogate") });
            } else if (optional[type].some(([spot, keys]) => spot.test(path) && keys.includes(key))) {
                if ("problem" in result) expect(result.problem).toContain(`claim "${where}`);
            } else {
                expect(result).toEqual({ problem: unknownClaim(type, where) });
            }
        }), { numRuns: 500 });
    });
});

/** Every object in a claims tree, with its path (array indexes as path segments). */
function objectNodes(value: unknown, path = ""): Array<{ path: string; node: Record<string, unknown> }> {
    const at = (segment: string | number) => (path ? `${path}.${segment}` : String(segment));
    if (Array.isArray(value)) return value.flatMap((item, i) => objectNodes(item, at(i)));
    if (typeof value !== "object" || value === null) return [];
    return [{ path, node: value as Record<string, unknown> }, ...Object.entries(value).flatMap(([k, v]) => objectNodes(v, at(k)))];
}

describe("parseStrictJson", () => {
    it("reads RFC 8259 JSON with integer numbers", () => {
        expect(parseStrictJson(' {"a" :\r\n[1, -2, 0, 9007199254740991, -9007199254740991, "x\\u00e9\\ud83d\\ude00\\n\\/", true, false, null, {}, []]}\t')).toEqual({
            a: [1, -2, 0, 9007199254740991, -9007199254740991, "xé😀\n/", true, false, null, {}, []],
        });
        expect(parseStrictJson(`${"[".repeat(32)}${"]".repeat(32)}`)).toHaveLength(1);
    });

    it("keeps a __proto__ key an ordinary key of the object", () => {
        const value = parseStrictJson('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
        expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
        expect(Object.keys(value)).toEqual(["__proto__"]);
        expect((value as { polluted?: unknown }).polluted).toBeUndefined();
    });

    it.each([
        ['{"a":[{"b":1,"b":1}]}', 'key "a.0.b" appears twice; each key may appear once'],
        ['{"a":1,"\\u0061":2}', 'key "a" appears twice; each key may appear once'],
        ['"\\ud800"', "string at offset 0 holds a lone surrogate; surrogates must come in pairs"],
        ['["\\udc00\\ud800"]', "string at offset 1 holds a lone surrogate; surrogates must come in pairs"],
        ['{"x":1.5}', 'number 1.5 at "x" is not an integer written plainly (no fraction, no exponent)'],
        ["-1E+2", "number -1E+2 is not an integer written plainly (no fraction, no exponent)"],
        ["9007199254740992", "number 9007199254740992 is outside the safe integers (±(2^53 - 1))"],
        ["01", 'unexpected "1" at offset 1'],
        ["NaN", 'unexpected "N" at offset 0'],
        ["\f1", "unexpected U+000C at offset 0"],
        ["\ufeff{}", "unexpected U+FEFF at offset 0"],
        ['{"a":1,}', 'unexpected "}" at offset 7'],
        ["[1,]", 'unexpected "]" at offset 3'],
        ["{} {}", 'unexpected "{" at offset 3'],
        ["", "unexpected end at offset 0"],
        ['"ab', "unexpected end at offset 3"],
        ['"\\x"', "invalid escape at offset 1"],
        ['"\\u12"', "invalid escape at offset 1"],
        ['"a\tb"', "raw control character in a string at offset 2; it must be escaped"],
        [`${"[".repeat(33)}${"]".repeat(33)}`, "nesting deeper than 32 at offset 32"],
    ])("rejects %j: %s", (text, message) => {
        expect(() => parseStrictJson(text)).toThrow(new Error(message));
    });
});
