// `npm run bench:preview`: the real engine (the Pulumi CLI and Kubernetes provider built by `npm run
// tools`) against the physical floor, measured in the same run so the ratios compare like with like
// on a shared machine. Per N (BENCH_PREVIEW_SIZES, default 100,1000):
// - the floor, on a fresh control plane: the objects the program renders (recorded as `tenancy plan`
//   records them) server-side applied straight to the API server, 32 requests in flight, from
//   scratch, again unchanged, and one tenant's changed objects;
// - per shard count (BENCH_SHARDS, default 1,4), on a fresh control plane, one stack per shard, the
//   shards in parallel as the apply workflow runs them, with the project's documented settings
//   (contract/pulumi-run.ts): `pulumi preview --policy-pack`, a from-scratch `pulumi up`, a
//   no-change `pulumi up` and a `pulumi up` after one tenant's agentLimit was raised;
// - first, the project's own registry (tenants/), one stack: a from-scratch `pulumi up`, then
//   BENCH_PREVIEW_REGISTRY_RUNS (default 5) no-change `pulumi up`s: every merge pays one;
// - with BENCH_PREVIEW_BASELINE=1, the same four steps without those settings (the CLI's defaults)
//   at BENCH_PREVIEW_BASELINE_SIZES (default 100), one stack, so the table shows what they bought;
//   with BENCH_PREVIEW_LEVERS=1, at BENCH_PREVIEW_LEVER_SIZE (default 100), one stack per setting
//   left out, so each lever's share is measured too.
// Every step is bounded (BENCH_PREVIEW_STEP_TIMEOUT_MIN, default 45) and nothing starts past
// BENCH_PREVIEW_DEADLINE (an ISO time); a step that fails or is skipped is reported as such and the
// others still run. A benchmark, never a test: `--write` puts the table into BENCHMARKS.md.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePlanKey, planKeyPath, recordInChild, toPlain, type RecordedResource } from "../cli/engine";
import { inventory } from "../cli/plan/inventory";
import { natsPins } from "../cli/plan/pack-config";
import { PULUMI_PREVIEW_FLAGS, PULUMI_RUN_ENV, PULUMI_UP_FLAGS } from "../contract/pulumi-run";
import { stackConfigSchema } from "../infra/config";
import { PLAN_ONLY_KEY } from "../contract";
import { validateRegistry, type Registry } from "../registry";
import { platformPrerequisites, startCluster, type Cluster } from "../test/e2e/support/cluster";
import { createStack, type ConfigValue, type StackWorkspace } from "../test/e2e/support/stack";
import { toolBinDir, toolVersion } from "../tools/paths";
import { applyObjects, FLOOR_IN_FLIGHT, type FloorObject } from "./floor-apply";
import { seconds, writeSection } from "./markdown";
import { generateRegistry } from "./registry";

const ROOT = path.resolve(__dirname, "..");
// The project as it was when the bench started, copied (node_modules linked): the working tree may
// change under a run of an hour (others work in it), and every row must measure the same program.
let PROJECT = ROOT;
const list = (text: string) => text.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
const SIZES = list(process.env.BENCH_PREVIEW_SIZES ?? "100,1000");
const SHARDS = list(process.env.BENCH_SHARDS ?? "1,4");
const BASELINE_SIZES = process.env.BENCH_PREVIEW_BASELINE === "1" ? list(process.env.BENCH_PREVIEW_BASELINE_SIZES ?? "100") : [];
const LEVER_SIZE = process.env.BENCH_PREVIEW_LEVERS === "1" ? Number(process.env.BENCH_PREVIEW_LEVER_SIZE ?? "100") : undefined;
// The project's own registry (tenants/ as the bench started): a from-scratch up, then this many
// no-change ups, each the whole documented `pulumi up` (preview and update); 0 leaves it out.
const REGISTRY_RUNS = Number(process.env.BENCH_PREVIEW_REGISTRY_RUNS ?? "5");
const STEP_TIMEOUT_MS = Number(process.env.BENCH_PREVIEW_STEP_TIMEOUT_MIN ?? "45") * 60_000;
const DEADLINE = process.env.BENCH_PREVIEW_DEADLINE ? Date.parse(process.env.BENCH_PREVIEW_DEADLINE) : Infinity;
// Generated tenant t00001 is on the standard plan with agentLimit 8 (bench/registry.ts); 9 stays within
// the plan's 10 and changes its Namespace's annotation and its ResourceQuota's pods.
const CHANGED_SLUG = "t00001";
const CHANGED_FROM = "agentLimit: 8";
const CHANGED_TO = "agentLimit: 9";

const log = (line: string) => process.stderr.write(`bench:preview: ${new Date().toISOString().slice(11, 19)} ${line}\n`);

