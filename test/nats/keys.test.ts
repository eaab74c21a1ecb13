import { createHmac } from "node:crypto";
import { fromSeed, Prefix } from "nkeys.js";
import { describe, expect, it } from "vitest";
import { fromPublic as libraryPublic, fromSeed as librarySeed } from "@nats-io/nkeys";
import { accountKeys, deriveSeedBytes, deriveUserNkey, natsKeyMessage, operatorKeys, parseNatsMasterKey, PLATFORM_KEY_OWNER } from "../../components/nats-keys";
import { encodeNkeySeed } from "../../components/nkey-encoding";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";

const MASTER = Buffer.from(TEST_NATS_MASTER_KEY, "hex");

describe("NATS keys derived from the master key", () => {
    it("are HMAC-SHA256(master, '<purpose>:<owner>:<generation>') used as an Ed25519 seed", () => {
        expect(natsKeyMessage("nats-user", "org_7f3k2m9q", 1)).toBe("nats-user:org_7f3k2m9q:1");
        const expected = createHmac("sha256", MASTER).update("nats-user:org_7f3k2m9q:1").digest();
        expect(deriveSeedBytes(MASTER, "nats-user", "org_7f3k2m9q", 1).equals(expected)).toBe(true);
        const key = deriveUserNkey(TEST_NATS_MASTER_KEY, "org_7f3k2m9q", 1);
        expect(key.seed).toMatch(/^SU[A-Z2-7]{56}$/);
        // nkeys.js reads the seed back to the same public key: the seed is a real user nkey.
        expect(fromSeed(new TextEncoder().encode(key.seed)).getPublicKey()).toBe(key.publicKey);
        expect(key.seed).toBe(encodeNkeySeed(Prefix.User, expected));
    });

    it("give the same key for the same inputs and another one when owner, generation or master key changes", () => {
        const key = deriveUserNkey(TEST_NATS_MASTER_KEY, "org_7f3k2m9q", 1).publicKey;
        expect(deriveUserNkey(TEST_NATS_MASTER_KEY, "org_7f3k2m9q", 1).publicKey).toBe(key);
        const others = [
            deriveUserNkey(TEST_NATS_MASTER_KEY, "org_7f3k2m9q", 2).publicKey,
            deriveUserNkey(TEST_NATS_MASTER_KEY, "org_k4x8p2wn", 1).publicKey,
            deriveUserNkey(TEST_NATS_MASTER_KEY, PLATFORM_KEY_OWNER, 1).publicKey,
            deriveUserNkey("00".repeat(32), "org_7f3k2m9q", 1).publicKey,
        ];
        expect(new Set([key, ...others]).size).toBe(5);
    });

    it("give the operator, each account, its signing key and its user their roles, as @nats-io/nkeys reads them", () => {
        const { operator, system } = operatorKeys(MASTER);
        const tenant = accountKeys(MASTER, "org_7f3k2m9q", 3);
        const keys = [operator, system, tenant.account, tenant.signing, tenant.user];
        expect(keys.map((k) => `${k.seed.slice(0, 2)} ${k.publicKey[0]}`)).toEqual(["SO O", "SA A", "SA A", "SA A", "SU U"]);
        for (const k of keys) {
            const pair = librarySeed(new TextEncoder().encode(k.seed));
            expect(pair.getPublicKey()).toBe(k.publicKey);
            const data = new TextEncoder().encode("nonce");
            // Node's native signature verifies with the library's pure-JS Ed25519.
            expect(libraryPublic(k.publicKey).verify(data, k.sign(data))).toBe(true);
        }
        expect(new Set(keys.map((k) => k.publicKey)).size).toBe(5);
        // The account's identity does not depend on the generation; its signing key and user do.
        const first = accountKeys(MASTER, "org_7f3k2m9q", 1);
        expect(first.account.publicKey).toBe(tenant.account.publicKey);
        expect([first.signing.publicKey, first.user.publicKey]).not.toContain(tenant.signing.publicKey);
        expect(deriveSeedBytes(MASTER, "nats-account-signing", "org_7f3k2m9q", 3).equals(createHmac("sha256", MASTER).update("nats-account-signing:org_7f3k2m9q:3").digest())).toBe(true);
    });

    it("read the master key as hex first, then as standard or URL-safe base64, whitespace ignored", () => {
        const raw = Buffer.from(TEST_NATS_MASTER_KEY, "hex");
        expect(parseNatsMasterKey(`  ${TEST_NATS_MASTER_KEY}\n`).equals(raw)).toBe(true);
        expect(parseNatsMasterKey(TEST_NATS_MASTER_KEY.toUpperCase()).equals(raw)).toBe(true);
        const random = Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 37 + 11) % 256));
        expect(parseNatsMasterKey(random.toString("base64")).equals(random)).toBe(true);
        expect(parseNatsMasterKey(random.toString("base64url")).equals(random)).toBe(true);
        // The same text always derives the same keys, however it is spelled.
        expect(deriveUserNkey(raw.toString("base64"), "org_a1", 1)).toEqual(deriveUserNkey(TEST_NATS_MASTER_KEY, "org_a1", 1));
    });

    it("refuse a short or unreadable master key without showing it, and a bad owner or generation", () => {
        expect(() => parseNatsMasterKey(Buffer.alloc(31, 1).toString("base64"))).toThrow(
            "tenancy:natsMasterKey holds 31 bytes; it needs at least 32: openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey",
        );
        expect(() => parseNatsMasterKey("correct horse battery staple")).toThrow(
            "tenancy:natsMasterKey is neither hex nor base64; create one with: openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey",
        );
        expect(() => natsKeyMessage("nats-user", "org_a1", 0)).toThrow("the key generation of org_a1 must be a whole number ≥ 1, got 0");
        expect(() => natsKeyMessage("nats-user", "org:a1", 1)).toThrow(`"org:a1" cannot own a NATS key (empty, or contains ':')`);
    });
});
