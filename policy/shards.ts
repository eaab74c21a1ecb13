// A stack of a sharded registry declares only its shard's tenants (and a partial plan of
// `tenancy plan --base` fewer still): which registry tenants' NATS account files are declared by
// another stack, and which public keys every stack of the registry must agree on.
import { natsAccountConfKey } from "../contract";
import { shardOf, shardSchema, type Shard } from "../registry";
import type { GuardConfig } from "./config";
import { registryFor } from "./tenant-registry";

/** A registry tenant whose account file another stack (or the rest of a partial plan) declares. */
export interface ElsewhereTenant {
    /** Org id. */
    id: string;
    /** Slug. */
    slug: string;
    /** The other shard that declares it; undefined when it is this shard's, left out of a partial plan. */
    shard?: number;
}

/** What the pack knows of the stack's place in the registry. */
export interface ShardView {
    /** The configured shard, when valid. */
    shard?: Shard;
    /** Whether other stacks declare some of the registry's tenants (count > 1, or a partial plan). */
    partial: boolean;
    /** Why the pack cannot tell which tenants are declared elsewhere (bad config, registry not loaded). */
    problem?: string;
    /** Registry tenants declared elsewhere, by the file name of their account file. */
    elsewhereByFile: Map<string, ElsewhereTenant>;
    /** The shard each registry tenant belongs to, by org id. */
    shardOfId: Map<string, number>;
}

/** Reads the shard configuration against the registry the pack was configured with. */
export function shardView(config: GuardConfig): ShardView {
    const parsed = shardSchema.safeParse(config.shard);
    const only = config.planOnlyTenants === null ? undefined : new Set(config.planOnlyTenants);
    const view: ShardView = { partial: only !== undefined, elsewhereByFile: new Map(), shardOfId: new Map() };
    if (!parsed.success) {
        view.partial = true;
        view.problem = `the pack's shard configuration ${JSON.stringify(config.shard)} is invalid (${parsed.error.issues.map((i) => `${i.path.join(".") || "shard"}: ${i.message}`).join("; ")})`;
        return view;
    }
    const shard = (view.shard = parsed.data);
    view.partial ||= shard.count > 1;
    if (!view.partial) return view;
    const registry = registryFor(config);
    if (!registry.registry) {
        view.problem = `the registry at ${registry.dir} did not load (${registry.problem}), so the pack cannot tell which tenants other stacks declare`;
        return view;
    }
    for (const { tenant } of registry.registry.entries) {
        const index = shard.count === 1 ? 0 : shardOf(tenant.id, shard.count);
        view.shardOfId.set(tenant.id, index);
        const other = index !== shard.index;
        if (other || (only && !only.has(tenant.id))) view.elsewhereByFile.set(natsAccountConfKey(tenant.id), { id: tenant.id, slug: tenant.slug, shard: other ? index : undefined });
    }
    return view;
}

const OPERATOR_KEY = { pattern: /^O[A-Z2-7]{55}$/, text: "an operator public key (O followed by 55 base32 characters)" };
const ACCOUNT_KEY = { pattern: /^A[A-Z2-7]{55}$/, text: "an account public key (A followed by 55 base32 characters)" };

/** The pinned keys, or the problems with them; a sharded stack must have both. */
export function pinnedKeys(config: GuardConfig, view: ShardView): { operator?: string; platformAccount?: string; problems: string[] } {
    const problems: string[] = [];
    // An invalid shard configuration counts as sharded: the pins are then required too.
    const sharded = view.shard === undefined || view.shard.count > 1;
    const read = (key: "natsOperatorKey" | "natsPlatformAccountKey", shape: { pattern: RegExp; text: string }, what: string, output: string) => {
        const value = config[key];
        if (value === "") {
            if (sharded) problems.push(`The pack configuration sets no ${key}; a sharded stack cannot see the shared shard's operator.conf, so every stack of the registry must be pinned to the same ${what}: set ${key} to the stack output ${output}.`);
            return undefined;
        }
        if (!shape.pattern.test(value)) {
            problems.push(`The pack configuration's ${key} "${value}" is not ${shape.text}; set it to the stack output ${output}.`);
            return undefined;
        }
        return value;
    };
    const operator = read("natsOperatorKey", OPERATOR_KEY, "NATS operator", "natsTrust.operator");
    const platformAccount = read("natsPlatformAccountKey", ACCOUNT_KEY, "PLATFORM account", "natsTrust.platformAccount");
    return { operator, platformAccount, problems };
}