// ---------------------------------------------------------------------------------------------
// Settings: what a run of the CLI is given.

/** How the CLI is run for one row set. */
interface Settings {
    /** Row label. */
    name: string;
    /** Environment merged into the stack's. */
    env: Record<string, string>;
    /** Environment keys removed from the stack's. */
    unset: string[];
    /** Flags of `pulumi preview` (before the pack's). */
    previewFlags: string[];
    /** Flags of `pulumi up` (before the pack's). */
    upFlags: string[];
    /** The policy pack directory, relative to the project. */
    packDir: string;
    /** Stack config on top of what every bench stack has. */
    config: ConfigValue[];
}

// The project's compiled pack when `npm ci` built one (dist/policy, no ts-node type check per run), as
// the workflows may run it; the sources otherwise (what createStack's ws.policy passes).
const SOURCE_PACK = "policy";
const PACK_DIR = fs.existsSync(path.join(ROOT, "dist", "policy", "PulumiPolicy.yaml")) ? path.join("dist", "policy") : SOURCE_PACK;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compiledPackDir } = require(path.join(ROOT, "bin", "build-state")) as { compiledPackDir(root: string): string | undefined };
// Whether dist/ was built from the sources as they are (else the compiled pack is an older one).
const PACK_CURRENT = compiledPackDir(ROOT) !== undefined;

/** Copies the project (without .git and node_modules, which is linked) into a temp folder and returns it. */
function snapshotProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-bench-project-"));
    const skip = new Set([path.join(ROOT, ".git"), path.join(ROOT, "node_modules")]);
    fs.cpSync(ROOT, dir, { recursive: true, filter: (src) => !skip.has(src) });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

// The provider's own client limit (50 requests/s, burst 120), for stacks that leave out the
// program's kubeClient default, when the program has that setting.
const PROVIDER_CLIENT_LIMIT: ConfigValue[] = "kubeClient" in stackConfigSchema.shape ? [{ key: "tenancy:kubeClient", value: JSON.stringify({ qps: 50, burst: 120 }) }] : [];

const CONTRACT: Settings = {
    name: "documented settings",
    env: { ...PULUMI_RUN_ENV },
    unset: [],
    previewFlags: [...PULUMI_PREVIEW_FLAGS],
    upFlags: [...PULUMI_UP_FLAGS],
    packDir: PACK_DIR,
    config: [],
};

// The CLI's defaults: no settings in the environment, `pulumi up --yes --skip-preview`, the
// project's pack from its sources and the provider's own client limit. PULUMI_SKIP_UPDATE_CHECK stays
// (every sandbox here sets it: there is no network to check against).
const BASELINE: Settings = {
    name: "CLI defaults",
    env: {},
    unset: Object.keys(PULUMI_RUN_ENV).filter((k) => k !== "PULUMI_SKIP_UPDATE_CHECK"),
    previewFlags: [],
    upFlags: ["--yes", "--skip-preview"],
    packDir: SOURCE_PACK,
    config: PROVIDER_CLIENT_LIMIT,
};

/** A flag with its value, e.g. ["--parallel", "32"], as one lever. */
function flagGroups(flags: readonly string[]): string[][] {
    const groups: string[][] = [];
    for (const flag of flags) {
        if (!flag.startsWith("-") && groups.length > 0) groups[groups.length - 1].push(flag);
        else groups.push([flag]);
    }
    return groups;
}

/** The documented settings with one lever left out each: every env key, every flag but --yes, the compiled pack. */
function leverVariants(): Array<{ lever: string; settings: Settings }> {
    const variants: Array<{ lever: string; settings: Settings }> = [];
    for (const key of Object.keys(PULUMI_RUN_ENV)) {
        if (key === "PULUMI_SKIP_UPDATE_CHECK") continue;
        const env = { ...CONTRACT.env };
        delete env[key];
        variants.push({ lever: `${key}=${PULUMI_RUN_ENV[key]}`, settings: { ...CONTRACT, name: `without ${key}`, env, unset: [key] } });
    }
    const seen = new Set<string>();
    for (const group of [...flagGroups(PULUMI_UP_FLAGS), ...flagGroups(PULUMI_PREVIEW_FLAGS)]) {
        const text = group.join(" ");
        if (text === "--yes" || text === "--non-interactive" || seen.has(text)) continue;
        seen.add(text);
        const drop = (flags: string[]) => flagGroups(flags).filter((g) => g.join(" ") !== text).flat();
        variants.push({ lever: `\`${text}\``, settings: { ...CONTRACT, name: `without ${text}`, previewFlags: drop(CONTRACT.previewFlags), upFlags: drop(CONTRACT.upFlags) } });
    }
    if (PROVIDER_CLIENT_LIMIT.length > 0) variants.push({ lever: "the program's provider client limit (tenancy:kubeClient default)", settings: { ...CONTRACT, name: "without the kubeClient default", config: PROVIDER_CLIENT_LIMIT } });
    if (PACK_DIR !== SOURCE_PACK) variants.push({ lever: "the compiled pack (dist/policy)", settings: { ...CONTRACT, name: "without the compiled pack", packDir: SOURCE_PACK } });
    return variants;
}

