import * as fs from "node:fs";
import * as path from "node:path";
import { forkRecordingChild, type RecordingChild } from "../engine/fork";
import { ensurePlanKey, planKeyPath } from "../engine/plan-key";
import type { RecordedResource } from "../engine/types";
import type { PolicyHost } from "../engine";
import { validateRegistry, type ParsedTenants, type Registry, type SourceIssue } from "../../registry";
import { checkoutRegistryAt, type BaseCheckout } from "./git-base";
import { validateTenantRegistry } from "../registry-checks";
import { diffErrors, diffPlans, registryDelta, type RegistryDelta } from "./diff";
import { stackDelta, type StackDelta } from "./stack-delta";
import { combineGrants, grantsBySlug, natsGrantLines } from "./grants";
import { invariantIssues } from "./invariants";
import { canonicalJson } from "../engine/wire";
import { inventory, type PlannedResource } from "./inventory";
import { preloadSchemas, validateObjects } from "./kube-validate";
import { isNatsAuthorization, isNatsDocument, natsDocuments, type NatsDocuments } from "./nats";
import { natsAccountChanges, summarizeNatsDocuments, type NatsAccountChange } from "./nats-diff";
import { configurePlanPack, planParseFile, PolicyStream, spawnPlanPack, type EarlyPack, type PlanParseFile } from "./policy";
import { emulatedMasterKey, masterKeyConfig, masterKeyLine, masterKeyState } from "./master-key";
import { LARGE_REGISTRY, PlanProgress } from "./progress";
import { buildReport, type PlanReport, type ReportInputs } from "./report";
import { scanSecretValues, type ReportedSecret } from "./secret-values";
import { planSharded, ShardingError, ShardStepError, type Sharding } from "./sharded";
import { DEFAULT_SHARD_SIZE, isProjectPack, pipelineCount, shardCount } from "./shards";
import type { ResourceChange } from "./diff";
import { readStackFiles, type StackConfigFiles } from "./stack-config";
import { keyCachePath, openKeyCache } from "./key-cache";
import { parseNatsMasterKey } from "../../components/nats-keys";
import { natsKeysSetting, natsPins, stackKeyGenerations, stackShard, type PackSettings } from "./pack-config";
import { NATS_KEY_GENERATIONS_CONFIG, PLAN_ONLY_KEY } from "../../contract";
import { inShard, SHARED_SHARD, type Shard } from "../../registry";
import { recordedProgram, type RecordedProgram } from "./program";
import { openParseCache, parseCacheFile, saveParseCache } from "./parse-cache";

/** Everything a plan needs, already resolved to absolute paths by the command. */
export interface PlanOptions {
    /** Project root (holds Pulumi.yaml, Pulumi.<stack>.yaml, policy/). */
    projectRoot: string;
    /** Registry directory, or undefined for the stack's `tenancy:tenantsDir` (default "tenants"). */
    tenantsDir?: string;
    /** Stack name. */
    stack: string;
    /** Whether --stack was given (then its stack file must exist). */
    stackGiven: boolean;
    /** Program entry, or undefined for Pulumi.yaml `main`, else infra/index.ts. */
    programFile?: string;
    /** Policy pack directory. */
    packDir: string;
    /** Git revision to compare with. */
    baseRef?: string;
    /** With --base, plan every tenant even when only registry entries changed. */
    full?: boolean;
    /** Receives progress lines: phases for 100 tenants or more (or always, with `progressAlways`), and heartbeats. */
    progress?: (line: string) => void;
    /** Show phase lines for every registry size (CI logs, where nothing else shows the plan is alive). */
    progressAlways?: boolean;
    /** Print a "still …" line whenever nothing was printed for this many milliseconds. */
    heartbeatMs?: number;
    /** Receives what the program prints (warnings of the SDK, console output). */
    programOutput?: (line: string) => void;
    /** Shows paths relative to the working directory. */
    shown: (file: string) => string;
    /**
     * Tenants per plan shard (--shard-size): a plan of more tenants runs as shards of at most this
     * many (see shards.ts); default DEFAULT_SHARD_SIZE.
     */
    shardSize?: number;
    /** The caller needs every planned resource (--out writes resources.json): the plan runs in one pass. */
    keepResources?: boolean;
}

