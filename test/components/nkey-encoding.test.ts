import { randomBytes } from "node:crypto";
import { fromPublic, fromSeed, Prefix } from "nkeys.js";
import { describe, expect, it } from "vitest";
import { decodeNkeyPublic, encodeNkeyPublic, encodeNkeySeed } from "../../components/nkey-encoding";
import { userNkeyFromBase64 } from "../../components/nats-spec";

describe("nkey encoding", () => {
    it("encodes seeds and public keys exactly as nkeys.js reads them, for 200 random keys", () => {
        for (let i = 0; i < 200; i++) {
            const raw = randomBytes(32);
            const { seed, publicKey } = userNkeyFromBase64(raw.toString("base64"));
            expect(seed.startsWith("SU")).toBe(true);
            const pair = fromSeed(new TextEncoder().encode(seed));
            expect(pair.getPublicKey()).toBe(publicKey);
            expect(fromPublic(publicKey).getPublicKey()).toBe(publicKey);
        }
    });

    it("encodes other roles with their prefixes", () => {
        const raw = new Uint8Array(32);
        expect(encodeNkeySeed(Prefix.Account, raw).slice(0, 2)).toBe("SA");
        expect(encodeNkeySeed(Prefix.Operator, raw).slice(0, 2)).toBe("SO");
        expect(encodeNkeyPublic(Prefix.Account, raw)[0]).toBe("A");
        expect(() => fromPublic(encodeNkeyPublic(Prefix.Account, raw))).not.toThrow();
    });

    it("decodes a public key back to its raw bytes, refusing another role or a broken checksum", () => {
        const raw = randomBytes(32);
        const account = encodeNkeyPublic(Prefix.Account, raw);
        expect(Buffer.from(decodeNkeyPublic(Prefix.Account, account)).equals(raw)).toBe(true);
        expect(() => decodeNkeyPublic(Prefix.Operator, account)).toThrow(`${account} is not a public key of the expected role`);
        expect(() => decodeNkeyPublic(Prefix.Account, account.slice(0, -1) + (account.at(-1) === "A" ? "B" : "A"))).toThrow();
    });

    it("produces text nkeys.js rejects when one character changes (the checksum is real)", () => {
        const { publicKey } = userNkeyFromBase64(Buffer.alloc(32, 7).toString("base64"));
        const last = publicKey.at(-1) === "A" ? "B" : "A";
        expect(() => fromPublic(publicKey.slice(0, -1) + last)).toThrow();
    });
});