// ---------------------------------------------------------------------------------------------
// Bounded runs of the CLI.

interface Run {
    code: number | null;
    ms: number;
    stdout: string;
    stderr: string;
    timedOut: boolean;
}

/**
 * Runs a command in a process group of its own, so that past its bound the CLI and everything it
 * started (language host, program, provider, pack) are stopped together, by the group's PID.
 */
function runGroup(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
    return new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
        let stdout = "";
        let stderr = "";
        // Keep the ends: the summary and the error are there, and a 24,000-resource log is not needed.
        const keep = (text: string) => (text.length > 200_000 ? text.slice(-100_000) : text);
        child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout = keep(stdout + c)));
        child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr = keep(stderr + c)));
        let timedOut = false;
        const signal = (sig: NodeJS.Signals) => {
            try {
                if (child.pid) process.kill(-child.pid, sig);
            } catch {
                // The group is gone already.
            }
        };
        let killer: NodeJS.Timeout | undefined;
        const timer = setTimeout(() => {
            timedOut = true;
            signal("SIGTERM");
            killer = setTimeout(() => signal("SIGKILL"), 10_000);
        }, Math.max(1, timeoutMs));
        child.on("error", (error) => (stderr += `\ncould not start ${command}: ${error.message}\n`));
        child.on("close", (code) => {
            clearTimeout(timer);
            if (killer) clearTimeout(killer);
            // Whatever of the group outlived the CLI (e.g. after a timeout) goes with it.
            signal("SIGKILL");
            resolve({ code, ms: Date.now() - started, stdout, stderr, timedOut });
        });
    });
}

function stackEnv(ws: StackWorkspace, settings: Settings): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...ws.env, ...settings.env };
    for (const key of settings.unset) delete env[key];
    return env;
}

function packArgs(ws: StackWorkspace, settings: Settings): string[] {
    // ws.policy is ["--policy-pack", <policy/>, "--policy-pack-config", <file>]: the same config, the chosen pack.
    return ws.policy.map((arg, i) => (i > 0 && ws.policy[i - 1] === "--policy-pack" ? path.join(PROJECT, settings.packDir) : arg));
}

// ---------------------------------------------------------------------------------------------
// Recording the program: the objects the floor applies.

/** A rendered object and the tenant that owns it. */
interface Rendered extends FloorObject {
    key: string;
    tenant?: string;
    text: string;
}

async function renderObjects(dir: string, registry: Registry, config: Record<string, string>, secretKeys: string[]): Promise<Rendered[]> {
    const resources: RecordedResource[] = await recordInChild({
        programFile: path.join(PROJECT, "infra", "index.ts"),
        project: "tenancy",
        stack: "bench",
        cwd: PROJECT,
        keyFile: planKeyPath(),
        preview: true,
        config: { ...config, "tenancy:tenantsDir": dir },
        secretKeys,
        // Bounded by the bench's deadline too, like every CLI step.
        timeoutMs: Math.max(1, Math.min(30 * 60_000, remaining())),
    });
    const objects: Rendered[] = [];
    for (const r of inventory(resources, registry)) {
        if (!r.kube) continue;
        // Secrets unwrapped: the API server gets the values, as the provider sends them.
        const manifest = toPlain(r.kube.manifest, true) as Record<string, unknown>;
        const text = JSON.stringify(manifest);
        if (text.includes('"[computed]"')) throw new Error(`${r.kube.kind} ${r.kube.name} has a value only known after a deployment: the floor cannot apply it`);
        const key = `${r.kube.apiVersion}/${r.kube.kind}/${r.kube.namespace ?? ""}/${r.kube.name}`;
        objects.push({ apiVersion: r.kube.apiVersion, kind: r.kube.kind, name: r.kube.name, namespace: r.kube.namespace, manifest, key, tenant: r.tenant, text });
    }
    return objects;
}

// ---------------------------------------------------------------------------------------------
// Measurements.

type StepName = "preview" | "up" | "noChange" | "oneTenant";
const STEPS: StepName[] = ["preview", "up", "noChange", "oneTenant"];

interface StepResult {
    /** Wall time of every shard's run together. */
    ms?: number;
    /** Each shard's own time. */
    shardMs?: number[];
    /** Why there is no time. */
    failed?: string;
    /** Resources the engine reported per shard (created/updated/unchanged summary). */
    summary?: string;
}

