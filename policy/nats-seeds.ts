// NATS user seeds wherever they appear: a seed is a credential, so where a copy of it lives decides
// who can connect as that tenant.
import { userNkeyFromBase64 } from "../components/nats-spec";

const SEED = /SU[A-Z2-7]{56}/g;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Decode(text: string): Buffer {
    const out: number[] = [];
    let buffer = 0;
    let bits = 0;
    for (const c of text) {
        buffer = (buffer << 5) | BASE32.indexOf(c);
        bits += 5;
        if (bits >= 8) {
            out.push((buffer >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return Buffer.from(out);
}

/** The public key (U…) of a user seed (SU…), or undefined when the text is not a valid user seed (checksum included). */
export function publicKeyOfSeed(seed: string): string | undefined {
    const bytes = base32Decode(seed);
    if (bytes.length !== 36) return undefined;
    try {
        // Re-encoding the payload must give the same text: that checks role, length and checksum at once.
        const key = userNkeyFromBase64(bytes.subarray(2, 34).toString("base64"));
        return key.seed === seed ? key.publicKey : undefined;
    } catch {
        return undefined;
    }
}

/** Every valid user seed inside a value (strings scanned as they are and, when they look like base64, decoded). */
export function seedsIn(value: unknown): Map<string, string> {
    const seeds = new Map<string, string>();
    const visit = (v: unknown): void => {
        if (typeof v === "string") {
            for (const text of [v, /^[A-Za-z0-9+/]+=*$/.test(v) && v.length >= 76 ? Buffer.from(v, "base64").toString("latin1") : ""]) {
                for (const [seed] of text.matchAll(SEED)) {
                    const key = publicKeyOfSeed(seed);
                    if (key) seeds.set(seed, key);
                }
            }
        } else if (Array.isArray(v)) v.forEach(visit);
        else if (v && typeof v === "object") Object.values(v).forEach(visit);
    };
    visit(value);
    return seeds;
}
