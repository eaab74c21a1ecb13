// nkey text encoding of raw Ed25519 bytes. @nats-io/nkeys creates key pairs from fresh randomness
// or from an already-encoded seed, and its codec is a private file of the package, not part of its
// API; the program derives its seeds from the stack's master key, so it needs the step before:
// raw bytes → encoded seed. The format is small and fixed (base32 of prefix, payload and
// CRC-16/XMODEM); tests check every key against the library's public fromSeed/fromPublic.
import { fromPublic, Prefix } from "@nats-io/nkeys";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function crc16(bytes: Uint8Array): number {
    let crc = 0;
    for (const byte of bytes) {
        crc ^= byte << 8;
        for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    return crc;
}

function base32(bytes: Uint8Array): string {
    let out = "";
    let buffer = 0;
    let bits = 0;
    for (const byte of bytes) {
        buffer = ((buffer << 8) | byte) & 0xffff;
        bits += 8;
        while (bits >= 5) {
            out += BASE32[(buffer >>> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
    return out;
}

function unbase32(text: string): Uint8Array {
    const out: number[] = [];
    let buffer = 0;
    let bits = 0;
    for (const char of text) {
        const value = BASE32.indexOf(char);
        if (value < 0) throw new Error(`"${char}" is not a base32 character`);
        buffer = ((buffer << 5) | value) & 0xffff;
        bits += 5;
        if (bits >= 8) {
            out.push((buffer >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return Uint8Array.from(out);
}

function withChecksum(head: number[], payload: Uint8Array): string {
    const raw = new Uint8Array(head.length + payload.length + 2);
    raw.set(head);
    raw.set(payload, head.length);
    const crc = crc16(raw.subarray(0, head.length + payload.length));
    raw[raw.length - 2] = crc & 0xff;
    raw[raw.length - 1] = crc >> 8;
    return base32(raw);
}

/** Encodes 32 raw seed bytes as an nkey seed of the given role (`SU…` for a user, `SA…` an account, `SO…` an operator). */
export function encodeNkeySeed(role: Prefix, raw: Uint8Array): string {
    return withChecksum([Prefix.Seed | (role >> 5), (role & 31) << 3], raw);
}

/** Encodes a 32-byte Ed25519 public key as an nkey public key of the given role (`U…`, `A…`, `O…`). */
export function encodeNkeyPublic(role: Prefix, raw: Uint8Array): string {
    return withChecksum([role], raw);
}

/** The 32 raw bytes of a public nkey of the given role; throws when the library rejects it or the role differs. */
export function decodeNkeyPublic(role: Prefix, text: string): Uint8Array {
    fromPublic(text); // the library's own check: prefix and checksum
    const raw = unbase32(text);
    if (raw[0] !== role) throw new Error(`${text} is not a public key of the expected role`);
    return raw.subarray(1, raw.length - 2);
}

export { Prefix };