/** A plan that ran: the report, the planned resources and the documents --out writes. */
export interface PlanResult {
    kind: "planned";
    report: PlanReport;
    resources: PlannedResource[];
    nats: NatsDocuments;
    /** Wall-clock milliseconds of each phase (stderr only: never in the report, which must be deterministic). */
    timings: { recordMs: number; packStartMs: number; analyzeMs: number; totalMs: number };
    /** How the plan was split, when it ran in shards (then `resources` is empty: no shard's resources are kept). */
    sharding?: Sharding;
}

/** The registry (at head or at --base) is invalid. */
export interface InvalidRegistry {
    kind: "invalid-registry";
    /** Which registry: the working tree's or the one at --base. */
    where: string;
    issues: SourceIssue[];
}

/** The plan could not run; `usage` problems exit 2, the others 1. */
export interface PlanFailure {
    kind: "failed";
    usage: boolean;
    message: string;
}

/** Runs a whole plan. Throws nothing for expected failures: they come back as values. */
export async function runPlan(options: PlanOptions): Promise<PlanResult | InvalidRegistry | PlanFailure> {
    const started = Date.now();
    const hasPack = fs.existsSync(path.join(options.packDir, "PulumiPolicy.yaml"));
    const parse = hasPack ? planParseFile(options.packDir) : undefined;
    const early: RecordingChild[] = [];
    try {
        return await planWithPack(options, started, hasPack, parse, early);
    } finally {
        for (const child of early) child.discard();
        parse?.remove();
    }
}

async function planWithPack(
    options: PlanOptions, started: number, hasPack: boolean, parse: PlanParseFile | undefined, early: RecordingChild[],
): Promise<PlanResult | InvalidRegistry | PlanFailure> {
    // The pack's start (its type check: seconds, the same for 3 tenants or 3,000) runs while the
    // registries are validated; a plan that stops before running abandons it.
    const pack = hasPack ? spawnPlanPack(options.packDir, parse?.file) : undefined;
    // Validating blocks the event loop for about a second per 1,000 tenants: the pack's spawn, which
    // needs a few turns of it, goes first.
    await pack?.launched;
    const located = locate(options);
    // The recording children (the head's, and the base's with --base) load the SDK and the program's
    // modules while the registries are validated and the pack starts (about 1 s each), at a lower
    // priority than both, which the plan waits for first.
    if ("files" in located && pack) {
        for (let i = options.baseRef === undefined ? 1 : 2; i > 0; i--) {
            early.push(forkRecordingChild({ cwd: options.projectRoot, typescript: located.recorded.typescript, warm: located.recorded.warm, background: true }));
        }
    }
    const prepared = "files" in located ? await prepare(options, located) : located;
    // Before any pack is configured, hence before any reads the registry.
    if ("files" in prepared) parse?.write(prepared.parsed);
    if (!("files" in prepared) || !pack) {
        await pack?.abandon();
        return "files" in prepared ? { kind: "failed", usage: true, message: `policy pack ${options.shown(options.packDir)} not found` } : prepared;
    }
    const keyFile = planKeyPath();
    let planKey: Buffer;
    try {
        planKey = ensurePlanKey(keyFile);
    } catch (error) {
        prepared.base?.checkout.cleanup();
        await pack.abandon();
        const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        return { kind: "failed", usage: false, message: `cannot create the plan key ${keyFile} (${reason}); set XDG_CONFIG_HOME to a writable directory` };
    }
    const progress = new PlanProgress({ emit: options.progress, always: options.progressAlways ?? false, heartbeatMs: options.heartbeatMs });
    progress.begin(prepared.registry.entries.length);
    try {
        return await execute(options, prepared, { file: keyFile, key: planKey }, progress, started, pack, early);
    } finally {
        progress.end();
        prepared.base?.checkout.cleanup();
    }
}

/** What a plan needs before anything runs: the stack files, the paths and both registries. */
interface Prepared {
    files: StackConfigFiles;
    shard: Shard;
    tenantsDir: string;
    programFile: string;
    /** What the recording child requires: the program, or its compiled copy (see recordedProgram). */
    recorded: RecordedProgram;
    registry: Registry;
    base?: { checkout: BaseCheckout; registry: Registry; stack: StackDelta; stackPath?: string };
    /** Both registries' files, validated once here and reused by the base's validation and the plan's packs. */
    parsed: ParsedTenants;
}

