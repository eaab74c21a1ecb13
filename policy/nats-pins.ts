// The NATS public keys the pack is pinned to (pack config natsKeys, printed by `tenancy pack-config`
// from the stack's master key): every key an account, a signing key, a user or a seed may have, and
// whose it is. Ownership comes from derivation, never from where a key happens to be found.
import { NATS_MASTER_KEY_CONFIG, PLATFORM_ACCOUNT, SYSTEM_ACCOUNT } from "../contract";
import { natsKeysSchema, type AccountPublicKeys, type GuardConfig, type NatsKeys } from "./config";
import type { RegistryView } from "./tenant-registry";

/** What a pinned key is for. */
export type PinnedRole = "operator" | "account" | "signing" | "user";

/** Whose a pinned key is: the operator, the system or PLATFORM account, or a tenant (by org id and slug). */
export interface PinnedKey {
    /** What the key is for. */
    role: PinnedRole;
    /** `OPERATOR`, `SYS`, `PLATFORM`, or the tenant's org id. */
    owner: string;
    /** The tenant's slug, when a registry tenant owns it. */
    slug?: string;
}

/** The pinned keys, indexed by public key. */
export interface NatsPins {
    /** The keys as configured. */
    keys: NatsKeys;
    /** Every pinned public key and whose it is. */
    byKey: Map<string, PinnedKey>;
}

/** How to produce the pack configuration that carries natsKeys. */
export const NATS_KEYS_FIX = `pass the pack the configuration \`tenancy pack-config\` prints (pulumi config get ${NATS_MASTER_KEY_CONFIG} --stack <stack> | npx tenancy pack-config --stack <stack>)`;

function add(byKey: Map<string, PinnedKey>, key: string, pinned: PinnedKey, problems: string[]): void {
    const before = byKey.get(key);
    if (before) problems.push(`The pack configuration's natsKeys gives ${key} to both ${describePinned(before)} and ${describePinned(pinned)}; every derived key is distinct, so the configuration is not one tenancy printed: ${NATS_KEYS_FIX}.`);
    else byKey.set(key, pinned);
}

/** Reads natsKeys from the configuration (and checks the shard pins agree with it), or says why it cannot. */
export function readPins(config: GuardConfig, registry: RegistryView): { pins?: NatsPins; problems: string[] } {
    if (config.natsKeys === null || config.natsKeys === undefined) {
        return { problems: [`The pack configuration sets no natsKeys, so it cannot tell whether a NATS account, signing key, user or seed is the one tenancy derives for its tenant; ${NATS_KEYS_FIX}.`] };
    }
    const parsed = natsKeysSchema.safeParse(config.natsKeys);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return { problems: [`The pack configuration's natsKeys is invalid at ${["natsKeys", ...issue.path].join(".")}: ${issue.message}; ${NATS_KEYS_FIX}.`] };
    }
    const keys = parsed.data;
    const problems: string[] = [];
    if (config.natsOperatorKey && config.natsOperatorKey !== keys.operator) problems.push(`The pack configuration's natsOperatorKey ${config.natsOperatorKey} is not natsKeys.operator ${keys.operator}; both come from the same master key.`);
    if (config.natsPlatformAccountKey && config.natsPlatformAccountKey !== keys.platform.account) problems.push(`The pack configuration's natsPlatformAccountKey ${config.natsPlatformAccountKey} is not natsKeys.platform.account ${keys.platform.account}; both come from the same master key.`);
    const byKey = new Map<string, PinnedKey>();
    add(byKey, keys.operator, { role: "operator", owner: "OPERATOR" }, problems);
    add(byKey, keys.system, { role: "account", owner: SYSTEM_ACCOUNT }, problems);
    const account = (owner: string, k: AccountPublicKeys, slug?: string) => {
        add(byKey, k.account, { role: "account", owner, slug }, problems);
        add(byKey, k.signing, { role: "signing", owner, slug }, problems);
        add(byKey, k.user, { role: "user", owner, slug }, problems);
    };
    account(PLATFORM_ACCOUNT, keys.platform);
    for (const [id, k] of Object.entries(keys.tenants)) account(id, k, registry.byId.get(id)?.tenant.slug);
    return { pins: { keys, byKey }, problems };
}

/** Names a pinned key's owner and role, e.g. "tenant acme's user" or "the operator". */
export function describePinned(p: PinnedKey): string {
    const role = p.role === "signing" ? "signing key" : p.role;
    if (p.role === "operator") return "the operator";
    if (p.owner === SYSTEM_ACCOUNT) return "the system account";
    if (p.owner === PLATFORM_ACCOUNT) return `the ${PLATFORM_ACCOUNT} account's ${role === "account" ? "identity" : role}`;
    return `tenant ${p.slug ?? p.owner}'s ${role === "account" ? "account" : role}`;
}
