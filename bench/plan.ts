// `npm run bench`: what a plan costs at N = 100, 1,000 and 3,000 tenants, phase by phase, next to
// the SDK's floor (the same resources registered raw under the same recording monitor, with no
// components, registry or policies), in one run so the ratios compare like with like on a noisy
// machine. A benchmark, never a test: `--write` puts the table into BENCHMARKS.md.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { analyzeRecording } from "../cli/plan/policy";
import { ensurePlanKey, planKeyPath, recordInChild, startPolicyPack, type RecordedResource } from "../cli/engine";
import { validateRegistry } from "../registry";
import { gb, seconds, writeSection } from "./markdown";
import { generateRegistry } from "./registry";
import { peakRss, type Sampled } from "./rss";

const ROOT = path.resolve(__dirname, "..");
// A benchmark's own master key, made per run: the keys it derives are never used anywhere.
const BENCH_MASTER_KEY = randomBytes(32).toString("hex");
const SIZES = (process.env.BENCH_SIZES ?? "100,1000,3000").split(",").map(Number);

interface Row {
    n: number;
    resources: number;
    validate: Sampled;
    register: Sampled;
    policy: Sampled;
    plan: PlanSample;
    floor: Sampled;
}

// Registry load and validation in a process of its own, so its peak RSS is its own.
function validateInChild(dir: string): Promise<Sampled> {
    return peakRss(() => spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(__dirname, "validate-child.ts"), dir], { stdio: "inherit" }));
}

async function record(programFile: string, tenantsDir: string, keyFile: string, secrets: unknown): Promise<{ sample: Sampled; resources: RecordedResource[] }> {
    let resources: RecordedResource[] = [];
    const sample = await peakRss(() => {
        const promise = recordInChild({
            programFile, project: "tenancy", stack: "bench", cwd: ROOT, keyFile, preview: true,
            config: { "tenancy:tenantsDir": tenantsDir, "tenancy:secrets": JSON.stringify(secrets), "tenancy:natsMasterKey": BENCH_MASTER_KEY },
            secretKeys: ["tenancy:secrets", "tenancy:natsMasterKey"],
        }).then((r) => (resources = r));
        return promise;
    });
    return { sample, resources };
}

async function policy(resources: RecordedResource[]): Promise<Sampled> {
    const host = await startPolicyPack({ packDir: path.join(ROOT, "policy") });
    try {
        // Only the evaluation is timed: the pack's start runs in parallel with the program in a plan.
        return await peakRss(() => analyzeRecording(host, resources).then(() => undefined), host.pid);
    } finally {
        await host.stop();
    }
}

/** The whole plan, and the phases it reports on stderr (`program … s`, `analysis … s` after the recording). */
interface PlanSample extends Sampled {
    programMs: number;
    tailMs: number;
}

async function wholePlan(tenantsDir: string): Promise<PlanSample> {
    let stderr = "";
    const sample = await peakRss(() => {
        const child = spawn(process.execPath, [path.join(ROOT, "bin", "tenancy.js"), "plan", "--tenants", tenantsDir, "--format", "json"], {
            cwd: ROOT,
            stdio: ["ignore", "ignore", "pipe"],
        });
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        return child;
    });
    // "tenancy plan: N resources in T s (program P s while the policy pack started in S s; analysis A s)"
    const m = /program ([\d.]+) s while .*; analysis ([\d.]+) s\)/.exec(stderr);
    if (!m) throw new Error(`the plan reported no timings:\n${stderr.slice(-2000)}`);
    return { ...sample, programMs: Number(m[1]) * 1000, tailMs: Number(m[2]) * 1000 };
}

async function measure(n: number, keyFile: string): Promise<Row> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tenancy-bench-${n}-`));
    try {
        const secrets = generateRegistry(dir, n);
        const { issues } = validateRegistry(dir);
        if (issues.length) throw new Error(`generated registry is invalid: ${issues[0].message}`);
        process.stderr.write(`bench: ${n} tenants: validation…\n`);
        const validate = await validateInChild(dir);
        process.stderr.write(`bench: ${n} tenants: program registration…\n`);
        const registered = await record(path.join(ROOT, "infra", "index.ts"), dir, keyFile, secrets);
        process.stderr.write(`bench: ${n} tenants: policy evaluation (${registered.resources.length} resources)…\n`);
        const evaluated = await policy(registered.resources);
        process.stderr.write(`bench: ${n} tenants: whole plan…\n`);
        const plan = await wholePlan(dir);
        process.stderr.write(`bench: ${n} tenants: SDK floor…\n`);
        const raw = path.join(dir, "raw-resources.json");
        fs.writeFileSync(raw, JSON.stringify(registered.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }))));
        process.env.TENANCY_BENCH_RAW = raw;
        const floor = await record(path.join(__dirname, "floor-program.ts"), dir, keyFile, secrets);
        return { n, resources: registered.resources.length, validate, register: registered.sample, policy: evaluated, plan, floor: floor.sample };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function table(rows: Row[]): string {
    const lines = [
        "| N tenants | resources | validation | registration | policy evaluation | whole plan (its recording; analysis after it) | SDK floor | plan / floor | policy / registration | plan peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ];
    for (const r of rows) {
        lines.push(
            `| ${r.n.toLocaleString("en")} | ${r.resources.toLocaleString("en")} | ${seconds(r.validate.ms)} | ${seconds(r.register.ms)} (${gb(r.register.rss)}) | ` +
                `${seconds(r.policy.ms)} (${gb(r.policy.rss)}) | ${seconds(r.plan.ms)} (${seconds(r.plan.programMs)}; ${seconds(r.plan.tailMs)}) | ${seconds(r.floor.ms)} (${gb(r.floor.rss)}) | ` +
                `${(r.plan.ms / r.floor.ms).toFixed(2)}× | ${(r.policy.ms / r.register.ms).toFixed(2)}× | ${gb(r.plan.rss)} |`,
        );
    }
    lines.push("");
    for (const r of rows) {
        lines.push(`- Peak RSS of the whole plan at ${r.n.toLocaleString("en")} tenants, per process: ${r.plan.processes.map((p) => `${p.role} ${gb(p.rss)}`).join(", ")}.`);
    }
    const at = (n: number) => rows.find((r) => r.n === n);
    const [k1, k3] = [at(1000), at(3000)];
    if (k1 && k3) lines.push(`- 3,000 / 1,000: ${(k3.plan.ms / k1.plan.ms).toFixed(2)}× in time, ${(k3.plan.rss / k1.plan.rss).toFixed(2)}× in peak RSS.`);
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
    }
    const text =
        `## \`tenancy plan\` at scale\n\n` +
        `\`npm run bench\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores, ` +
        `${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os.loadavg()[0].toFixed(1)} at the end. One run per size; ` +
        `generated registries cycle free/standard/enterprise with two secrets each (the whole plan runs \`tenancy plan\` without their values, so it ` +
        `declares the two Secrets of each tenant fewer than the registration and the floor). Peak RSS is the sum of the peaks of the ` +
        `processes involved (the plan, its recording child and the policy pack), polled every 100 ms.\n\n${table(rows)}\n${failed.map((f) => `${f}\n`).join("")}`;
    process.stdout.write(`${text}\n`);
    if (process.argv.includes("--write")) writeSection(path.join(ROOT, "BENCHMARKS.md"), "plan", text);
}

main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
});
