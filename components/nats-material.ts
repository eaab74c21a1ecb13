/**
 * Everything the program derives for one NATS account from the master key: public keys, the signed
 * account JWT, the user's JWT, seed and `.creds`. Pure functions; the components wrap them in Outputs
 * and keep seeds and creds secret, public keys and account JWTs plain.
 */
import { credsFile, operatorJwt, platformAccountJwt, systemAccountJwt, tenantAccountJwt, userJwt } from "./nats-jwt";
import { accountKeys, accountPublicKey, operatorKeys, PLATFORM_KEY_OWNER } from "./nats-keys";
import type { NatsPlatformAccount, NatsTenantAccount } from "./nats-spec";

/** What an account of the server is made of. */
export interface AccountMaterial {
    /** The account's public key, which names it on the server. */
    accountPublicKey: string;
    /** Public key of the scoped signing key that issues its user. */
    signingPublicKey: string;
    /** The account JWT, signed by the operator (public: it goes into a ConfigMap). */
    accountJwt: string;
    /** Public key of its user. */
    userPublicKey: string;
    /** The user's JWT, issued by the signing key. */
    userJwt: string;
    /** The user's seed (secret). */
    userSeed: string;
    /** The user's `.creds` file: JWT and seed (secret). */
    creds: string;
}

function material(owner: string, name: string, master: Buffer, generation: number, sign: (keys: { account: string; signing: string }) => string): AccountMaterial {
    const keys = accountKeys(master, owner, generation);
    const jwt = userJwt(name, keys.user.publicKey, keys.account.publicKey, keys.signing);
    return {
        accountPublicKey: keys.account.publicKey,
        signingPublicKey: keys.signing.publicKey,
        accountJwt: sign({ account: keys.account.publicKey, signing: keys.signing.publicKey }),
        userPublicKey: keys.user.publicKey,
        userJwt: jwt,
        userSeed: keys.user.seed,
        creds: credsFile(jwt, keys.user.seed),
    };
}

// The operator's key and the PLATFORM account's public key are the same for every tenant of a stack:
// derived once per master key, not once per tenant.
let shared: { master: string; operator: ReturnType<typeof operatorKeys>["operator"]; platformAccount: string } | undefined;
function sharedKeys(master: Buffer) {
    const id = master.toString("hex");
    if (shared?.master !== id) shared = { master: id, operator: operatorKeys(master).operator, platformAccount: accountPublicKey(master, PLATFORM_KEY_OWNER) };
    return shared;
}

/** A tenant's account at a key generation: its JWT imports from the PLATFORM account the same master key gives. */
export function tenantMaterial(account: NatsTenantAccount, master: Buffer, generation: number): AccountMaterial {
    const { operator, platformAccount } = sharedKeys(master);
    return material(account.tenantId, account.account, master, generation, (keys) => tenantAccountJwt(account, { ...keys, platformAccount }, operator));
}

/** The PLATFORM account and its user. */
export function platformMaterial(account: NatsPlatformAccount, master: Buffer, generation: number): AccountMaterial {
    const { operator } = operatorKeys(master);
    return material(PLATFORM_KEY_OWNER, account.account, master, generation, (keys) => platformAccountJwt(account, keys, operator));
}

/** The operator JWT and the system account (public key and JWT). */
export function operatorMaterial(master: Buffer): { operatorJwt: string; operatorPublicKey: string; system: { publicKey: string; jwt: string } } {
    const { operator, system } = operatorKeys(master);
    return {
        operatorJwt: operatorJwt(operator, system.publicKey),
        operatorPublicKey: operator.publicKey,
        system: { publicKey: system.publicKey, jwt: systemAccountJwt(system, operator) },
    };
}

/**
 * The public keys every stack of one master key shares, to which the policy pack of a sharded stack
 * is pinned: the operator that signs every account, and the PLATFORM account tenants import from.
 */
export function natsTrustKeys(master: Buffer): { operator: string; platformAccount: string } {
    const { operator, platformAccount } = sharedKeys(master);
    return { operator: operator.publicKey, platformAccount };
}

/** The public keys of one account: its identity, its scoped signing key and its user, at its current generation. */
export interface AccountPublicKeys {
    /** The account's identity key (names it on the server). */
    account: string;
    /** Its scoped signing key. */
    signing: string;
    /** Its user. */
    user: string;
}

/** Every public key a stack's NATS configuration may use, as the policy pack is pinned to them. */
export interface NatsStackKeys {
    /** The operator. */
    operator: string;
    /** The system account. */
    system: string;
    /** The PLATFORM account. */
    platform: AccountPublicKeys;
    /** Each tenant's account, by org id. */
    tenants: Record<string, AccountPublicKeys>;
}

/**
 * Public keys of one master key already derived, by `<owner>:<generation>` (owners hold no ':'):
 * natsStackKeys reads them instead of deriving and adds those it derives.
 */
export type KnownPublicKeys = Map<string, AccountPublicKeys>;

// The public keys of an account of `owner` at `generation`: from `known`, else derived (and added to it).
function publicKeys(master: Buffer, owner: string, generation: number, known?: KnownPublicKeys): AccountPublicKeys {
    const id = `${owner}:${generation}`;
    const found = known?.get(id);
    if (found) return found;
    const keys = accountKeys(master, owner, generation);
    const derived = { account: keys.account.publicKey, signing: keys.signing.publicKey, user: keys.user.publicKey };
    known?.set(id, derived);
    return derived;
}

/**
 * The public keys the master key gives the operator, the system and PLATFORM accounts, and every
 * tenant at its key generation: what the policy pack compares every account, signing key and user
 * with. `known` holds keys of this master key derived before (see {@link KnownPublicKeys}).
 */
export function natsStackKeys(master: Buffer, tenants: ReadonlyArray<{ id: string; generation: number }>, platformGeneration = 1, known?: KnownPublicKeys): NatsStackKeys {
    const { operator, system } = operatorKeys(master);
    const platform = publicKeys(master, PLATFORM_KEY_OWNER, platformGeneration, known);
    const out: NatsStackKeys = { operator: operator.publicKey, system: system.publicKey, platform, tenants: {} };
    for (const t of [...tenants].sort((a, b) => a.id.localeCompare(b.id))) out.tenants[t.id] = publicKeys(master, t.id, t.generation, known);
    return out;
}
