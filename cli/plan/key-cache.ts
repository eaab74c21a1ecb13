// A plan pins its pack to every tenant's public NATS keys (pack config natsKeys), derived from the
// emulated master key: three Ed25519 keys per tenant, about 1.5 s of the plan at 3,000 tenants and
// the same on every plan of the machine, since the emulated key comes from the per-machine plan key.
// The keys are public; they are kept next to the plan key they come from, and only the plan reads them.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import type { AccountPublicKeys, KnownPublicKeys } from "../../components";
import { deriveNkey, type NatsKeyPurpose } from "../../components/nats-keys";
import { replaceFile } from "./replace-file";

const PURPOSES: readonly NatsKeyPurpose[] = ["nats-operator", "nats-account", "nats-account-signing", "nats-user"];
// An owner no tenant or platform key has (org ids start with org_), so the probe keys are no stack's keys.
const PROBE_OWNER = "KEY-CACHE-PROBE";
const ACCOUNT_KEY = /^A[A-Z2-7]{55}$/;
const USER_KEY = /^U[A-Z2-7]{55}$/;
const ENTRY = /^[^:]+:[1-9][0-9]*$/;

/**
 * What the kept keys are the keys of: a digest of one public key of each purpose, derived from the
 * master key now. Another master key, or a change to how keys are derived, gives another fingerprint.
 */
export function keyCacheFingerprint(master: Buffer): string {
    const hash = crypto.createHash("sha256");
    for (const purpose of PURPOSES) hash.update(`${deriveNkey(master, purpose, PROBE_OWNER, 1).publicKey}\n`);
    return hash.digest("hex");
}

/** The file that keeps the public keys derived from the plan key in `planKeyFile`. */
export function keyCachePath(planKeyFile: string): string {
    return `${planKeyFile}.public-keys.json`;
}

/** Public keys kept between plans: pass `known` to natsStackKeys, then `save`. */
export interface KeyCache {
    /** The keys the file held for this master key; natsStackKeys adds those it derives. */
    known: KnownPublicKeys;
    /** Writes `known` back (mode 0600, replacing the file at once) when keys were added; a file that cannot be written is left as it was. */
    save(): void;
}

/** Opens the kept keys of `master` in `file`: none when the file is missing, unreadable, of another fingerprint or not in the form save() writes. */
export function openKeyCache(file: string, master: Buffer): KeyCache {
    const fingerprint = keyCacheFingerprint(master);
    const known = read(file, fingerprint);
    const loaded = known.size;
    return {
        known,
        save() {
            if (known.size === loaded) return;
            const keys = Object.fromEntries([...known].map(([id, k]) => [id, [k.account, k.signing, k.user]]));
            replaceFile(file, (temporary) => fs.writeFileSync(temporary, JSON.stringify({ fingerprint, keys }), { mode: 0o600 }));
        },
    };
}

function read(file: string, fingerprint: string): KnownPublicKeys {
    const known: KnownPublicKeys = new Map();
    let value: unknown;
    try {
        value = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return known;
    }
    const { fingerprint: found, keys } = (value ?? {}) as { fingerprint?: unknown; keys?: unknown };
    if (found !== fingerprint || typeof keys !== "object" || keys === null || Array.isArray(keys)) return known;
    for (const [id, entry] of Object.entries(keys)) {
        const parsed = publicKeysOf(entry);
        if (!ENTRY.test(id) || !parsed) return new Map();
        known.set(id, parsed);
    }
    return known;
}

function publicKeysOf(entry: unknown): AccountPublicKeys | undefined {
    if (!Array.isArray(entry) || entry.length !== 3) return undefined;
    const [account, signing, user] = entry as unknown[];
    if (typeof account !== "string" || typeof signing !== "string" || typeof user !== "string") return undefined;
    if (!ACCOUNT_KEY.test(account) || !ACCOUNT_KEY.test(signing) || !USER_KEY.test(user)) return undefined;
    return { account, signing, user };
}