/** Where a plan's inputs are: the stack files, the registry's directory and the program. */
type Located = Pick<Prepared, "files" | "shard" | "tenantsDir" | "programFile" | "recorded">;

// Reads the stack, checks the program and the pack exist.
function locate(options: PlanOptions): Located | PlanFailure {
    let files: StackConfigFiles;
    try {
        files = readStackFiles(options.projectRoot, options.stack, options.stackGiven);
    } catch (error) {
        return { kind: "failed", usage: true, message: (error as Error).message };
    }
    const stackShardOf = stackShard(files.config);
    if ("problem" in stackShardOf) return { kind: "failed", usage: true, message: `${files.stackFile ?? `Pulumi.${options.stack}.yaml`}: ${stackShardOf.problem}` };
    const { shard } = stackShardOf;
    const tenantsDir = options.tenantsDir ?? path.resolve(options.projectRoot, files.config["tenancy:tenantsDir"] ?? "tenants");
    const programFile = options.programFile ?? path.resolve(options.projectRoot, files.main ?? "infra/index.ts");
    if (!fs.existsSync(programFile)) return { kind: "failed", usage: true, message: `program ${options.shown(programFile)} not found; pass --program FILE` };
    if (!fs.existsSync(path.join(options.packDir, "PulumiPolicy.yaml"))) {
        return { kind: "failed", usage: true, message: `policy pack ${options.shown(options.packDir)} not found (no PulumiPolicy.yaml); pass --policy-pack DIR` };
    }
    return { files, shard, tenantsDir, programFile, recorded: recordedProgram(programFile) };
}

// Validates the registry (and the one at --base).
async function prepare(options: PlanOptions, located: Located): Promise<Prepared | InvalidRegistry | PlanFailure> {
    const { tenantsDir } = located;
    // git reads the base while the head is validated; the head's problems are still reported first.
    // A program other than the project's own (the only one with a `warm` module) may read the base
    // registry's directory itself rather than through loadRegistry: only for one is it written out.
    const directory = located.recorded.warm === undefined;
    const pending = options.baseRef === undefined ? undefined : checkoutRegistryAt(tenantsDir, options.baseRef, { directory });
    const settled = pending?.then(
        (checkout) => ({ checkout }),
        (error: unknown) => ({ error: error as Error }),
    );
    const cacheFile = parseCacheFile();
    const parsed = openParseCache(cacheFile);
    const head = validateTenantRegistry(tenantsDir, parsed);
    if (!head.registry) {
        void settled?.then((s) => ("checkout" in s ? s.checkout.cleanup() : undefined));
        return { kind: "invalid-registry", where: options.shown(tenantsDir), issues: head.issues };
    }
    if (!settled) {
        saveParseCache(cacheFile, parsed);
        return { ...located, registry: head.registry, parsed };
    }
    const got = await settled;
    if ("error" in got) return { kind: "failed", usage: true, message: got.error.message };
    const { checkout } = got;
    const result = validateRegistry(checkout.files, [], parsed);
    saveParseCache(cacheFile, parsed);
    if (!result.registry) {
        checkout.cleanup();
        const issues = result.issues.map((i) => ({ ...i, file: i.file.replace(checkout.dir, `${options.shown(tenantsDir)}@${options.baseRef}`) }));
        return { kind: "invalid-registry", where: `${options.shown(tenantsDir)} at ${options.baseRef}`, issues };
    }
    // A tenant's id and slug never change: a change of either is a registry error, before anything is planned.
    const baseFile = (entry: { file: string }) => path.join(options.shown(tenantsDir), path.basename(entry.file));
    const broken = invariantIssues(result.registry, head.registry, checkout.ref, baseFile);
    if (broken.length > 0) {
        checkout.cleanup();
        return { kind: "invalid-registry", where: `${options.shown(tenantsDir)} against ${options.baseRef}`, issues: broken };
    }
    return { ...located, registry: head.registry, parsed, base: { checkout, registry: result.registry, ...baseStack(options, checkout) } };
}

