// `npm run bench:incremental`: what a pull request's plan costs when it adds or edits one tenant of
// a large registry (BENCH_INCREMENTAL_SIZES, default 1000,3000). In one run per size, in a git
// repository holding the generated registry: `tenancy plan` of the whole registry (the full plan),
// then, after editing one tenant and adding one, `tenancy plan --base HEAD` (only those two are
// planned) and the same with --full. Wall time and peak RSS; the target is the one-tenant
// plan at ≤ 5% of the full plan. A benchmark, never a test: `--write` puts the table into BENCHMARKS.md.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gb, seconds, writeSection } from "./markdown";
import { generateRegistry } from "./registry";
import { peakRss, type Sampled } from "./rss";

const ROOT = path.resolve(__dirname, "..");
const SIZES = (process.env.BENCH_INCREMENTAL_SIZES ?? "1000,3000").split(",").map(Number);
const WITH_FULL_BASE = process.env.BENCH_INCREMENTAL_FULL_BASE !== "0";

interface Row {
    n: number;
    full: Sampled;
    partial: Sampled;
    fullBase?: Sampled;
}

function plan(tenantsDir: string, args: string[]): Promise<Sampled> {
    return peakRss(() =>
        spawn(process.execPath, [path.join(ROOT, "bin", "tenancy.js"), "plan", "--tenants", tenantsDir, "--quiet", "--format", "json", ...args], {
            cwd: ROOT,
            stdio: ["ignore", "ignore", "inherit"],
        }),
    );
}

async function measure(n: number): Promise<Row> {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), `tenancy-bench-incremental-${n}-`));
    const tenants = path.join(repo, "tenants");
    try {
        fs.mkdirSync(tenants);
        generateRegistry(tenants, n);
        const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
        git("init", "-q");
        git("-c", "user.email=bench@example.com", "-c", "user.name=bench", "add", "-A");
        git("-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-q", "-m", "registry");
        process.stderr.write(`bench:incremental: ${n} tenants: full plan…\n`);
        const full = await plan(tenants, []);
        const first = path.join(tenants, "t00000.yaml");
        fs.writeFileSync(first, fs.readFileSync(first, "utf8").replace(/agentLimit: (\d+)/, (_, v) => `agentLimit: ${Number(v) - 1}`));
        fs.writeFileSync(path.join(tenants, "newcomer.yaml"), ["id: org_newcomer1", "slug: newcomer", "displayName: Newcomer", "plan: free", "agentLimit: 2", ""].join("\n"));
        process.stderr.write(`bench:incremental: ${n} tenants: --base HEAD (two tenants changed)…\n`);
        const partial = await plan(tenants, ["--base", "HEAD"]);
        let fullBase: Sampled | undefined;
        if (WITH_FULL_BASE) {
            process.stderr.write(`bench:incremental: ${n} tenants: --base HEAD --full…\n`);
            fullBase = await plan(tenants, ["--base", "HEAD", "--full"]);
        }
        return { n, full, partial, fullBase };
    } finally {
        fs.rmSync(repo, { recursive: true, force: true });
    }
}


async function main(): Promise<void> {
    const rows: Row[] = [];
    for (const n of SIZES) rows.push(await measure(n));
    const lines = [
        "## One-tenant plans: `tenancy plan --base` of a registry-only change",
        "",
        `\`npm run bench:incremental\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores, ` +
            `${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os.loadavg()[0].toFixed(1)} at the end; one run per size. ` +
            "A git repository holding N generated tenants; the change edits one tenant and adds one. Peak RSS is summed over the plan's processes.",
        "",
        "| N tenants | full plan (no --base) | `--base HEAD`: 2 tenants planned | one-tenant / full | `--base HEAD --full` | peak RSS: full / one-tenant |",
        "|---|---|---|---|---|---|",
        ...rows.map(
            (r) =>
                `| ${r.n.toLocaleString("en")} | ${seconds(r.full.ms)} | ${seconds(r.partial.ms)} | ${((100 * r.partial.ms) / r.full.ms).toFixed(1)}% | ${r.fullBase ? seconds(r.fullBase.ms) : "–"} | ${gb(r.full.rss)} / ${gb(r.partial.rss)} |`,
        ),
    ];
    const text = lines.join("\n");
    process.stdout.write(`${text}\n`);
    if (process.argv.includes("--write")) writeSection(path.join(ROOT, "BENCHMARKS.md"), "incremental", text);
}

main().catch((error: unknown) => {
    process.stderr.write(`bench:incremental: ${(error as Error).message}\n`);
    process.exitCode = 1;
});
