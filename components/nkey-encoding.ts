// nkey text encoding of raw Ed25519 bytes. nkeys.js can only create a key pair from fresh
// randomness or from an already-encoded seed; the program derives its seeds from random bytes kept
// in Pulumi state (so a preview never changes them), and the library has no public call that
// encodes raw bytes. The format is small and fixed (base32 of prefix, payload and CRC-16/XMODEM);
// tests check every key against nkeys.js' public fromSeed/fromPublic.
import { Prefix } from "nkeys.js";

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
        buffer = (buffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            out += BASE32[(buffer >>> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
    return out;
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

/** Encodes 32 raw seed bytes as an nkey seed of the given role (`SU…` for a user). */
export function encodeNkeySeed(role: Prefix, raw: Uint8Array): string {
    return withChecksum([Prefix.Seed | (role >> 5), (role & 31) << 3], raw);
}

/** Encodes a 32-byte Ed25519 public key as an nkey public key of the given role (`U…` for a user). */
export function encodeNkeyPublic(role: Prefix, raw: Uint8Array): string {
    return withChecksum([role], raw);
}