// The stack file at --base against the working tree's, when it is in the registry's repository.
function baseStack(options: PlanOptions, checkout: BaseCheckout): { stack: StackDelta; stackPath?: string } {
    const name = `Pulumi.${options.stack}.yaml`;
    const file = path.join(options.projectRoot, name);
    const head = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    const relative = path.relative(fs.realpathSync(checkout.root), path.join(fs.realpathSync(options.projectRoot), name));
    if (relative.startsWith("..") || path.isAbsolute(relative)) return { stack: stackDelta(head, head) };
    const stackPath = relative.split(path.sep).join("/");
    return { stack: stackDelta(checkout.readAt(stackPath), head), stackPath };
}

/** Slugs a --base change touches: its registry entries, and its per-tenant stack config (secret values, key generations). */
function touchedSlugs(prepared: Prepared, delta: RegistryDelta): Set<string> {
    const slugs = new Set([...prepared.registry.entries, ...prepared.base!.registry.entries].map((e) => e.tenant.slug));
    return new Set([...delta.touched, ...[...prepared.base!.stack.touched].filter((s) => slugs.has(s))]);
}

// Records the program (at head, and at --base) while the pack starts and analyzes each resource as it
// is recorded, then analyzes the stack, validates and reports.
async function execute(
    options: PlanOptions, prepared: Prepared, planKey: { file: string; key: Buffer }, progress: PlanProgress, started: number, pack: EarlyPack,
    early: RecordingChild[],
): Promise<PlanResult | PlanFailure> {
    const { files, registry, base } = prepared;
    const scope = planScope(options, prepared);
    const sharding = shardingOf(options, prepared, scope);
    if (sharding) {
        // Each shard records in children of its own.
        for (const child of early.splice(0)) child.discard();
        return executeSharded(options, prepared, planKey, progress, started, pack, scope, sharding);
    }
    let recordMs = 0;
    // The head recording's resources go to the pack as they are recorded (see PolicyStream).
    const analysis = new PolicyStream();
    const record = (dir: string, reg: Registry, onResource?: (resource: RecordedResource) => void, atBase = false) => {
        const { config, secretKeys, missing } = programConfig(files, dir, reg, planKey.key);
        if (scope.only) config[PLAN_ONLY_KEY] = JSON.stringify(scope.only);
        // The base is planned with the base's key generations, so that a rotation shows as what it replaces.
        if (atBase && base) {
            if (base.stack.baseGenerations === undefined) delete config[NATS_KEY_GENERATIONS_CONFIG];
            else config[NATS_KEY_GENERATIONS_CONFIG] = base.stack.baseGenerations;
        }
        const begun = Date.now();
        const child = early.shift() ?? forkRecordingChild({ cwd: options.projectRoot, typescript: prepared.recorded.typescript });
        const recording = child.record({
            programFile: prepared.recorded.file, project: files.project, stack: options.stack, config, secretKeys,
            keyFile: planKey.file, registry: reg, onOutput: options.programOutput, onResource,
        }).then((resources) => {
            recordMs = Math.max(recordMs, Date.now() - begun);
            return resources;
        });
        return { recording, missing };
    };
    const count = scope.report?.slugs.size ?? registry.entries.length;
    progress.enter("recording the program", ` over ${count} tenant${count === 1 ? "" : "s"}${base ? " (and the base registry)" : ""}…`);
    // The program runs (once or twice) while the pack starts: they are independent processes.
    const headRun = record(prepared.tenantsDir, registry, (resource) => {
        analysis.add(resource);
        preloadSchemas(resource);
    });
    const baseRun = base ? record(base.checkout.dir, base.registry, undefined, true) : undefined;
    const sharded = prepared.shard.count > 1;
    const keyGenerations = stackKeyGenerations(files.config);
    // A bad value stops the program itself with its own message; the pack then gets generation 1.
    const generations = "generations" in keyGenerations ? keyGenerations.generations : {};
    // Derived (about 0.5 s per 1,000 tenants) while the pack starts, not after.
    const settings: PackSettings = {
        registryDir: prepared.tenantsDir,
        ...planNatsKeys(planKey, registry, generations),
        ...(sharded ? { shard: prepared.shard, ...natsPins(emulatedMasterKey(planKey.key)) } : {}),
        ...(scope.only ? { planOnlyTenants: scope.only } : {}),
    };
    const hostStart = pack.host.then((started) => configurePlanPack(started, settings));
    let host: PolicyHost | undefined;
    hostStart.then((started) => analysis.start(started), () => undefined);
    try {
        const settled = await Promise.allSettled([headRun.recording, baseRun?.recording, hostStart]);
        if (settled[2].status === "fulfilled") host = settled[2].value;
        const failure = settled.find((s) => s.status === "rejected") as PromiseRejectedResult | undefined;
        if (failure) {
            analysis.cancel();
            const which = failure === settled[0] ? "the program failed" : failure === settled[1] ? `the program failed on the registry at ${options.baseRef}` : "the policy pack did not start";
            return { kind: "failed", usage: false, message: `${which}:\n${(failure.reason as Error).message}` };
        }
        const natsNamespace = natsNamespaceOf(files.config);
        const headResources = (settled[0] as PromiseFulfilledResult<RecordedResource[]>).value;
        const planned = inventory(headResources, registry);
        const nats = natsDocuments(planned, natsNamespace, slugsById(registry));

        progress.enter("analyzing", ` ${planned.length} resources with the policy pack…`);
        const outcome = await analysis.finish(headResources, analyzeProgress(planned.length, progress, count >= LARGE_REGISTRY));
        progress.enter("validating", ` ${planned.filter((r) => r.kube).length} Kubernetes objects…`);
        const invalid = validateObjects(planned);
        const baseResources = base ? (settled[1] as PromiseFulfilledResult<RecordedResource[]>).value : undefined;
        const report = buildReport({
            project: files.project, stack: options.stack, registryShown: options.shown(prepared.tenantsDir), programShown: options.shown(prepared.programFile),
            registry, resources: planned, pack: outcome.pack, diagnostics: outcome.diagnostics, invalid,
            missingSecrets: headRun.missing, nats,
            masterKey: masterKeyLine(masterKeyState(files), files.stackFile ?? `Pulumi.${options.stack}.yaml`),
            scope: scope.report,
            base: base && baseResources ? compareWithBase(options, prepared, base, baseParts(inventory(baseResources, base.registry), planned, nats, natsNamespace, base.registry)) : undefined,
        });
        return {
            kind: "planned", report, resources: planned, nats,
            timings: { recordMs, packStartMs: host!.startMs, analyzeMs: outcome.analyzeMs, totalMs: Date.now() - started },
        };
    } finally {
        await host?.stop();
    }
}

