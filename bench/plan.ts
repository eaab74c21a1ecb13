// `npm run bench`: what a plan costs at N = 1,000, 3,000 and 10,000 tenants (BENCH_SIZES), next to
// the SDK's floor (the same resources registered raw under the same recording monitor, in one
// process, with no components, registry or policies), in one run so the ratios compare like with
// like on a noisy machine: the whole plan (in shards above the shard size), its memory (the highest
// sum of its live processes' RSS), and the one-tenant plan of a pull request (`--base` with one
// tenant changed). The one-pass plan runs for comparison up to BENCH_ONE_PASS_MAX tenants, the floor
// up to BENCH_FLOOR_MAX (both need memory in proportion to the registry). Up to the same size it
// measures where the CPU goes: the floor's, the plan's by process, and the protocol floor (the plan's
// own resources registered raw, and analyzed by the real plugin process running rules that do
// nothing), which bounds how fast any plan can be on this machine's cores. A benchmark, never a test:
// `--write` puts the tables into BENCHMARKS.md.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePlanKey, planKeyPath, recordInChild, STACK_TYPE, type RecordedResource } from "../cli/engine";
import { keyCachePath } from "../cli/plan/key-cache";
import { parseCacheDir } from "../cli/plan/parse-cache";
import { DEFAULT_SHARD_SIZE } from "../cli/plan/shards";
import { validateRegistry } from "../registry";
import { gb, seconds, writeSection } from "./markdown";
import { generateRegistry } from "./registry";
import { analyzeAtProtocolFloor, withV8HeapGrowth, type ProtocolAnalysis } from "./protocol-floor";
import { peakRss, type Sampled } from "./rss";

const ROOT = path.resolve(__dirname, "..");
// A benchmark's own master key, made per run: the keys it derives are never used anywhere.
const BENCH_MASTER_KEY = randomBytes(32).toString("hex");
const SIZES = (process.env.BENCH_SIZES ?? "1000,3000,10000").split(",").map(Number);
const ONE_PASS_MAX = Number(process.env.BENCH_ONE_PASS_MAX ?? 1000);
const FLOOR_MAX = Number(process.env.BENCH_FLOOR_MAX ?? 3000);

interface Row {
    n: number;
    plan: PlanSample;
    onePass?: PlanSample;
    floor?: Sampled;
    /** Measured with the floor. */
    protocolFloor?: ProtocolFloor;
    /** The one-tenant plan with the plan's caches emptied first (the registry's parse, the pinned keys), as on a fresh CI runner. */
    oneTenantCold: Sampled;
    /** The same plan again, with the caches the cold one wrote. */
    oneTenant: Sampled;
}

/** The whole plan, and what it reports on stderr. */
interface PlanSample extends Sampled {
    resources: number;
    programMs: number;
    tailMs: number;
    /** `K shards of at most S tenants, P at a time`, when it ran in shards. */
    shards?: string;
}

/**
 * What a plan cannot do without, on its own recording (no secret values, as the plan runs): every
 * resource registered raw with its parent (no program code), and analyzed at the protocol floor
 * (protocol-floor.ts).
 */
interface ProtocolFloor extends ProtocolAnalysis {
    /** Resources of the recording, and how many of them are custom. */
    resources: number;
    custom: number;
    /** CPU time of the raw registration (every process of it). */
    registrationCpuMs: number;
}

function git(repo: string, ...args: string[]): void {
    execFileSync("git", ["-c", "user.email=bench@example.com", "-c", "user.name=bench", ...args], { cwd: repo, stdio: "pipe" });
}

async function wholePlan(tenantsDir: string, args: string[] = []): Promise<PlanSample> {
    let stderr = "";
    const sample = await peakRss(() => {
        const child = spawn(process.execPath, [path.join(ROOT, "bin", "tenancy.js"), "plan", "--tenants", tenantsDir, "--format", "json", ...args], {
            cwd: ROOT,
            stdio: ["ignore", "ignore", "pipe"],
        });
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        return child;
    });
    // "tenancy plan: N resources in T s (program P s while the policy pack started in S s; analysis A s)"
    const m = /tenancy plan: (\d+) resources in [\d.]+ s \(program ([\d.]+) s while .*; analysis ([\d.]+) s\)/.exec(stderr);
    if (!m) throw new Error(`the plan reported no timings:\n${stderr.slice(-2000)}`);
    const shards = / in (\d+ shards of at most \d+ tenants, \d+ at a time)/.exec(stderr)?.[1];
    return { ...sample, resources: Number(m[1]), programMs: Number(m[2]) * 1000, tailMs: Number(m[3]) * 1000, shards };
}