interface Group {
    n: number;
    shards: number;
    settings: Settings;
    lever?: string;
    steps: Partial<Record<StepName, StepResult>>;
    resources?: number;
}

interface Floor {
    n: number;
    objects?: number;
    changedObjects?: number;
    scratch?: number;
    noChange?: number;
    oneTenant?: number;
    recordMs?: number;
    failed?: string;
}

interface Prepared {
    n: number;
    dir: string;
    registry: Registry;
    secrets: Record<string, unknown>;
    master: string;
    changedFile: string;
}

function prepare(n: number): Prepared {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tenancy-bench-preview-${n}-`));
    const secrets = generateRegistry(dir, n);
    const { registry, issues } = validateRegistry(dir);
    if (!registry || issues.length > 0) throw new Error(`the generated registry is invalid: ${issues[0]?.message}`);
    const changedFile = path.join(dir, `${CHANGED_SLUG}.yaml`);
    if (!fs.readFileSync(changedFile, "utf8").includes(CHANGED_FROM)) throw new Error(`${changedFile} has no "${CHANGED_FROM}" to change`);
    return { n, dir, registry, secrets, master: randomBytes(32).toString("hex"), changedFile };
}

function setChanged(p: Prepared, changed: boolean): void {
    const text = fs.readFileSync(p.changedFile, "utf8");
    fs.writeFileSync(p.changedFile, changed ? text.replace(CHANGED_FROM, CHANGED_TO) : text.replace(CHANGED_TO, CHANGED_FROM));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const firstLines = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n").filter(Boolean).slice(0, 3).join(" ").slice(0, 300);
const remaining = () => DEADLINE - Date.now();

async function measureFloor(p: Prepared): Promise<Floor> {
    const floor: Floor = { n: p.n };
    if (remaining() <= 0) return { ...floor, failed: "not run: past the bench's deadline" };
    let cluster: Cluster | undefined;
    try {
        const config = { "tenancy:secrets": JSON.stringify(p.secrets), "tenancy:natsMasterKey": p.master };
        const secretKeys = ["tenancy:secrets", "tenancy:natsMasterKey"];
        log(`${p.n} tenants: recording the program for the floor…`);
        const recordStart = Date.now();
        const objects = await renderObjects(p.dir, p.registry, config, secretKeys);
        floor.recordMs = Date.now() - recordStart;
        floor.objects = objects.length;
        // The one-tenant change, recorded as `tenancy plan --base` records it (that tenant alone, the
        // shared objects from the whole registry); what differs from the first recording is applied.
        const changedId = p.registry.entries.find((e) => e.tenant.slug === CHANGED_SLUG)!.tenant.id;
        setChanged(p, true);
        let after: Rendered[];
        try {
            after = await renderObjects(p.dir, validateRegistry(p.dir).registry!, { ...config, [PLAN_ONLY_KEY]: JSON.stringify([changedId]) }, secretKeys);
        } finally {
            setChanged(p, false);
        }
        const before = new Map(objects.map((o) => [o.key, o.text]));
        const changed = after.filter((o) => before.get(o.key) !== o.text);
        floor.changedObjects = changed.length;
        log(`${p.n} tenants: ${objects.length} objects (${changed.length} changed by the one-tenant edit: ${changed.map((o) => `${o.kind} ${o.name}`).join(", ")}); fresh control plane…`);
        cluster = await startCluster({ readyTimeoutMs: 180_000 });
        await platformPrerequisites(cluster);
        floor.scratch = (await applyObjects(cluster, objects)).ms;
        // Unlike the from-scratch apply (which needs an empty cluster), these repeat cheaply: the
        // median of three. The one-tenant change goes back and forth, so that each apply changes them.
        const original = objects.filter((o) => changed.some((c) => c.key === o.key));
        const noChange: number[] = [];
        const oneTenant: number[] = [];
        for (let i = 0; i < 3; i++) noChange.push((await applyObjects(cluster, objects)).ms);
        for (let i = 0; i < 3; i++) oneTenant.push((await applyObjects(cluster, i % 2 === 0 ? changed : original)).ms);
        floor.noChange = median(noChange);
        floor.oneTenant = median(oneTenant);
        log(`${p.n} tenants: floor from scratch ${seconds(floor.scratch)}, no change ${seconds(floor.noChange)}, one tenant ${seconds(floor.oneTenant)}`);
    } catch (error) {
        floor.failed = firstLines(error);
        log(`${p.n} tenants: the floor failed: ${floor.failed}`);
    } finally {
        await cluster?.stop();
    }
    return floor;
}

function summaryOf(stdout: string): string {
    // The update's last "Resources:" block, e.g. "+ 2417 created", "~ 2 updated", "2415 unchanged".
    const at = stdout.lastIndexOf("Resources:");
    if (at < 0) return "";
    const counts = [...stdout.slice(at, at + 400).matchAll(/([+~-]?\s*\d+) (created|updated|deleted|unchanged|to create|to update|to delete|replaced)/g)];
    return counts.map((m) => `${m[1].replace(/\s+/g, "")} ${m[2]}`).join(", ");
}

async function measureGroup(p: Prepared, shards: number, settings: Settings, lever?: string): Promise<Group> {
    const group: Group = { n: p.n, shards, settings, lever, steps: {} };
    const label = `${p.n} tenants, ${shards} stack${shards === 1 ? "" : "s"}, ${settings.name}`;
    if (remaining() <= 0) {
        for (const step of STEPS) group.steps[step] = { failed: "not run: past the bench's deadline" };
        return group;
    }
    let cluster: Cluster | undefined;
    const stacks: StackWorkspace[] = [];
    try {
        log(`${label}: fresh control plane, ${shards} stack${shards === 1 ? "" : "s"}…`);
        cluster = await startCluster({ readyTimeoutMs: 180_000 });
        await platformPrerequisites(cluster);
        const kubeconfig = fs.readFileSync(cluster.kubeconfigPath, "utf8");
        stacks.push(
            ...(await Promise.all(
                Array.from({ length: shards }, (_, index) =>
                    createStack(
                        [
                            { key: "tenancy:kubeconfig", value: kubeconfig, secret: true },
                            { key: "tenancy:tenantsDir", value: p.dir },
                            { key: "tenancy:secrets", value: JSON.stringify(p.secrets), secret: true },
                            { key: "tenancy:natsMasterKey", value: p.master, secret: true },
                            ...(shards > 1 ? [{ key: "tenancy:shard", value: JSON.stringify({ index, count: shards }) }] : []),
                            ...settings.config,
                        ],
                        `bench-${index}`,
                        shards > 1 ? { shard: { index, count: shards }, ...natsPins(p.master) } : {},
                    ),
                ),
            )),
        );
        const runAll = async (step: StepName, args: (ws: StackWorkspace) => string[]): Promise<boolean> => {
            if (remaining() <= 0) {
                group.steps[step] = { failed: "not run: past the bench's deadline" };
                return false;
            }
            const timeoutMs = Math.min(STEP_TIMEOUT_MS, remaining());
            const started = Date.now();
            const runs = await Promise.all(
                stacks.map((ws) => runGroup("pulumi", [...args(ws), "--stack", ws.stack, "--config-file", ws.configFile], PROJECT, stackEnv(ws, settings), timeoutMs)),
            );
            const ms = Date.now() - started;
            const bad = runs.findIndex((r) => r.code !== 0);
            if (bad >= 0) {
                const r = runs[bad];
                const why = r.timedOut ? `stopped after ${seconds(timeoutMs)}` : `exited ${r.code}`;
                const tail = `${r.stdout}\n${r.stderr}`.trim().split("\n").filter((l) => /error|fail|violat/i.test(l)).slice(-3).join(" ").slice(0, 300);
                group.steps[step] = { failed: `failed: shard ${bad} ${why}${tail ? `: ${tail}` : ""}`, shardMs: runs.map((x) => x.ms) };
                log(`${label}: ${step} ${group.steps[step]!.failed}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
                return false;
            }
            const summary = runs.map((r) => summaryOf(r.stdout)).join(" | ");
            group.steps[step] = { ms, shardMs: runs.map((r) => r.ms), summary };
            log(`${label}: ${step} ${seconds(ms)} (shards ${runs.map((r) => seconds(r.ms)).join(", ")}) ${summary}`);
            return true;
        };
        const withPack = (ws: StackWorkspace) => packArgs(ws, settings);
        await runAll("preview", (ws) => ["preview", ...settings.previewFlags, ...withPack(ws)]);
        const up = (ws: StackWorkspace) => ["up", ...settings.upFlags, ...withPack(ws)];
        if (await runAll("up", up)) {
            const created = (group.steps.up!.summary ?? "").match(/\+?(\d+) created/g) ?? [];
            group.resources = created.reduce((sum, m) => sum + Number(/(\d+)/.exec(m)![1]), 0) || undefined;
            await runAll("noChange", up);
            setChanged(p, true);
            try {
                await runAll("oneTenant", up);
            } finally {
                setChanged(p, false);
            }
        } else {
            group.steps.noChange = { failed: "not run: the from-scratch up failed" };
            group.steps.oneTenant = { failed: "not run: the from-scratch up failed" };
        }
    } catch (error) {
        const why = firstLines(error);
        log(`${label}: failed: ${why}`);
        for (const step of STEPS) group.steps[step] ??= { failed: `failed: ${why}` };
    } finally {
        await cluster?.stop();
        for (const ws of stacks) fs.rmSync(ws.dir, { recursive: true, force: true });
    }
    return group;
}

