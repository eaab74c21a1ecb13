/**
 * Every NATS key of the program derives from one stack secret, the master key:
 * HMAC-SHA256(master, "<purpose>:<owner>:<generation>") gives the 32 bytes of an Ed25519 seed. Config
 * is known during `pulumi preview`, so the keys (and the JWTs signed with them) are known too; the
 * same master key gives the same keys on every run, so `pulumi up` shows no diff; raising a tenant's
 * generation gives it a new signing key and user (rotation). Pure functions, no Pulumi.
 */
import { createHmac, createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import { NATS_MASTER_KEY_COMMAND, NATS_MASTER_KEY_CONFIG, NATS_MASTER_KEY_MIN_BYTES, NatsSpecError } from "../contract";
import { encodeNkeyPublic, encodeNkeySeed, Prefix } from "./nkey-encoding";

/** What a derived key is for; part of the HMAC message, so keys of different purposes never coincide. */
export type NatsKeyPurpose = "nats-operator" | "nats-account" | "nats-account-signing" | "nats-user";

const ROLES: Record<NatsKeyPurpose, Prefix> = {
    "nats-operator": Prefix.Operator,
    "nats-account": Prefix.Account,
    "nats-account-signing": Prefix.Account,
    "nats-user": Prefix.User,
};

/** Owner of the operator's key in the HMAC message (tenant owners are org ids, `org_…`, so they never collide). */
export const OPERATOR_KEY_OWNER = "OPERATOR";
/** Owner of the system account's key. */
export const SYSTEM_KEY_OWNER = "SYS";
/** Owner of the platform's own keys. */
export const PLATFORM_KEY_OWNER = "PLATFORM";
/**
 * Generation of every account identity key: an account's identity (its public key, which names it
 * on the server) never rotates; rotation replaces its signing key and user.
 */
export const ACCOUNT_IDENTITY_GENERATION = 1;

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Reads the master key text: hex (checked first, so 64 hex digits are 32 bytes) or standard or URL-safe
 * base64, surrounding whitespace ignored, at least 32 bytes. The message of a bad key never shows the key.
 */
export function parseNatsMasterKey(text: string): Buffer {
    const value = text.trim();
    let bytes: Buffer | undefined;
    if (HEX.test(value)) bytes = Buffer.from(value, "hex");
    else if (BASE64.test(value) || BASE64URL.test(value)) bytes = Buffer.from(value, BASE64.test(value) ? "base64" : "base64url");
    if (bytes === undefined) {
        throw new NatsSpecError(`${NATS_MASTER_KEY_CONFIG} is neither hex nor base64; create one with: ${NATS_MASTER_KEY_COMMAND}`);
    }
    if (bytes.length < NATS_MASTER_KEY_MIN_BYTES) {
        throw new NatsSpecError(
            `${NATS_MASTER_KEY_CONFIG} holds ${bytes.length} bytes; it needs at least ${NATS_MASTER_KEY_MIN_BYTES}: ${NATS_MASTER_KEY_COMMAND}`,
        );
    }
    return bytes;
}

/** The HMAC message of one key: `<purpose>:<owner>:<generation>`. */
export function natsKeyMessage(purpose: NatsKeyPurpose, owner: string, generation: number): string {
    if (!Number.isInteger(generation) || generation < 1) throw new NatsSpecError(`the key generation of ${owner} must be a whole number ≥ 1, got ${generation}`);
    if (!owner || owner.includes(":")) throw new NatsSpecError(`"${owner}" cannot own a NATS key (empty, or contains ':')`);
    return `${purpose}:${owner}:${generation}`;
}

/** The 32 seed bytes of one key: HMAC-SHA256(master, `<purpose>:<owner>:<generation>`). */
export function deriveSeedBytes(master: Buffer, purpose: NatsKeyPurpose, owner: string, generation: number): Buffer {
    return createHmac("sha256", master).update(natsKeyMessage(purpose, owner, generation)).digest();
}

/** A derived nkey: its seed (secret), its public key, and a signer (Node's native Ed25519, far faster than the libraries' pure-JS curve). */
export interface DerivedNkey {
    /** Encoded seed, `SO…`/`SA…`/`SU…`; whoever holds it is the key. */
    seed: string;
    /** Public key, `O…`/`A…`/`U…`. */
    publicKey: string;
    /** Signs bytes with the key (Ed25519). */
    sign(data: Uint8Array): Uint8Array;
}

// Node imports an Ed25519 private JWK from `d` alone (about 10× faster than decoding PKCS#8 DER) but
// insists that `x` is present: a placeholder stands in, and the public key is then computed from `d`.
// Tests check every key against @nats-io/nkeys' fromSeed, so a Node that used `x` would fail them.
const PLACEHOLDER_X = Buffer.alloc(32).toString("base64url");

/** The nkey of a role whose Ed25519 seed is these 32 bytes. */
export function nkeyFromSeedBytes(role: Prefix, raw: Uint8Array): DerivedNkey {
    if (raw.length !== 32) throw new NatsSpecError(`an nkey needs exactly 32 seed bytes, got ${raw.length}`);
    const privateKey: KeyObject = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: Buffer.from(raw).toString("base64url"), x: PLACEHOLDER_X }, format: "jwk" });
    const publicRaw = Buffer.from(String(createPublicKey(privateKey).export({ format: "jwk" }).x), "base64url");
    return {
        seed: encodeNkeySeed(role, raw),
        publicKey: encodeNkeyPublic(role, new Uint8Array(publicRaw)),
        sign: (data) => new Uint8Array(sign(null, data, privateKey)),
    };
}

