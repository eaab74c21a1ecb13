/**
 * The NATS JWTs of operator mode, as pure builders: the operator, the system account, the PLATFORM
 * account, one account per tenant (imports, exports, plan limits and a scoped signing key whose
 * template holds the tenant's permissions) and one user per account, plus its `.creds` file. Claims
 * are typed with @nats-io/jwt and serialized with its codecs exactly as its `encode` does, but with a
 * fixed `iat` (its `encode` stamps the clock), so the same keys give the same bytes on every run.
 */
import {
    Algorithms,
    Base64Codec,
    Base64UrlCodec,
    fmtCreds,
    fromSeed,
    Types,
    type Account,
    type ClaimsData,
    type Export,
    type Import,
    type Operator,
    type Permissions,
    type SigningKey,
    type User,
} from "@nats-io/jwt";
import { Prefix } from "@nats-io/nkeys";
import { decodeNkeyPublic } from "./nkey-encoding";
import { createHash, createPublicKey, verify } from "node:crypto";
import { NATS_OPERATOR_NAME, NatsSpecError, PLATFORM_ACCOUNT, SYSTEM_ACCOUNT } from "../contract";
import type { DerivedNkey } from "./nats-keys";
import type { NatsExport, NatsImport, NatsPermissions, NatsPlatformAccount, NatsTenantAccount } from "./nats-spec";

/** `iat` of every JWT the program signs: fixed, so the same keys and claims give the same bytes (no spurious diff). */
export const JWT_ISSUED_AT = 0;
/** Role name of a tenant's scoped signing key. */
export const TENANT_SCOPE_ROLE = "tenant-agents";
/** Role name of the platform's scoped signing key. */
export const PLATFORM_SCOPE_ROLE = "platform";

/** Who signs: a public key and its signature function (a {@link DerivedNkey} fits). */
export type JwtSigner = Pick<DerivedNkey, "publicKey" | "sign">;

/**
 * Signs a v2 NATS JWT (`ed25519-nkey`) as @nats-io/jwt's `encode` does — the same claim order, the
 * same `jti` (SHA-512 of the claims, standard base64), the same header — with `iat` fixed to
 * {@link JWT_ISSUED_AT}. A test compares the bytes with the library's own `encodeAccount` under a clock at 0.
 */
export function signJwt<T extends object>(type: Types, name: string, subject: string, nats: T, signer: JwtSigner): string {
    const claim: Record<string, unknown> = { aud: "NATS", name, sub: subject, nats: { ...nats, type, version: 2 }, iss: signer.publicKey, iat: JWT_ISSUED_AT };
    claim.jti = Base64Codec.encode(new Uint8Array(createHash("sha512").update(JSON.stringify(claim)).digest()));
    const header = Base64UrlCodec.encode(JSON.stringify({ typ: "JWT", alg: Algorithms.v2 }));
    const body = Base64UrlCodec.encode(JSON.stringify(claim));
    const signature = Base64UrlCodec.encode(signer.sign(new TextEncoder().encode(`${header}.${body}`)));
    return `${header}.${body}.${signature}`;
}

const ISSUER_PREFIXES: Record<string, Prefix> = { O: Prefix.Operator, A: Prefix.Account };

/**
 * Decodes a NATS JWT and verifies its signature against its issuer, step for step as @nats-io/jwt's
 * `decode` does (its codecs, its checks, its error messages), with the Ed25519 check in Node's native
 * crypto: the library's pure-JS verify takes about 7 ms a JWT, too slow for thousands of accounts. A
 * test holds the two to the same verdicts.
 */
export function decodeJwt<T = unknown>(jwt: string): ClaimsData<T> {
    const chunks = jwt.split(".");
    if (chunks.length !== 3) throw new Error(`invalid jwt - ${chunks.length} chunks`);
    const header = JSON.parse(Base64UrlCodec.decode(chunks[0]) as string) as { typ?: string; alg?: string };
    if (header.typ !== "jwt" && header.typ !== "JWT") throw new Error(`not a nats jwt - typ ${header.typ}`);
    if (header.alg !== Algorithms.v1 && header.alg !== Algorithms.v2) throw new Error(`not a nats jwt - alg ${header.alg}`);
    const claims = JSON.parse(Base64UrlCodec.decode(chunks[1]) as string) as ClaimsData<T>;
    const role = ISSUER_PREFIXES[String(claims.iss)[0]];
    if (role === undefined) throw new Error(`${claims.iss} is not an operator or account key`);
    const raw = decodeNkeyPublic(role, String(claims.iss));
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") }, format: "jwk" });
    const payload = header.alg === Algorithms.v2 ? `${chunks[0]}.${chunks[1]}` : chunks[1];
    if (!verify(null, Buffer.from(payload), key, Buffer.from(Base64UrlCodec.decode(chunks[2], true) as Uint8Array))) throw new Error("sig verification failed");
    return claims;
}