/** The project's registry: its size and the from-scratch and no-change `pulumi up` times. */
interface RegistryRuns {
    tenants?: number;
    resources?: number;
    scratchMs?: number;
    noChangeMs: number[];
    failed?: string;
}

async function measureProjectRegistry(): Promise<RegistryRuns> {
    const result: RegistryRuns = { noChangeMs: [] };
    const dir = path.join(PROJECT, "tenants");
    const { registry, issues } = validateRegistry(dir);
    if (!registry || issues.length > 0) return { ...result, failed: `the project's registry is invalid: ${issues[0]?.message}` };
    result.tenants = registry.entries.length;
    let cluster: Cluster | undefined;
    let ws: StackWorkspace | undefined;
    try {
        log(`the project's registry (${result.tenants} tenants): fresh control plane, one stack…`);
        cluster = await startCluster({ readyTimeoutMs: 180_000 });
        await platformPrerequisites(cluster);
        ws = await createStack(
            [
                { key: "tenancy:kubeconfig", value: fs.readFileSync(cluster.kubeconfigPath, "utf8"), secret: true },
                { key: "tenancy:tenantsDir", value: dir },
                { key: "tenancy:natsMasterKey", value: randomBytes(32).toString("hex"), secret: true },
            ],
            "bench-registry",
        );
        const stack = ws;
        const up = async (): Promise<Run> => {
            if (remaining() <= 0) throw new Error("not run: past the bench's deadline");
            const args = ["up", ...CONTRACT.upFlags, ...packArgs(stack, CONTRACT), "--stack", stack.stack, "--config-file", stack.configFile];
            const run = await runGroup("pulumi", args, PROJECT, stackEnv(stack, CONTRACT), Math.min(STEP_TIMEOUT_MS, remaining()));
            if (run.code !== 0) throw new Error(`pulumi up ${run.timedOut ? "timed out" : `exited ${run.code}`}: ${`${run.stdout}\n${run.stderr}`.trim().split("\n").slice(-3).join(" ").slice(0, 300)}`);
            return run;
        };
        const scratch = await up();
        result.scratchMs = scratch.ms;
        result.resources = Number(/\+\s*(\d+) created/.exec(summaryOf(scratch.stdout))?.[1]) || undefined;
        for (let i = 0; i < REGISTRY_RUNS; i++) result.noChangeMs.push((await up()).ms);
        log(`the project's registry: from scratch ${seconds(result.scratchMs)}, no change ${result.noChangeMs.map((ms) => seconds(ms)).join(", ")}`);
    } catch (error) {
        result.failed = firstLines(error);
        log(`the project's registry: failed: ${result.failed}`);
    } finally {
        await cluster?.stop();
        if (ws) fs.rmSync(ws.dir, { recursive: true, force: true });
    }
    return result;
}

