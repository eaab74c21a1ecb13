// A stack of a sharded registry declares only its shard's tenants (and a partial plan of
// `tenancy plan --base` fewer still): which registry tenants' NATS account files are declared by
// another stack.
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
