// A plan of a large registry as plan shards (see shards.ts): each shard recorded in a short-lived
// child with `tenancy:shard` {index, count}, streamed to a pack configured as that shard's stack is
// (`tenancy pack-config` of a shard stack: its shard and pinned keys), reduced to what the report
// needs (shard-tally.ts) before the next shard starts, with one pipeline per core; then the one
// stack rule whose findings span shards runs over the union (stack-union.ts). The report equals the
// one pass's byte for byte (test/cli/plan/sharded.test.ts).
import type { AnalyzerInfoSummary, EngineResource, PolicyHost, PolicyDiagnostic } from "../engine";
import { recordInChild } from "../engine/fork";
import type { RecordedResource } from "../engine/types";
import { namespaceOf } from "../../contract";
import type { Registry } from "../../registry";
import { inventory, type PlannedResource } from "./inventory";
import { natsDocuments, type NatsDocuments } from "./nats";
import type { PackSettings } from "./pack-config";
import { configurePlanPack, PolicyStream, spawnPlanPack, type EarlyPack } from "./policy";
import type { PlanProgress } from "./progress";
import type { RecordedProgram } from "./program";
import type { ResourceTally } from "./report";
import { entriesOf, ShardTally } from "./shard-tally";
import { STACK_WIDE_RULE } from "./stack-union";
import { planShardOf, shardConfig } from "./shards";

/** How a sharded plan runs: K shards, P at a time. */
export interface Sharding {
    /** Plan shards. */
    count: number;
    /** Tenants per shard at most (the --shard-size in effect). */
    size: number;
    /** Shard pipelines at once. */
    pipelines: number;
}

/** One recording of a sharded plan: the program's config for the whole registry (head or base), before the shard is set. */
export interface ShardRecording {
    config: Record<string, string>;
    secretKeys: string[];
    registry: Registry;
}

/** What a sharded plan needs from the plan that starts it. */
export interface ShardedPlanInputs {
    sharding: Sharding;
    /** The file each recording child requires. */
    program: RecordedProgram;
    project: string;
    stack: string;
    cwd: string;
    keyFile: string;
    packDir: string;
    /** The pack already starting (the plan spawns it before validating the registries): the first pipeline's. */
    pack: EarlyPack;
    /** The pack settings of the whole stack (registry, natsKeys, planOnlyTenants); a shard's adds its shard and pins. */
    settings: PackSettings;
    /** The pinned keys a shard's pack gets (natsOperatorKey, natsPlatformAccountKey). */
    pins: Pick<PackSettings, "natsOperatorKey" | "natsPlatformAccountKey">;
    head: ShardRecording;
    base?: ShardRecording;
    /** Org ids the plan declares (all of the registry's, or a partial plan's). */
    planned: ReadonlySet<string>;
    /** Which tenants the report lists. */
    reported: (slug: string) => boolean;
    natsNamespace: string;
    progress: PlanProgress;
    programOutput?: (line: string) => void;
}

/** What a sharded plan found: the pieces buildReport and the --base comparison take. */
export interface ShardedOutcome {
    pack: { name: string; version: string; rules: number };
    tally: ResourceTally;
    nats: NatsDocuments;
    base?: ReturnType<ShardTally["baseParts"]>;
    timings: { recordMs: number; packStartMs: number; analyzeMs: number };
}

/** A program that does not declare by `tenancy:shard`: the sharded plan cannot be the union of its shards. */
export class ShardingError extends Error {}

/** A step of a shard failed: the program (at head or at --base) or a pack's start; `cause` says why. */
export class ShardStepError extends Error {
    constructor(
        readonly step: "program" | "base" | "pack",
        override readonly cause: unknown,
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
    }
}

function tagged<T>(step: ShardStepError["step"], promise: Promise<T>): Promise<T> {
    return promise.catch((error: unknown) => {
        throw new ShardStepError(step, error);
    });
}

