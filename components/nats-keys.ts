/**
 * Every NATS key of the program derives from one stack secret, the master key:
 * HMAC-SHA256(master, "<purpose>:<owner>:<generation>") gives the 32 bytes of an Ed25519 seed. Config
 * is known during `pulumi preview`, so the keys (and the server configuration made of their public
 * halves) are known too; the same master key gives the same keys on every run, so `pulumi up` shows
 * no diff; raising a tenant's generation gives it new keys (rotation). Pure functions, no Pulumi.
 */
import { createHmac } from "node:crypto";
import { NATS_MASTER_KEY_COMMAND, NATS_MASTER_KEY_CONFIG, NATS_MASTER_KEY_MIN_BYTES, NatsSpecError } from "../contract";
import { userNkeyFromBase64, type UserNkey } from "./nats-server-config";

/** What a derived key is for; part of the HMAC message, so keys of different purposes never coincide. */
export type NatsKeyPurpose = "nats-user";

/** Owner of the platform's own keys in the HMAC message (tenant owners are org ids, `org_…`). */
export const PLATFORM_KEY_OWNER = "PLATFORM";

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

/** The user nkey of an owner (a tenant's org id, or {@link PLATFORM_KEY_OWNER}) at a generation, from the master key text. */
export function deriveUserNkey(masterKey: string, owner: string, generation: number): UserNkey {
    return userNkeyFromBase64(deriveSeedBytes(parseNatsMasterKey(masterKey), "nats-user", owner, generation).toString("base64"));
}
