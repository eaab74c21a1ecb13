// When and how `tenancy plan` splits a registry into plan shards: K = ceil(N / size) shards by the
// same stable hash of org ids as the stack config `tenancy:shard`, each recorded in a child of its
// own and judged by a pack configured for that shard, as many at once as cores and memory allow.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MAX_SHARDS, shardOf, type Shard } from "../../registry";

/**
 * Tenants per plan shard unless --shard-size says otherwise. Each shard costs a child start (about
 * a second of CPU) and a pack reconfiguration; a larger one makes the child and the pack hold more
 * at once (a 250-tenant recording child peaks near 0.25 GB, its pack near 0.45 GB at 1,000 tenants).
 * At 1,000 tenants, 250 and 500 took the same time within the machine's noise (BENCHMARKS.md).
 */
export const DEFAULT_SHARD_SIZE = 250;

/** Memory one pipeline (its recording child and its pack) takes at most, for a shard of `size` tenants. */
export function pipelineBytes(size: number): number {
    return 400 * 2 ** 20 + size * 4 * 2 ** 20;
}

/** The --shard-size value, or why it is not one (a whole number of tenants, at least 1). */
export function parseShardSize(text: string): { size: number } | { problem: string } {
    if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
        return { problem: `--shard-size must be a whole number of tenants, at least 1, not "${text}" (a size at least the registry's plans it in one pass)` };
    }
    return { size: Number(text) };
}

/** How many plan shards `tenants` tenants take at `size` per shard (1: the plan runs in one pass), at most MAX_SHARDS. */
export function shardCount(tenants: number, size: number): number {
    return Math.min(MAX_SHARDS, Math.max(1, Math.ceil(tenants / size)));
}

/** The plan shard of `count` that declares a tenant: the shard `tenancy:shard` {index, count} gives it. */
export function planShardOf(tenantId: string, count: number): number {
    return shardOf(tenantId, count);
}

/** The memory the kernel says is available now (MemAvailable), else Node's free memory. */
export function availableMemory(): number {
    try {
        const kb = /MemAvailable:\s+(\d+) kB/.exec(fs.readFileSync("/proc/meminfo", "utf8"))?.[1];
        if (kb) return Number(kb) * 1024;
    } catch {
        // Not Linux: fall through.
    }
    return os.freemem();
}

/**
 * Shard pipelines to run at once: one per core (each pipeline keeps a core busy: its child records
 * while its pack analyzes), no more than there are shards, and no more than available memory holds
 * (at least one). TENANCY_PLAN_PIPELINES overrides the core count (tests, benchmarks).
 */
export function pipelineCount(shards: number, size: number, cores: number = os.availableParallelism(), available: number = availableMemory()): number {
    const wanted = Number(process.env.TENANCY_PLAN_PIPELINES) || cores;
    return Math.max(1, Math.min(wanted, shards, Math.floor(available / pipelineBytes(size))));
}

/** The shard's `tenancy:shard` config value. */
export function shardConfig(shard: Shard): string {
    return JSON.stringify(shard);
}

/** Whether `packDir` is the project's own pack (the one whose stack rules the sharded plan knows how to join). */
export function isProjectPack(packDir: string, projectRoot: string): boolean {
    return path.resolve(packDir) === path.resolve(projectRoot, "policy");
}