// The pack's natsKeys from the emulated master key, with the public keys kept from earlier plans (key-cache.ts).
function planNatsKeys(planKey: { file: string; key: Buffer }, registry: Registry, generations: Readonly<Record<string, number>>): Pick<PackSettings, "natsKeys"> {
    const masterKey = emulatedMasterKey(planKey.key);
    const cache = openKeyCache(keyCachePath(planKey.file), parseNatsMasterKey(masterKey));
    const setting = natsKeysSetting(masterKey, registry, generations, cache.known);
    cache.save();
    return setting;
}

/** Which tenants a plan declares: the stack's shard, and with --base those a registry-only change touches. */
interface PlanScope {
    /** Org ids the program is narrowed to (tenancy:planOnlyTenants), for a partial plan. */
    only?: string[];
    /** What the report lists and says about it, when the plan is not of the whole registry or compares with a base. */
    report?: ReportInputs["scope"];
}

// Why a --base plan must declare every tenant: anything but the registry's tenant entries may change
// the resources of tenants whose entries did not change.
function fullPlanReason(options: PlanOptions, prepared: Prepared): string | undefined {
    const base = prepared.base!;
    if (options.full) return "--full was given";
    if (options.programFile) return "--program names a program other than the project's, which may give one tenant's change effects on others";
    if (canonicalJson(base.registry.plans) !== canonicalJson(prepared.registry.plans)) return `the plan catalog changed since ${base.checkout.ref}, which may change every tenant`;
    // A stack file whose only changes are per tenant (secret values, key generations) touches those tenants only.
    const outside = base.checkout.changedOutside.filter((f) => !(base.stack.tenantOnly && f === base.stackPath));
    if (outside.length > 0) {
        const shown = outside.slice(0, 3).join(", ") + (outside.length > 3 ? ` and ${outside.length - 3} more` : "");
        return `files outside the registry changed since ${base.checkout.ref} (${shown}), and every tenant is checked under them`;
    }
    return undefined;
}