function registryLine(r: RegistryRuns): string {
    const what = `The project's registry (\`tenants/\`, ${r.tenants ?? "?"} tenants${r.resources ? `, ${r.resources} resources` : ""}), one stack, documented settings`;
    if (r.failed && r.noChangeMs.length === 0) return `- ${what}: ${r.failed}.`;
    const sorted = [...r.noChangeMs].sort((a, b) => a - b);
    const noChange = sorted.length > 0 ? `; no-change \`pulumi up\` **${seconds(median(sorted))}** (median of ${sorted.length}: ${r.noChangeMs.map((ms) => seconds(ms)).join(", ")})` : "";
    return `- ${what}: from-scratch \`pulumi up\` ${r.scratchMs === undefined ? "not measured" : seconds(r.scratchMs)}${noChange}${r.failed ? `; then ${r.failed}` : ""}.`;
}

// ---------------------------------------------------------------------------------------------
// The table.

const FLOOR_OF: Record<StepName, keyof Floor | undefined> = { preview: undefined, up: "scratch", noChange: "noChange", oneTenant: "oneTenant" };

function cell(group: Group, step: StepName, floor: Floor | undefined): string {
    const r = group.steps[step];
    if (!r) return "–";
    if (r.ms === undefined) return r.failed ?? "–";
    const key = FLOOR_OF[step];
    // The preview is set against the from-scratch floor: it dry-runs every create the up then makes.
    const f = floor?.[key ?? "scratch"] as number | undefined;
    const ratio = f ? ` (${r.ms / f >= 100 ? Math.round(r.ms / f) : (r.ms / f).toFixed(1)}×)` : "";
    return `**${seconds(r.ms)}**${ratio}`;
}

