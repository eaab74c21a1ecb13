// nkey text encoding of raw Ed25519 bytes, by the NATS library's own codec. @nats-io/nkeys creates
// key pairs from fresh randomness or from an already-encoded seed; the program derives its seeds
// from the stack's master key, so it needs the step before: raw bytes → encoded seed. The library's
// codec module (exported as a file of the package, not from its index) does exactly that; tests check
// every key against the library's public fromSeed/fromPublic.
import { Prefix } from "@nats-io/nkeys";
import { Codec } from "@nats-io/nkeys/lib/codec";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Encodes 32 raw seed bytes as an nkey seed of the given role (`SU…` for a user, `SA…` an account, `SO…` an operator). */
export function encodeNkeySeed(role: Prefix, raw: Uint8Array): string {
    return text(Codec.encodeSeed(role, raw));
}

/** Encodes a 32-byte Ed25519 public key as an nkey public key of the given role (`U…`, `A…`, `O…`). */
export function encodeNkeyPublic(role: Prefix, raw: Uint8Array): string {
    return text(Codec.encode(role, raw));
}

export { Prefix };