/** Publish/subscribe permissions as a JWT carries them; responses only when the permissions allow them. */
export function jwtPermissions(p: NatsPermissions): Permissions {
    return {
        pub: { allow: [...p.publish.allow] },
        sub: { allow: [...p.subscribe.allow] },
        // A `resp` entry, even {max: 0}, lets the user answer requests it received: only where allowed.
        ...(p.publish.allowResponses ? { resp: { max: 1, ttl: 0 } } : {}),
    };
}

/** A scoped signing key: users it issues get exactly the template's permissions, whatever their own JWT says. */
export function scopedSigningKey(key: string, role: string, permissions: NatsPermissions): SigningKey {
    return { kind: "user_scope", key, role, template: { ...jwtPermissions(permissions), subs: -1, data: -1, payload: -1 } };
}

function jwtImport(i: NatsImport, accounts: Readonly<Record<string, string>>): Import {
    const account = accounts[i.account];
    if (account === undefined) throw new NatsSpecError(`an import names account "${i.account}", which has no public key here`);
    return { name: i.subject, subject: i.subject, account, type: i.kind, ...(i.to !== i.subject ? { local_subject: i.to } : {}) };
}

function jwtExport(e: NatsExport): Export {
    return { name: e.subject, subject: e.subject, type: e.kind, ...(e.kind === "service" ? { response_type: "Singleton" as const } : {}) };
}

/** Claims of the operator: it trusts the system account. */
export function operatorClaims(systemAccount: string): Partial<Operator> {
    return { system_account: systemAccount };
}

/** Claims of the system account: no limits, nothing imported or exported. */
export function systemAccountClaims(): Partial<Account> {
    return { limits: { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 }, default_permissions: { pub: {}, sub: {} } };
}

/** Claims of the PLATFORM account: its exports, no imports, its scoped signing key (and the same permissions as default). */
export function platformAccountClaims(account: NatsPlatformAccount, signingKey: string): Partial<Account> {
    return {
        exports: account.exports.map(jwtExport),
        limits: { subs: -1, data: -1, payload: -1, imports: 0, exports: -1, wildcards: true, conn: -1, leaf: 0, disallow_bearer: true },
        signing_keys: [scopedSigningKey(signingKey, PLATFORM_SCOPE_ROLE, account.permissions)],
        default_permissions: jwtPermissions(account.permissions),
    };
}

/**
 * Claims of one tenant's account: its imports from PLATFORM, no exports, its plan's limits (no
 * connection at all while it is not active: its users and credential stay, the server refuses
 * them), and its scoped signing key whose template is the tenant's permissions.
 */
export function tenantAccountClaims(account: NatsTenantAccount, keys: { platformAccount: string; signing: string }): Partial<Account> {
    const { maxConnections, maxSubscriptions, maxPayload } = account.limits;
    const conn = account.lifecycle ? 0 : maxConnections;
    return {
        imports: account.imports.map((i) => jwtImport(i, { [PLATFORM_ACCOUNT]: keys.platformAccount })),
        exports: account.exports.map(jwtExport),
        limits: { subs: maxSubscriptions, data: -1, payload: maxPayload, imports: -1, exports: 0, wildcards: true, conn, leaf: 0, disallow_bearer: true },
        signing_keys: [scopedSigningKey(keys.signing, TENANT_SCOPE_ROLE, account.permissions)],
        default_permissions: jwtPermissions(account.permissions),
    };
}

/** Claims of a user issued by a scoped signing key: only its account (the scope sets everything else). */
export function scopedUserClaims(account: string): Partial<User> {
    return { issuer_account: account };
}

/** The operator JWT, self-signed. */
export function operatorJwt(operator: DerivedNkey, systemAccount: string): string {
    return signJwt(Types.Operator, NATS_OPERATOR_NAME, operator.publicKey, operatorClaims(systemAccount), operator);
}

/** The system account's JWT, signed by the operator. */
export function systemAccountJwt(system: Pick<DerivedNkey, "publicKey">, operator: JwtSigner): string {
    return signJwt(Types.Account, SYSTEM_ACCOUNT, system.publicKey, systemAccountClaims(), operator);
}

/** The PLATFORM account's JWT, signed by the operator. */
export function platformAccountJwt(account: NatsPlatformAccount, keys: { account: string; signing: string }, operator: JwtSigner): string {
    return signJwt(Types.Account, PLATFORM_ACCOUNT, keys.account, platformAccountClaims(account, keys.signing), operator);
}

/** A tenant's account JWT, named by its org id and signed by the operator. */
export function tenantAccountJwt(account: NatsTenantAccount, keys: { account: string; signing: string; platformAccount: string }, operator: JwtSigner): string {
    return signJwt(Types.Account, account.account, keys.account, tenantAccountClaims(account, keys), operator);
}

/** An account's user JWT, signed by the account's scoped signing key. */
export function userJwt(name: string, user: string, account: string, signing: JwtSigner): string {
    return signJwt(Types.User, name, user, scopedUserClaims(account), signing);
}

/** The `.creds` file of a user (its JWT and its seed), formatted by @nats-io/jwt as NATS clients read it. */
export function credsFile(jwt: string, userSeed: string): string {
    return new TextDecoder().decode(fmtCreds(jwt, fromSeed(new TextEncoder().encode(userSeed))));
}
