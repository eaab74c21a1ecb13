// The key derivations only: the components' index loads the Pulumi SDKs, which the plan's parent process never needs.
import { natsStackKeys, natsTrustKeys, type KnownPublicKeys } from "../../components/nats-material";
import { parseNatsMasterKey } from "../../components/nats-keys";
import { DEFAULT_NATS_KEY_GENERATION, NATS_KEY_GENERATIONS_CONFIG } from "../../contract";
import type { GuardConfig } from "../../policy/config";
import { RULES } from "../../policy/rules";
import { shardSchema, type Registry, type Shard } from "../../registry";

/** The pack settings that depend on the stack: its registry, its shard and the keys a shard is pinned to. */
export type PackSettings = Partial<Pick<GuardConfig, "registryDir" | "shard" | "natsOperatorKey" | "natsPlatformAccountKey" | "natsKeys" | "planOnlyTenants">>;

/** A rule as far as its configuration goes: its name and the properties it reads. */
export interface RuleReads {
    name: string;
    reads: readonly string[];
}

/** The pack's own rules and what each reads. */
export function packRules(): RuleReads[] {
    return RULES.map((rule) => ({ name: rule.name, reads: Object.keys(rule.configSchema?.properties ?? {}) }));
}

/**
 * The policy pack configuration (the `--policy-pack-config` document, and what `tenancy plan`
 * configures): each rule gets those settings it reads.
 */
export function packConfig(settings: PackSettings, rules: readonly RuleReads[] = packRules()): Record<string, Record<string, unknown>> {
    const config: Record<string, Record<string, unknown>> = {};
    for (const rule of rules) {
        const own = Object.entries(settings).filter(([key, value]) => value !== undefined && rule.reads.includes(key));
        if (own.length > 0) config[rule.name] = Object.fromEntries(own);
    }
    return config;
}

/** The pinned keys for a master key (hex or base64, as in stack config). */
export function natsPins(masterKey: string): Pick<PackSettings, "natsOperatorKey" | "natsPlatformAccountKey"> {
    const keys = natsTrustKeys(parseNatsMasterKey(masterKey));
    return { natsOperatorKey: keys.operator, natsPlatformAccountKey: keys.platformAccount };
}

/** The stack's `tenancy:shard` from its flattened config, or why it is not one. */
export function stackShard(config: Record<string, string>): { shard: Shard } | { problem: string } {
    const text = config["tenancy:shard"];
    if (text === undefined) return { shard: { index: 0, count: 1 } };
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        value = text;
    }
    const parsed = shardSchema.safeParse(value);
    if (parsed.success) return { shard: parsed.data };
    return { problem: parsed.error.issues.map((i) => `${["tenancy:shard", ...i.path].join(".")}: ${i.message}`).join("; ") };
}

/** The stack's `tenancy:natsKeyGenerations` (slug → generation ≥ 1) from its flattened config, or why it is not one. */
export function stackKeyGenerations(config: Record<string, string>): { generations: Record<string, number> } | { problem: string } {
    const text = config[NATS_KEY_GENERATIONS_CONFIG];
    if (text === undefined) return { generations: {} };
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        value = text;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return { problem: `${NATS_KEY_GENERATIONS_CONFIG} is not an object of slug → generation` };
    for (const [slug, generation] of Object.entries(value)) {
        if (typeof generation !== "number" || !Number.isInteger(generation) || generation < 1) return { problem: `${NATS_KEY_GENERATIONS_CONFIG}.${slug} is ${JSON.stringify(generation)}, not a whole number ≥ 1` };
    }
    return { generations: value as Record<string, number> };
}

/**
 * The pack's natsKeys for a master key (hex or base64, as in stack config): the operator, system and
 * PLATFORM keys and every registry tenant's account, signing key and user at its generation.
 * `known` holds this master key's public keys derived before (a plan's key cache, key-cache.ts).
 */
export function natsKeysSetting(
    masterKey: string, registry: Registry, generations: Readonly<Record<string, number>>, known?: KnownPublicKeys,
): Pick<PackSettings, "natsKeys"> {
    const tenants = registry.entries.map(({ tenant }) => ({ id: tenant.id, generation: generations[tenant.slug] ?? DEFAULT_NATS_KEY_GENERATION }));
    return { natsKeys: natsStackKeys(parseNatsMasterKey(masterKey), tenants, undefined, known) };
}