function shardDetail(group: Group): string {
    if (group.shards === 1) return "–";
    return STEPS.map((step) => {
        const r = group.steps[step];
        return r?.shardMs ? `${step === "noChange" ? "no change" : step === "oneTenant" ? "one tenant" : step}: ${r.shardMs.map((ms) => seconds(ms)).join(" / ")}` : undefined;
    })
        .filter(Boolean)
        .join("; ");
}

function table(groups: Group[], floors: Floor[]): string {
    const lines = [
        "| N tenants | stacks (in parallel) | settings | resources | `pulumi preview --policy-pack` (× from-scratch floor) | from-scratch `up` (× floor) | no-change `up` (× floor) | one-tenant change `up` (× floor) | each shard's own time |",
        "|---|---|---|---|---|---|---|---|---|",
    ];
    for (const f of floors) {
        const text = f.failed
            ? `| ${f.n.toLocaleString("en")} | – | **floor**: server-side apply, ${FLOOR_IN_FLIGHT} in flight | ${f.objects ?? "–"} objects | – | ${f.failed} | | | |`
            : `| ${f.n.toLocaleString("en")} | – | **floor**: server-side apply, ${FLOOR_IN_FLIGHT} in flight | ${f.objects} objects | – | **${seconds(f.scratch!)}** | **${seconds(f.noChange!)}** | **${seconds(f.oneTenant!)}** (${f.changedObjects} objects) | – |`;
        lines.push(text);
        for (const g of groups.filter((x) => x.n === f.n)) {
            lines.push(
                `| ${g.n.toLocaleString("en")} | ${g.shards} | ${g.settings.name} | ${g.resources?.toLocaleString("en") ?? "–"} | ${STEPS.map((s) => cell(g, s, f)).join(" | ")} | ${shardDetail(g)} |`,
            );
        }
    }
    return lines.join("\n");
}

function ratioText(a?: number, b?: number): string {
    if (a === undefined || b === undefined) return "not measured";
    const change = a >= b ? `${(a / b).toFixed(1)}× faster` : `${(b / a).toFixed(1)}× slower`;
    return `${seconds(a)} → ${seconds(b)} (${change})`;
}

function leverLines(groups: Group[]): string[] {
    const lines: string[] = [];
    const stepNames: Record<StepName, string> = { preview: "preview", up: "from-scratch up", noChange: "no-change up", oneTenant: "one-tenant up" };
    const compare = (from: Group, to: Group) => STEPS.map((s) => `${stepNames[s]} ${ratioText(from.steps[s]?.ms, to.steps[s]?.ms)}`).join("; ");
    for (const base of groups.filter((g) => g.settings === BASELINE)) {
        const contract = groups.find((g) => g.n === base.n && g.shards === 1 && g.settings === CONTRACT);
        if (contract) lines.push(`- All the documented settings together, ${base.n.toLocaleString("en")} tenants in one stack (CLI defaults → documented settings): ${compare(base, contract)}.`);
    }
    for (const g of groups.filter((x) => x.settings === CONTRACT && x.shards > 1)) {
        const one = groups.find((x) => x.n === g.n && x.shards === 1 && x.settings === CONTRACT);
        if (one) lines.push(`- Sharding, ${g.n.toLocaleString("en")} tenants (1 stack → ${g.shards} in parallel): ${compare(one, g)}.`);
    }
    const measured = new Set<string>();
    for (const g of groups.filter((x) => x.lever)) {
        const contract = groups.find((x) => x.n === g.n && x.shards === 1 && x.settings === CONTRACT);
        if (!contract) continue;
        measured.add(g.lever!);
        lines.push(`- ${g.lever}, ${g.n.toLocaleString("en")} tenants in one stack (left out → documented settings): ${compare(g, contract)}.`);
    }
    const unmeasured = leverVariants().map((v) => v.lever).filter((l) => !measured.has(l));
    if (unmeasured.length > 0) lines.push(`- Not measured one by one in this run (BENCH_PREVIEW_LEVERS=1 does): ${unmeasured.join(", ")}.`);
    return lines;
}