function planScope(options: PlanOptions, prepared: Prepared): PlanScope {
    const { registry, base, shard } = prepared;
    const total = registry.entries.length;
    const mine = registry.entries.filter((e) => inShard(e.tenant.id, shard));
    const shardNote =
        shard.count > 1
            ? `shard ${shard.index} of ${shard.count} (tenancy:shard): the ${mine.length} of ${total} tenants its org ids hash to; ${shard.index === SHARED_SHARD ? "it also declares" : "shard 0 declares"} the shared objects`
            : undefined;
    const reason = base ? fullPlanReason(options, prepared) : "no --base";
    if (reason !== undefined) {
        if (!shardNote && !base) return {};
        const note = [shardNote, base ? `every tenant${shardNote ? " of the shard" : ""} is planned: ${reason}` : undefined].filter(Boolean).join("; ");
        return { report: { slugs: new Set(mine.map((e) => e.tenant.slug)), shard, partial: false, note: `${note}.` } };
    }
    const touched = touchedSlugs(prepared, registryDelta(base!.registry, registry));
    const ids = [...base!.registry.entries, ...registry.entries].filter((e) => touched.has(e.tenant.slug)).map((e) => e.tenant.id);
    const only = [...new Set(ids)].filter((id) => inShard(id, shard)).sort();
    const planned = mine.filter((e) => only.includes(e.tenant.id));
    const note =
        `${shardNote ? `${shardNote}; of them, ` : ""}${planned.length} of ${shardNote ? mine.length : total} tenants: those whose entries${base!.stack.touched.size > 0 ? " or per-tenant stack config (secret values, key generations)" : ""} changed since ${base!.checkout.ref}. ` +
        `Only registry entries${base!.stack.touched.size > 0 ? " and per-tenant stack config" : ""} changed and the plan catalog did not, so the program gives every other tenant the same resources as before; ` +
        `the shared objects are planned in full (operator.conf includes all ${total} tenants). --full plans every tenant.`;
    return { only, report: { slugs: new Set(planned.map((e) => e.tenant.slug)), shard, partial: true, note } };
}

/** What the --base section is made of: the base's NATS files, the NATS account changes, every resource change and the base's grants. */
interface BaseParts {
    baseNats: NatsDocuments;
    natsAccounts: NatsAccountChange[];
    changes: ResourceChange[];
    grants: Map<string, string[]>;
}

// The --base parts of a plan in one pass: both plans' resources compared.
function baseParts(baseResources: PlannedResource[], planned: PlannedResource[], nats: NatsDocuments, natsNamespace: string, baseRegistry: Registry): BaseParts {
    const baseNats = natsDocuments(baseResources, natsNamespace, slugsById(baseRegistry));
    const natsAccounts = natsAccountChanges(baseNats, nats);
    const documents = new Set([...baseResources, ...planned].filter((r) => isNatsDocument(r, natsNamespace)).map((r) => r.urn));
    const changes = summarizeNatsDocuments(diffPlans(baseResources, planned, (r) => isNatsAuthorization(r, natsNamespace)), natsAccounts, documents);
    return { baseNats, natsAccounts, changes, grants: grantsBySlug(baseResources, baseNats, baseRegistry) };
}

// The --base section: resource and NATS account changes, the registry delta and the diff rules.
function compareWithBase(options: PlanOptions, prepared: Prepared, base: NonNullable<Prepared["base"]>, parts: BaseParts): NonNullable<ReportInputs["base"]> {
    const { natsAccounts, changes } = parts;
    const delta = registryDelta(base.registry, prepared.registry);
    delta.touched = touchedSlugs(prepared, delta);
    // Files of removed tenants are named as in the working tree, not the temporary checkout.
    for (const entry of delta.removed) entry.file = path.join(options.shown(prepared.tenantsDir), path.basename(entry.file));
    const removed = delta.removed
        .map(({ tenant, file }) => ({ slug: tenant.slug, id: tenant.id, plan: tenant.plan, lifecycle: tenant.lifecycle, file }))
        .sort((a, b) => (a.slug < b.slug ? -1 : 1));
    return {
        ref: base.checkout.ref, commit: base.checkout.commit, changes, natsAccounts, errors: diffErrors(delta, changes), added: delta.added, removed, changed: delta.changed,
        lifecycles: new Map(base.registry.entries.map((e) => [e.tenant.slug, e.tenant.lifecycle])), rotations: base.stack.rotations,
        grants: parts.grants,
    };
}