// One recording of the project's program over the registry, in a child, as a preview.
function recordRegistry(programFile: string, tenantsDir: string, keyFile: string, secrets: unknown): Promise<RecordedResource[]> {
    return recordInChild({
        programFile, project: "tenancy", stack: "bench", cwd: ROOT, keyFile, preview: true,
        config: { "tenancy:tenantsDir": tenantsDir, "tenancy:secrets": JSON.stringify(secrets), "tenancy:natsMasterKey": BENCH_MASTER_KEY },
        secretKeys: ["tenancy:secrets", "tenancy:natsMasterKey"],
    });
}

// The floor: the plan's resources recorded once in one child, then registered raw in another.
async function floor(tenantsDir: string, keyFile: string, secrets: unknown): Promise<Sampled> {
    return registerRaw(await recordRegistry(path.join(ROOT, "infra", "index.ts"), tenantsDir, keyFile, secrets), tenantsDir, keyFile, secrets);
}

// A recording registered raw (bench/floor-program.ts) in a child of its own: the floor's custom
// resources alone; or, `whole`, every resource with its parent, as the program registers them.
async function registerRaw(resources: RecordedResource[], tenantsDir: string, keyFile: string, secrets: unknown, whole = false): Promise<Sampled & { resources: number }> {
    // Outside the registry's repository: a file there would make the one-tenant plan plan every tenant.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-bench-raw-"));
    try {
        const raw = path.join(dir, "raw-resources.json");
        const listed = whole
            ? resources
                  .filter((r) => r.type !== STACK_TYPE)
                  .map((r) => ({ type: r.type, name: r.name, inputs: r.custom ? r.inputs : {}, component: !r.custom, urn: r.urn, parent: r.parent }))
            : resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
        fs.writeFileSync(raw, JSON.stringify(listed));
        process.env.TENANCY_BENCH_RAW = raw;
        let registered = 0;
        const sample = await peakRss(() =>
            recordRegistry(path.join(__dirname, "floor-program.ts"), tenantsDir, keyFile, secrets).then((r) => {
                registered = r.length;
            }),
        );
        return { ...sample, resources: registered };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

// The plan's own recording (no secret values, as the plan runs), registered raw whole and analyzed
// at the protocol floor, both with V8's own heap growth.
async function protocolFloor(tenantsDir: string, keyFile: string): Promise<ProtocolFloor> {
    const resources = await recordRegistry(path.join(ROOT, "infra", "index.ts"), tenantsDir, keyFile, {});
    const registration = await withV8HeapGrowth(() => registerRaw(resources, tenantsDir, keyFile, {}, true));
    if (registration.resources !== resources.length) {
        throw new Error(`the raw registration made ${registration.resources} resources where the recording has ${resources.length}`);
    }
    return { resources: resources.length, custom: resources.filter((r) => r.custom).length, registrationCpuMs: registration.cpuMs, ...(await analyzeAtProtocolFloor(resources)) };
}

async function measure(n: number, keyFile: string): Promise<Row> {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), `tenancy-bench-${n}-`));
    const tenants = path.join(repo, "tenants");
    try {
        fs.mkdirSync(tenants);
        const secrets = generateRegistry(tenants, n);
        const { issues } = validateRegistry(tenants);
        if (issues.length) throw new Error(`generated registry is invalid: ${issues[0].message}`);
        git(repo, "init", "-q");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "registry");
        process.stderr.write(`bench: ${n} tenants: whole plan…\n`);
        const plan = await wholePlan(tenants);
        let onePass: PlanSample | undefined;
        if (n <= ONE_PASS_MAX) {
            process.stderr.write(`bench: ${n} tenants: whole plan in one pass (--shard-size ${n})…\n`);
            onePass = await wholePlan(tenants, ["--shard-size", String(n)]);
        }
        let floorSample: Sampled | undefined;
        let protocol: ProtocolFloor | undefined;
        if (n <= FLOOR_MAX) {
            process.stderr.write(`bench: ${n} tenants: SDK floor…\n`);
            floorSample = await floor(tenants, keyFile, secrets);
            process.stderr.write(`bench: ${n} tenants: protocol floor (the real pack, rules that do nothing)…\n`);
            protocol = await protocolFloor(tenants, keyFile);
        }
        process.stderr.write(`bench: ${n} tenants: one-tenant plan (--base HEAD, one tenant edited)…\n`);
        const first = path.join(tenants, "t00000.yaml");
        fs.writeFileSync(first, fs.readFileSync(first, "utf8").replace(/agentLimit: (\d+)/, (_, v) => `agentLimit: ${Number(v) - 1}`));
        const oneTenantPlan = () =>
            peakRss(() =>
                spawn(process.execPath, [path.join(ROOT, "bin", "tenancy.js"), "plan", "--tenants", tenants, "--base", "HEAD", "--quiet", "--format", "json"], {
                    cwd: ROOT,
                    stdio: ["ignore", "ignore", "inherit"],
                }),
            );
        fs.rmSync(parseCacheDir(ROOT), { recursive: true, force: true });
        fs.rmSync(keyCachePath(planKeyPath()), { force: true });
        const oneTenantCold = await oneTenantPlan();
        const oneTenant = await oneTenantPlan();
        return { n, plan, onePass, floor: floorSample, protocolFloor: protocol, oneTenantCold, oneTenant };
    } finally {
        fs.rmSync(repo, { recursive: true, force: true });
    }
}

