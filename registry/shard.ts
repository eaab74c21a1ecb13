import { createHash } from "node:crypto";
import { z } from "zod";

const WHOLE = "must be a whole number";

/** The most stacks one registry may be split across. */
export const MAX_SHARDS = 256;

/**
 * Which part of the registry one stack declares: shard `index` of `count`. Shard 0 also declares the
 * objects shared by every tenant (PriorityClasses, NATS operator.conf and platform credential,
 * recording rules).
 */
export const shardSchema = z
    .strictObject({
        /** This stack's shard, from 0. @default 0 */
        index: z.number({ error: WHOLE }).int({ error: WHOLE }).min(0, { error: "must be 0 or more" }),
        /** How many stacks share the registry. @default 1 */
        count: z.number({ error: WHOLE }).int({ error: WHOLE }).min(1, { error: "must be 1 or more" }).max(MAX_SHARDS, { error: `must be at most ${MAX_SHARDS}` }),
    })
    .refine((s) => s.index < s.count, { error: "index must be less than count (shards are numbered from 0)", path: ["index"] });

/** A stack's shard. */
export type Shard = z.infer<typeof shardSchema>;

/** The whole registry in one stack. */
export const WHOLE_REGISTRY: Shard = { index: 0, count: 1 };

/** The shard that declares the objects every tenant shares. */
export const SHARED_SHARD = 0;

function weight(tenantId: string, shard: number): bigint {
    return createHash("sha256").update(`${tenantId}\u0000${shard}`).digest().readBigUInt64BE(0);
}

/**
 * The shard of `count` that declares tenant `tenantId`, by rendezvous hashing: it depends only on the
 * id and the count, so adding or removing a tenant moves no other, and raising the count from n to
 * n + 1 moves only the tenants the new shard wins (about 1/(n + 1) of them).
 */
export function shardOf(tenantId: string, count: number): number {
    let best = 0;
    let bestWeight = -1n;
    for (let shard = 0; shard < count; shard++) {
        const w = weight(tenantId, shard);
        if (w > bestWeight) {
            best = shard;
            bestWeight = w;
        }
    }
    return best;
}

/** Whether shard `shard` declares tenant `tenantId`. */
export function inShard(tenantId: string, shard: Shard): boolean {
    return shard.count === 1 || shardOf(tenantId, shard.count) === shard.index;
}