/** Plans the registry shard by shard (see the module comment); throws what the one pass would report as a failure. */
export async function planSharded(inputs: ShardedPlanInputs): Promise<ShardedOutcome> {
    const { sharding, progress } = inputs;
    const tenantNamespaces = new Set([...inputs.head.registry.entries, ...(inputs.base?.registry.entries ?? [])].map((e) => namespaceOf(e.tenant)));
    const tally = new ShardTally(inputs.reported, inputs.natsNamespace, tenantNamespaces);
    const queue = Array.from({ length: sharding.count }, (_, i) => i);
    // Each tenant's shard, hashed once (rendezvous hashing costs a hash per shard).
    const shardOfId = new Map<string, number>();
    for (const registry of [inputs.head.registry, inputs.base?.registry]) {
        for (const { tenant } of registry?.entries ?? []) if (!shardOfId.has(tenant.id)) shardOfId.set(tenant.id, planShardOf(tenant.id, sharding.count));
    }
    // Each shard's planned ids, grouped in one pass over each registry (not one pass per shard).
    const byShard = (registry: Registry) => {
        const groups = Array.from({ length: sharding.count }, () => new Set<string>());
        for (const { tenant } of registry.entries) if (inputs.planned.has(tenant.id)) groups[shardOfId.get(tenant.id)!].add(tenant.id);
        return groups;
    };
    const headIds = byShard(inputs.head.registry);
    const baseIds = inputs.base ? byShard(inputs.base.registry) : undefined;
    // Every pipeline's pack starts at once: their starts overlap each other and the first recording.
    const packs: EarlyPack[] = [inputs.pack];
    for (let i = 1; i < sharding.pipelines; i++) packs.push(spawnPlanPack(inputs.packDir, inputs.pack.parseFile));
    const hosts: PolicyHost[] = [];
    let kept: PolicyHost | undefined;
    let failure: { error: unknown } | undefined;
    let done = 0;
    let packStartMs = 0;
    const started = Date.now();
    const worker = async (pack: EarlyPack, keep: boolean) => {
        // The first shard records while the pack starts (seconds), as the one pass does.
        const starting = tagged("pack", pack.host);
        starting.then(
            (host) => {
                hosts.push(host);
                if (keep) kept = host;
                packStartMs = Math.max(packStartMs, host.startMs);
            },
            () => undefined,
        );
        try {
            for (let index = queue.shift(); index !== undefined && !failure; index = queue.shift()) {
                const head = headIds[index];
                const base = baseIds?.[index];
                progress.step(`tenancy plan: planning shard ${index + 1} of ${sharding.count} (${head.size} tenant${head.size === 1 ? "" : "s"})…`);
                const settings: PackSettings = { ...inputs.settings, shard: { index, count: sharding.count }, ...inputs.pins };
                const configured = starting.then((host) => configurePlanPack(host, settings));
                const shard = await planShard(inputs, configured, index, head, base, shardOfId);
                if (failure) return;
                tally.add(shard);
                done++;
                progress.note(`${done}/${sharding.count} shards`);
            }
        } catch (error) {
            failure ??= { error };
        } finally {
            // A pack no longer needed frees its memory for the others; the first one runs the stack-wide check.
            const host = await starting.catch(() => undefined);
            if (!keep || failure) await (host ? host.stop() : pack.abandon());
        }
    };
    await Promise.all(packs.map((pack, i) => worker(pack, i === 0)));
    if (failure) {
        // The first pipeline's pack is kept for the stack-wide check unless it failed itself.
        await Promise.all(hosts.map((h) => h.stop().catch(() => undefined)));
        throw failure.error;
    }
    const recordMs = Date.now() - started;

    const union = tally.stackWide();
    progress.enter("analyzing", ` the stack-wide NATS checks over ${union.length} resources of ${sharding.count} shards…`);
    const analyzed = Date.now();
    const { diagnostics, info } = await analyzeStackWide(kept!, inputs.settings, union.map((u) => u.engine));
    tally.addStackWide(diagnostics);
    const nats = natsDocuments(tally.natsConfigMaps(), inputs.natsNamespace, slugsById(inputs.head.registry));
    return {
        pack: { name: info.name, version: info.version, rules: info.policies.length },
        tally: tally.finish(),
        nats,
        ...(inputs.base ? { base: tally.baseParts() } : {}),
        timings: { recordMs, packStartMs, analyzeMs: Date.now() - analyzed },
    };
}