function describe(settings: Settings): string {
    const env = Object.entries(settings.env).map(([k, v]) => `${k}=${v}`).join(" ");
    const config = settings.config.map((c) => `${c.key}=${c.value}`).join(" ");
    const pack = settings.packDir === SOURCE_PACK ? "`policy` (its sources, type-checked by run-policy-pack)" : `\`${settings.packDir}\` (${PACK_CURRENT ? "built from the current sources" : "an older build than the sources"})`;
    return `environment \`${env || "(none)"}\`, \`${["pulumi preview", ...settings.previewFlags].join(" ")}\`, \`${["pulumi up", ...settings.upFlags].join(" ")}\`, pack ${pack}${config ? `, stack config \`${config}\`` : ""}`;
}

function pulumiVersion(): Promise<string> {
    return runGroup("pulumi", ["version"], ROOT, { ...process.env, PATH: `${toolBinDir("pulumi")}${path.delimiter}${process.env.PATH}`, PULUMI_SKIP_UPDATE_CHECK: "true" }, 30_000).then(
        (r) => r.stdout.trim() || toolVersion("pulumi"),
    );
}

async function main(): Promise<void> {
    ensurePlanKey();
    const started = Date.now();
    const loadStart = os.loadavg();
    PROJECT = snapshotProject();
    log(`the project copied to ${PROJECT}`);
    const registryRuns = REGISTRY_RUNS > 0 ? await measureProjectRegistry() : undefined;
    const floors: Floor[] = [];
    const groups: Group[] = [];
    for (const n of SIZES) {
        const p = prepare(n);
        try {
            floors.push(await measureFloor(p));
            for (const shards of SHARDS) groups.push(await measureGroup(p, shards, CONTRACT));
            if (BASELINE_SIZES.includes(n)) groups.push(await measureGroup(p, 1, BASELINE));
            if (LEVER_SIZE === n) for (const v of leverVariants()) groups.push(await measureGroup(p, 1, v.settings, v.lever));
        } finally {
            fs.rmSync(p.dir, { recursive: true, force: true });
        }
    }
    fs.rmSync(PROJECT, { recursive: true, force: true });
    const loadEnd = os.loadavg();
    const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(" / ");
    const text = [
        "## The real engine against the floor: `pulumi preview` and `pulumi up` by N and shards",
        "",
        `\`npm run bench:preview\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, ` +
            `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average (1/5/15 min) ${load(loadStart)} at the start and ${load(loadEnd)} at the end ` +
            `(a machine shared with other test runs); the whole run took ${seconds(Date.now() - started)}. One run each. ` +
            `The Pulumi CLI ${await pulumiVersion()} and pulumi-resource-kubernetes ${toolVersion("pulumi-resource-kubernetes")} built by \`npm run tools\`, ` +
            `a local file backend, Kubernetes ${toolVersion("kubernetes")} (etcd, kube-apiserver, kube-controller-manager on 127.0.0.1) started fresh for the floor and for each row; ` +
            `generated registries (plans cycling free/standard/enterprise, two secrets each). Sharded rows run one stack per shard (\`tenancy:shard\`) at the same time, ` +
            `as the apply workflow does: their time is the wall time of all of them, each shard's own is in the last column.`,
        "",
        `- The floor: the Kubernetes objects the program renders (recorded as \`tenancy plan\` records it, secrets unwrapped) server-side applied straight to a fresh API server ` +
            `(PATCH \`application/apply-patch+yaml\`, force, ${FLOOR_IN_FLIGHT} requests in flight, Namespaces and other cluster-scoped objects first): from scratch, the same again (no change), ` +
            `and the objects that raising one tenant's agentLimit changes (its Namespace's annotation, its ResourceQuota; recorded as \`tenancy plan --base\` records a one-tenant change); ` +
            `the no-change and one-tenant floors are the median of three applies (the change applied back and forth), the from-scratch floor one apply. ` +
            `The floor of sharded rows is the same objects: the shards together declare them.`,
        `- Documented settings (contract/pulumi-run.ts): ${describe(CONTRACT)}.`,
        ...(groups.some((g) => g.settings === BASELINE) ? [`- CLI defaults (the baseline): ${describe(BASELINE)}; the same pack config.`] : []),
        ...(PROVIDER_CLIENT_LIMIT.length > 0
            ? [`- Every row runs the program as it is, with its own defaults: the provider's client limit \`tenancy:kubeClient\` = \`${JSON.stringify((stackConfigSchema.parse({}) as Record<string, unknown>).kubeClient)}\` unless a row sets it, and whatever the components declare (e.g. \`pulumi.com/skipAwait\` on active tenants' ResourceQuotas).`]
            : []),
        `- Steps: \`pulumi preview\` on the empty cluster, then a from-scratch \`pulumi up\`, a \`pulumi up\` with nothing changed, and a \`pulumi up\` after \`${CHANGED_SLUG}\`'s agentLimit went from 8 to 9 (within its standard plan); the preview's ratio is to the from-scratch floor.`,
        ...(registryRuns ? ["", registryLine(registryRuns)] : []),
        "",
        table(groups, floors),
        "",
        "What each lever bought, where measured in this run:",
        "",
        ...leverLines(groups),
    ].join("\n");
    process.stdout.write(`${text}\n`);
    if (process.argv.includes("--write")) writeSection(path.join(ROOT, "BENCHMARKS.md"), "preview", text);
}

main().catch((error: unknown) => {
    process.stderr.write(`bench:preview: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
});