/**
 * Whether (and how) the plan runs in shards: when it declares more tenants than the shard size, the
 * program is not narrowed by a shard of the stack's own (a shard stack is planned in one pass: its
 * tenancy:shard.count already bounds it), the pack is the project's (whose one stack-wide rule the
 * sharded plan knows, see stack-union.ts) and the caller does not need every resource (--out).
 */
function shardingOf(options: PlanOptions, prepared: Prepared, scope: PlanScope): Sharding | undefined {
    const size = options.shardSize ?? DEFAULT_SHARD_SIZE;
    const tenants = (registry: Registry) => (scope.only ? registry.entries.filter((e) => scope.only!.includes(e.tenant.id)).length : registry.entries.length);
    const largest = Math.max(tenants(prepared.registry), prepared.base ? tenants(prepared.base.registry) : 0);
    const count = shardCount(largest, size);
    if (count <= 1 || prepared.shard.count > 1 || options.keepResources || !isProjectPack(options.packDir, options.projectRoot)) return undefined;
    return { count, size, pipelines: pipelineCount(count, size) };
}

// The plan in shards (see sharded.ts): the same report, from shards of bounded size.
async function executeSharded(
    options: PlanOptions, prepared: Prepared, planKey: { file: string; key: Buffer }, progress: PlanProgress, started: number, pack: EarlyPack, scope: PlanScope,
    sharding: Sharding,
): Promise<PlanResult | PlanFailure> {
    const { files, registry, base } = prepared;
    const recording = (dir: string, reg: Registry, atBase: boolean) => {
        const { config, secretKeys, missing } = programConfig(files, dir, reg, planKey.key);
        if (scope.only) config[PLAN_ONLY_KEY] = JSON.stringify(scope.only);
        if (atBase && base) {
            if (base.stack.baseGenerations === undefined) delete config[NATS_KEY_GENERATIONS_CONFIG];
            else config[NATS_KEY_GENERATIONS_CONFIG] = base.stack.baseGenerations;
        }
        return { config, secretKeys, registry: reg, missing };
    };
    const head = recording(prepared.tenantsDir, registry, false);
    const keyGenerations = stackKeyGenerations(files.config);
    const generations = "generations" in keyGenerations ? keyGenerations.generations : {};
    const masterKey = emulatedMasterKey(planKey.key);
    const natsNamespace = natsNamespaceOf(files.config);
    const count = scope.report?.slugs.size ?? registry.entries.length;
    progress.enter(
        "recording the program",
        ` over ${count} tenant${count === 1 ? "" : "s"}${base ? " (and the base registry)" : ""} in ${sharding.count} shards of at most ${sharding.size} tenants, ${sharding.pipelines} at a time…`,
    );
    const only = scope.only ? new Set(scope.only) : undefined;
    let outcome;
    try {
        outcome = await planSharded({
            sharding, program: prepared.recorded, project: files.project, stack: options.stack, cwd: options.projectRoot, keyFile: planKey.file,
            packDir: options.packDir, pack,
            settings: { registryDir: prepared.tenantsDir, ...planNatsKeys(planKey, registry, generations), ...(scope.only ? { planOnlyTenants: scope.only } : {}) },
            pins: natsPins(masterKey),
            head, base: base ? recording(base.checkout.dir, base.registry, true) : undefined,
            planned: only ?? new Set([...registry.entries, ...(base?.registry.entries ?? [])].map((e) => e.tenant.id)),
            reported: scope.report ? (slug) => scope.report!.slugs.has(slug) : () => true,
            natsNamespace, progress, programOutput: options.programOutput,
        });
    } catch (error) {
        if (error instanceof ShardingError) return { kind: "failed", usage: false, message: error.message };
        if (!(error instanceof ShardStepError)) throw error;
        const which = error.step === "program" ? "the program failed" : error.step === "base" ? `the program failed on the registry at ${options.baseRef}` : "the policy pack did not start";
        return { kind: "failed", usage: false, message: `${which}:\n${(error.cause as Error).message}` };
    }
    const nats = outcome.nats;
    let baseSection: ReportInputs["base"];
    if (base && outcome.base) {
        const baseNats = natsDocuments(outcome.base.nats, natsNamespace, slugsById(base.registry));
        const natsAccounts = natsAccountChanges(baseNats, nats);
        const documents = new Set([...outcome.base.nats, ...nats.resources].map((r) => r.urn));
        const changes = summarizeNatsDocuments(outcome.base.changes, natsAccounts, documents);
        baseSection = compareWithBase(options, prepared, base, { baseNats, natsAccounts, changes, grants: combineGrants(outcome.base.kubeGrants, natsGrantLines(baseNats)) });
    }
    const report = buildReport({
        project: files.project, stack: options.stack, registryShown: options.shown(prepared.tenantsDir), programShown: options.shown(prepared.programFile),
        registry, tally: outcome.tally, pack: outcome.pack, missingSecrets: head.missing, nats,
        masterKey: masterKeyLine(masterKeyState(files), files.stackFile ?? `Pulumi.${options.stack}.yaml`),
        scope: scope.report, base: baseSection,
    });
    return { kind: "planned", report, resources: [], nats, timings: { ...outcome.timings, totalMs: Date.now() - started }, sharding };
}