/**
 * The stack-wide check: AnalyzeStack over the union with the pack configured as the whole stack is,
 * every rule but the stack-wide one disabled, since only its findings are taken (addStackWide) and
 * the others, already run shard by shard, would only repeat their work. Stops the pack.
 */
export async function analyzeStackWide(host: PolicyHost, settings: PackSettings, union: EngineResource[]): Promise<{ diagnostics: PolicyDiagnostic[]; info: AnalyzerInfoSummary }> {
    try {
        await configurePlanPack(host, settings, STACK_WIDE_RULE);
        return { diagnostics: await host.analyzeStack(union), info: await host.getAnalyzerInfo() };
    } finally {
        await host.stop();
    }
}

// One shard: its recording streamed to the pack (once it is configured for the shard), then the
// base's recording while the pack analyzes the stack.
async function planShard(
    inputs: ShardedPlanInputs, configured: Promise<PolicyHost>, index: number, headIds: ReadonlySet<string>, baseIds: ReadonlySet<string> | undefined,
    shardOfId: ReadonlyMap<string, number>,
) {
    const { sharding } = inputs;
    const stream = new PolicyStream();
    configured.then((host) => stream.start(host), () => stream.cancel());
    const record = (recording: ShardRecording, onResource?: (r: RecordedResource) => void) =>
        recordInChild({
            programFile: inputs.program.file, typescript: inputs.program.typescript, project: inputs.project, stack: inputs.stack, cwd: inputs.cwd, keyFile: inputs.keyFile, registry: recording.registry,
            config: { ...recording.config, "tenancy:shard": shardConfig({ index, count: sharding.count }) }, secretKeys: recording.secretKeys,
            onOutput: inputs.programOutput, onResource,
        });
    let resources: RecordedResource[];
    try {
        [resources] = await Promise.all([tagged("program", record(inputs.head, stream.add)), configured]);
    } catch (error) {
        stream.cancel();
        throw error;
    }
    const [outcome, baseResources] = await Promise.all([stream.finish(resources), inputs.base ? tagged("base", record(inputs.base)) : undefined]);
    const planned = inventory(resources, inputs.head.registry);
    checkShard(planned, inputs.head.registry, index, sharding.count, shardOfId);
    let base: { planned: PlannedResource[]; entries: ReturnType<typeof entriesOf> } | undefined;
    if (inputs.base && baseResources) {
        const basePlanned = inventory(baseResources, inputs.base.registry);
        checkShard(basePlanned, inputs.base.registry, index, sharding.count, shardOfId);
        base = { planned: basePlanned, entries: entriesOf(inputs.base.registry, baseIds!) };
    }
    return { planned, diagnostics: outcome.diagnostics, entries: entriesOf(inputs.head.registry, headIds), base };
}

/**
 * Refuses a shard whose recording holds a tenant's resource (by owner, or by namespace) of another
 * shard: the program does not declare by `tenancy:shard` (e.g. a hand-written object at the top of
 * the program, declared by every shard), so the union of the shards would not be the whole plan.
 */
export function checkShard(planned: readonly PlannedResource[], registry: Registry, index: number, count: number, shardOfId?: ReadonlyMap<string, number>): void {
    const idBySlug = new Map(registry.entries.map((e) => [e.tenant.slug, e.tenant.id]));
    for (const r of planned) {
        const id = r.tenant !== undefined ? idBySlug.get(r.tenant) : undefined;
        if (id === undefined) continue;
        const own = shardOfId?.get(id) ?? planShardOf(id, count);
        if (own === index) continue;
        const what = r.kube ? `${r.kube.kind} ${r.kube.namespace ? `${r.kube.namespace}/` : ""}${r.kube.name}` : r.urn;
        throw new ShardingError(
            `plan shard ${index} of ${count} (tenancy:shard) declared ${what} of tenant ${r.tenant}, whose org id belongs to shard ${own}: ` +
                `a plan in shards needs a program that declares each tenant's resources only in the stack of its shard (as infra/ does). ` +
                `Plan this program in one pass: --shard-size ${registry.entries.length} or more.`,
        );
    }
}

function slugsById(registry: Registry): Map<string, string> {
    return new Map(registry.entries.map((e) => [e.tenant.id, e.tenant.slug]));
}