/** One key of `purpose` for `owner` at `generation`, from the parsed master key. */
export function deriveNkey(master: Buffer, purpose: NatsKeyPurpose, owner: string, generation: number): DerivedNkey {
    return nkeyFromSeedBytes(ROLES[purpose], deriveSeedBytes(master, purpose, owner, generation));
}

/** The user nkey of an owner (a tenant's org id, or {@link PLATFORM_KEY_OWNER}) at a generation, from the master key text. */
export function deriveUserNkey(masterKey: string, owner: string, generation: number): { seed: string; publicKey: string } {
    const { seed, publicKey } = deriveNkey(parseNatsMasterKey(masterKey), "nats-user", owner, generation);
    return { seed, publicKey };
}

/** The keys of one account: its identity (never rotates), its signing key and its one user (both per generation). */
export interface AccountKeys {
    /** The account's identity key; its public key names the account on the server. */
    account: DerivedNkey;
    /** The scoped signing key that issues the account's users. */
    signing: DerivedNkey;
    /** The account's user. */
    user: DerivedNkey;
}

/** The keys of an account owned by `owner` (a tenant's org id or {@link PLATFORM_KEY_OWNER}) at `generation`. */
export function accountKeys(master: Buffer, owner: string, generation: number): AccountKeys {
    return {
        account: deriveNkey(master, "nats-account", owner, ACCOUNT_IDENTITY_GENERATION),
        signing: deriveNkey(master, "nats-account-signing", owner, generation),
        user: deriveNkey(master, "nats-user", owner, generation),
    };
}

/** The public key of a tenant's (or the platform's) account, which never depends on the generation. */
export function accountPublicKey(master: Buffer, owner: string): string {
    return deriveNkey(master, "nats-account", owner, ACCOUNT_IDENTITY_GENERATION).publicKey;
}

/** The operator's key and the system account's key. */
export function operatorKeys(master: Buffer): { operator: DerivedNkey; system: DerivedNkey } {
    return {
        operator: deriveNkey(master, "nats-operator", OPERATOR_KEY_OWNER, 1),
        system: deriveNkey(master, "nats-account", SYSTEM_KEY_OWNER, ACCOUNT_IDENTITY_GENERATION),
    };
}