// On large registries, a line at every tenth of the resources analyzed; always, the count for the heartbeat.
function analyzeProgress(total: number, progress: PlanProgress, large: boolean) {
    const step = Math.max(1, Math.ceil(total / 10));
    return (done: number) => {
        progress.note(`${done}/${total} resources`);
        if (large && done % step === 0 && done < total) progress.step(`tenancy plan: analyzed ${done}/${total} resources`);
    };
}

function slugsById(registry: Registry): Map<string, string> {
    return new Map(registry.entries.map((e) => [e.tenant.id, e.tenant.slug]));
}

function natsNamespaceOf(config: Record<string, string>): string {
    try {
        const nats = JSON.parse(config["tenancy:nats"] ?? "{}") as { namespace?: unknown };
        return typeof nats.namespace === "string" ? nats.namespace : "nats";
    } catch {
        return "nats";
    }
}

/**
 * The config the program gets: the stack file's readable values and the registry directory being
 * planned. A declared secret value that is encrypted in the stack file is set (`pulumi up` reads
 * it), so the plan gives the program a placeholder; one that is not set at all stays missing, as it
 * is for `pulumi up`, and the program plans the tenant without that Secret. Both are reported. The
 * NATS master key, which plan cannot decrypt, is emulated from the plan key (see master-key.ts).
 */
export function programConfig(files: StackConfigFiles, tenantsDir: string, registry: Registry, planKey: Buffer) {
    const master = masterKeyConfig(files, planKey);
    const config: Record<string, string> = { ...files.config, "tenancy:tenantsDir": tenantsDir, ...master.config };
    const scan = scanSecretValues(files, registry);
    // Left as is: the program reports a malformed tenancy:secrets itself.
    if (scan.malformed) return { config, secretKeys: [...new Set([...files.secretKeys, ...master.secretKeys])].sort(), missing: [] as ReportedSecret[] };
    const values = scan.values;
    const where = files.stackFile ?? "stack config (there is no stack file)";
    const missing: ReportedSecret[] = [];
    for (const u of scan.unreadable) {
        if (u.state === "encrypted") {
            values[u.tenant] ??= {};
            values[u.tenant][u.secret] ??= {};
            values[u.tenant][u.secret][u.key] = `<placeholder: ${u.path} is not available to tenancy plan>`;
        }
        const reason = u.state === "encrypted"
            ? `encrypted in ${where}; tenancy plan cannot decrypt it and planned a placeholder`
            : `not set in ${where}; Secret ${u.secret} is created once it is`;
        missing.push({ path: u.path, reason, tenant: u.tenant, secret: u.secret, state: u.state });
    }
    config["tenancy:secrets"] = JSON.stringify(values);
    const secretKeys = [...new Set([...files.secretKeys, ...master.secretKeys, "tenancy:secrets"])].sort();
    return { config, secretKeys, missing };
}
