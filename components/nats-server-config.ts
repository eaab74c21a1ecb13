/**
 * The server side of the NATS authorization: the `auth.json` document nats-server includes (one
 * account per tenant with its nkey user, the PLATFORM account, limits), its exact size before keys
 * exist, and the nkeys derived from random bytes. Pure builders, no Pulumi; nats-spec.ts re-exports
 * everything here, which is the documented entry point.
 */
import { Prefix } from "nkeys.js";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { NatsSpecError, PLATFORM_ACCOUNT } from "../contract";
import type { NatsExport, NatsImport, NatsPermissions, NatsPermissionStructure, NatsPlatformAccount, NatsTenantAccount } from "./nats-spec";
import { encodeNkeyPublic, encodeNkeySeed } from "./nkey-encoding";

/** Public nkeys of the users: the platform's and one per tenant account. */
export interface NatsUserKeys {
    /** Public nkey (U…) of the platform's user. */
    platform: string;
    /** Public nkey (U…) of each tenant's user, by account name. */
    tenants: Readonly<Record<string, string>>;
}

function serverPermissions(p: NatsPermissions) {
    return {
        publish: { allow: p.publish.allow },
        subscribe: { allow: p.subscribe.allow },
        ...(p.publish.allowResponses ? { allow_responses: true } : {}),
    };
}

function serverImport(i: NatsImport) {
    return i.kind === "stream"
        ? { stream: { account: i.account, subject: i.subject }, ...(i.to !== i.subject ? { to: i.to } : {}) }
        : { service: { account: i.account, subject: i.subject }, to: i.to };
}

function serverExport(e: NatsExport) {
    return e.kind === "stream" ? { stream: e.subject } : { service: e.subject };
}

const USER_NKEY = /^U[A-Z2-7]{55}$/;

function userKey(owner: string, key: string | undefined): string {
    if (key === undefined) throw new NatsSpecError(`no user nkey for ${owner}`);
    if (!USER_NKEY.test(key)) throw new NatsSpecError(`the user nkey of ${owner} is not a public user nkey (U followed by 55 base32 characters)`);
    return key;
}

/**
 * One tenant's account as nats-server reads it: its nkey user with permissions, its imports and its
 * plan's limits. A tenant that is not active keeps the account but no user: on reload the server
 * closes the connections of a user it no longer has and refuses new ones, while the credential in
 * the tenant's Secret stays as it is and works again once the tenant is active.
 */
export function serverTenantAccount(account: NatsTenantAccount, nkey: string) {
    const user = { nkey: userKey(`tenant ${account.tenantId}`, nkey), permissions: serverPermissions(account.permissions) };
    return {
        users: account.lifecycle ? [] : [user],
        imports: account.imports.map(serverImport),
        limits: { max_connections: account.limits.maxConnections, max_subscriptions: account.limits.maxSubscriptions, max_payload: account.limits.maxPayload },
    };
}

/** The PLATFORM account as nats-server reads it: its nkey user and its exports, no imports. */
export function serverPlatformAccount(account: NatsPlatformAccount, nkey: string) {
    return {
        users: [{ nkey: userKey(PLATFORM_ACCOUNT, nkey), permissions: serverPermissions(account.permissions) }],
        exports: account.exports.map(serverExport),
    };
}

/**
 * The server's authorization document (`{"accounts": {...}}`), exactly what the main nats-server
 * config `include`s: one account per tenant with one nkey user, the PLATFORM account, account
 * limits. Holds public keys only.
 */
export function authorizationDocument(structure: NatsPermissionStructure, keys: NatsUserKeys) {
    const accounts: Record<string, unknown> = {};
    accounts[structure.platform.account] = serverPlatformAccount(structure.platform, keys.platform);
    const used = new Set([keys.platform]);
    for (const t of structure.tenants) {
        const nkey = userKey(`tenant ${t.tenantId}`, keys.tenants[t.account]);
        // One nkey in two accounts would let the server pick either: refuse rather than guess (a
        // suspended tenant's key counts too: it comes back when the tenant does).
        if (used.has(nkey)) throw new NatsSpecError(`the user nkey of tenant ${t.tenantId} is already used by another account`);
        used.add(nkey);
        accounts[t.account] = serverTenantAccount(t, nkey);
    }
    const known = new Set(structure.tenants.map((t) => t.account));
    const extra = Object.keys(keys.tenants).filter((account) => !known.has(account));
    if (extra.length > 0) throw new NatsSpecError(`user nkeys given for unknown accounts: ${extra.sort().join(", ")}`);
    return { accounts };
}

/** Serializes a document as compact JSON with a trailing newline; key order is the builders' fixed order. */
export function renderJson(document: unknown): string {
    return `${JSON.stringify(document)}\n`;
}

/** The `auth.json` text for the structure and keys. */
export function renderAuthorization(structure: NatsPermissionStructure, keys: NatsUserKeys): string {
    return renderJson(authorizationDocument(structure, keys));
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A stand-in public user nkey, distinct per index and as long as a real one, for sizing auth.json before keys exist. */
export function placeholderUserNkey(index: number): string {
    let digits = "";
    for (let n = index; n > 0; n = Math.floor(n / 32)) digits = BASE32[n % 32] + digits;
    return `U${digits.padStart(55, "A")}`;
}

/**
 * Exact byte size of `auth.json` for the structure: public nkeys have a fixed length, so it is
 * computable at preview while new keys are still unknown.
 */
export function authorizationSize(structure: NatsPermissionStructure): number {
    const tenants = Object.fromEntries(structure.tenants.map((t, i) => [t.account, placeholderUserNkey(i + 1)]));
    return Buffer.byteLength(renderAuthorization(structure, { platform: placeholderUserNkey(0), tenants }));
}

/** A user nkey: the seed (secret) and its public key. */
export interface UserNkey {
    /** Encoded seed, `SU…`; whoever holds it can connect as the user. */
    seed: string;
    /** Public key, `U…`; goes into the server config. */
    publicKey: string;
}

// PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows it.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * Derives a user nkey deterministically from 32 random bytes (standard base64, as RandomBytes gives
 * them): the bytes are the Ed25519 seed, encoded with the nkeys codec. The public key comes from
 * Node's native Ed25519 (about 6× faster than nkeys.js's pure-JS curve, which matters at 1,000 tenants per preview).
 */
export function userNkeyFromBase64(base64: string): UserNkey {
    const raw = Buffer.from(base64, "base64");
    if (raw.length !== 32) throw new NatsSpecError(`an nkey needs exactly 32 random bytes, got ${raw.length}`);
    const seed = encodeNkeySeed(Prefix.User, new Uint8Array(raw));
    const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw]), format: "der", type: "pkcs8" });
    const publicRaw = createPublicKey(privateKey).export({ format: "der", type: "spki" }).subarray(-32);
    const publicKey = encodeNkeyPublic(Prefix.User, new Uint8Array(publicRaw));
    return { seed, publicKey };
}