function table(rows: Row[]): string {
    const lines = [
        "| N tenants | resources | shards | whole plan (its shards; stack-wide check and report) | peak RSS (live sum) | sum of per-process peaks | SDK floor (peak RSS) | plan / floor | one pass (peak RSS) | one-tenant plan: empty caches / cached (peak RSS) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ];
    for (const r of rows) {
        lines.push(
            `| ${r.n.toLocaleString("en")} | ${r.plan.resources.toLocaleString("en")} | ${r.plan.shards ?? "one pass"} | ${seconds(r.plan.ms)} (${seconds(r.plan.programMs)}; ${seconds(r.plan.tailMs)}) | ` +
                `${gb(r.plan.rss)} | ${gb(r.plan.peaks)} | ${r.floor ? `${seconds(r.floor.ms)} (${gb(r.floor.rss)})` : "not run"} | ${r.floor ? `${(r.plan.ms / r.floor.ms).toFixed(2)}×` : "–"} | ` +
                `${r.onePass ? `${seconds(r.onePass.ms)} (${gb(r.onePass.rss)})` : "not run"} | ${seconds(r.oneTenantCold.ms)} / ${seconds(r.oneTenant.ms)} (${gb(r.oneTenantCold.rss)} / ${gb(r.oneTenant.rss)}) |`,
        );
    }
    lines.push("");
    for (const r of rows) {
        const roles = new Map<string, { count: number; max: number }>();
        for (const p of r.plan.processes) {
            const seen = roles.get(p.role) ?? { count: 0, max: 0 };
            roles.set(p.role, { count: seen.count + 1, max: Math.max(seen.max, p.rss) });
        }
        const shown = [...roles].map(([role, { count, max }]) => `${count > 1 ? `${count} × ` : ""}${role} (${count > 1 ? "largest " : ""}${gb(max)})`).join(", ");
        lines.push(`- ${r.n.toLocaleString("en")} tenants, the plan's processes and their peaks: ${shown}.`);
    }
    const measured = rows.filter((r) => r.floor && r.protocolFloor);
    if (measured.length === 0) return lines.join("\n");
    const cores = os.availableParallelism();
    lines.push(
        "",
        `Where the CPU goes (user and system time of every process and thread, polled from /proc). The protocol floor takes the ` +
            `plan's own recording (no secret values, as the plan runs) and does with it only what no plan can leave out, with V8's own heap ` +
            `growth: registers every resource raw with its parent, as the program does but without the program's code; then sends each ` +
            `resource to the real plugin process with Analyze and all of them once with AnalyzeStack, over grpc-js, the pack's rules doing ` +
            `nothing (\`bench/protocol-floor-pack\`). The lower bound is the CPU of the registration, of the pack and of the calls (not the ` +
            `encoding, which is the plan's own code), divided by the ${cores} cores: what any plan that records with the SDK and analyzes ` +
            `with the real pack needs at least, before its components' code, its rules and its own work.`,
        "",
        `| N tenants | SDK floor: wall, CPU | whole plan: wall, CPU (recording children; packs; plan) | protocol floor: resources (custom), raw registration CPU, analysis wall, the pack's CPU (the client's: encoding; calls) | lower bound on ${cores} cores | lower bound / floor |`,
        "|---|---|---|---|---|---|",
    );
    for (const r of measured) {
        const floorSample = r.floor!;
        const protocol = r.protocolFloor!;
        const byRole = (role: string) => r.plan.processes.filter((p) => p.role === role).reduce((sum, p) => sum + p.cpuMs, 0);
        const boundMs = (protocol.registrationCpuMs + protocol.packCpuMs + protocol.callsCpuMs) / cores;
        lines.push(
            `| ${r.n.toLocaleString("en")} | ${seconds(floorSample.ms)}, ${seconds(floorSample.cpuMs)} | ${seconds(r.plan.ms)}, ${seconds(r.plan.cpuMs)} ` +
                `(${seconds(byRole("recording child"))}; ${seconds(byRole("policy pack"))}; ${seconds(byRole("plan"))}) | ` +
                `${protocol.resources.toLocaleString("en")} (${protocol.custom.toLocaleString("en")}), ${seconds(protocol.registrationCpuMs)}, ` +
                `${seconds(protocol.ms)}, ${seconds(protocol.packCpuMs)} (${seconds(protocol.encodeCpuMs)}; ${seconds(protocol.callsCpuMs)}) | ` +
                `${seconds(boundMs)} | ${(boundMs / floorSample.ms).toFixed(2)}× |`,
        );
    }
    return lines.join("\n");
}

async function main(): Promise<void> {
    ensurePlanKey();
    const keyFile = planKeyPath();
    const rows: Row[] = [];
    const failed: string[] = [];
    for (const n of SIZES) {
        try {
            rows.push(await measure(n, keyFile));
        } catch (error) {
            // A size that does not fit (e.g. out of memory) is reported, not allowed to lose the others.
            const message = (error instanceof Error ? error.message : String(error)).split("\n").slice(0, 3).join(" ");
            process.stderr.write(`bench: ${n} tenants failed: ${message}\n`);
            failed.push(`- ${n.toLocaleString("en")} tenants: the run failed: ${message}`);
        }
        // After every size, so a long run stopped early keeps what it measured.
        report(rows, failed, n !== SIZES[SIZES.length - 1]);
    }
}

function report(rows: Row[], failed: string[], partial: boolean): void {
    const text =
        `## \`tenancy plan\` at scale\n\n` +
        `\`npm run bench\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.availableParallelism()} cores, ` +
        `${Math.round(os.totalmem() / 2 ** 30)} GiB shared with other work, load average ${os.loadavg()[0].toFixed(1)} at the end. One run per size; ` +
        `generated registries cycle free/standard/enterprise with two secrets each (\`tenancy plan\` runs without their values, so it ` +
        `declares two Secrets of each tenant fewer than the floor). The whole plan is \`tenancy plan\` with its defaults: above ` +
        `${DEFAULT_SHARD_SIZE} tenants it runs in shards (\`--shard-size\`). Peak RSS is the highest sum, polled every 50 ms, of the RSS of the ` +
        `processes alive at once (the plan, its recording children and its packs); the sum of every process's own peak is shown too, though ` +
        `a plan in shards runs its short-lived children one after another. The one pass (\`--shard-size N\`) ` +
        `${ONE_PASS_MAX > 0 ? `runs up to ${ONE_PASS_MAX.toLocaleString("en")} tenants` : "did not run (BENCH_ONE_PASS_MAX=0)"} and the floor (one process recording ` +
        `every resource) up to ${FLOOR_MAX.toLocaleString("en")} tenants: both need memory in proportion to the registry. The one-tenant plan is \`--base HEAD\` with one tenant edited, first with the plan's caches emptied (the registry's parse in node_modules/.cache/tenancy-parse, the pinned NATS keys next to the plan key), as on a fresh CI runner, then again with the caches that run wrote.${partial ? " (Sizes still running when this was written are missing.)" : ""}\n\n${table(rows)}\n${failed.map((f) => `${f}\n`).join("")}`;
    if (!partial) process.stdout.write(`${text}\n`);
    if (process.argv.includes("--write")) writeSection(path.join(ROOT, "BENCHMARKS.md"), "plan", text);
}

main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
});
