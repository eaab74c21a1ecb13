// `npm run bench:preview`: what the real engine costs per stack, so the README can say when to
// shard. For each N (BENCH_PREVIEW_SIZES, default 100,1000) and each shard count (BENCH_SHARDS,
// default 1,2), a fresh control plane (etcd, kube-apiserver, kube-controller-manager on 127.0.0.1),
// one stack per shard in a throwaway file backend, and for each stack: `pulumi preview
// --policy-pack` (the real pack, configured as `tenancy pack-config` prints it), `pulumi up`, and
// the size of `pulumi stack export`. A benchmark, never a test: `--write` puts the table into
// BENCHMARKS.md. Needs `npm run tools`.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { natsPins } from "../cli/plan/pack-config";
import { platformPrerequisites, startCluster } from "../test/e2e/support/cluster";
import { createStack, pulumi, runBounded, type StackWorkspace } from "../test/e2e/support/stack";
import { writeSection } from "./markdown";
import { generateRegistry } from "./registry";

const SIZES = (process.env.BENCH_PREVIEW_SIZES ?? "100,1000").split(",").map(Number);
const SHARDS = (process.env.BENCH_SHARDS ?? "1,2").split(",").map(Number);
// Above this many tenants only the preview runs: an update of thousands of objects takes the better part of an hour here.
const UP_MAX = Number(process.env.BENCH_PREVIEW_UP_MAX ?? "300");
const TIMEOUT_MS = 3 * 60 * 60 * 1000;

interface StackRow {
    n: number;
    shards: number;
    index: number;
    /** Resources in the state after the update (undefined when only the preview ran). */
    resources?: number;
    previewMs: number;
    upMs?: number;
    stateBytes?: number;
}

async function timed(ws: StackWorkspace, args: string[]): Promise<number> {
    const started = Date.now();
    const run = await pulumi(ws, args, { timeoutMs: TIMEOUT_MS });
    if (run.code !== 0) throw new Error(`pulumi ${args.join(" ")} on ${ws.stack} exited ${run.code}\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`);
    return Date.now() - started;
}

async function stateOf(ws: StackWorkspace): Promise<{ bytes: number; resources: number }> {
    const run = await runBounded("pulumi", ["stack", "export", "--stack", ws.stack, "--non-interactive"], { cwd: ws.dir, env: ws.env, timeoutMs: 600_000 });
    if (run.code !== 0) throw new Error(`pulumi stack export exited ${run.code}: ${run.stderr}`);
    return { bytes: Buffer.byteLength(run.stdout), resources: (JSON.parse(run.stdout) as { deployment: { resources: unknown[] } }).deployment.resources.length };
}

async function measure(n: number, shards: number): Promise<StackRow[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-bench-preview-"));
    const secrets = generateRegistry(dir, n);
    const master = randomBytes(32).toString("hex");
    const cluster = await startCluster();
    const rows: StackRow[] = [];
    try {
        await platformPrerequisites(cluster);
        // Shard 0 first: the shards are disjoint, so the order changes nothing but the log.
        for (let index = 0; index < shards; index++) {
            const ws = await createStack(
                [
                    { key: "tenancy:kubeconfig", value: fs.readFileSync(cluster.kubeconfigPath, "utf8"), secret: true },
                    { key: "tenancy:tenantsDir", value: dir },
                    { key: "tenancy:secrets", value: JSON.stringify(secrets), secret: true },
                    { key: "tenancy:natsMasterKey", value: master, secret: true },
                    ...(shards > 1 ? [{ key: "tenancy:shard", value: JSON.stringify({ index, count: shards }) }] : []),
                ],
                `bench-${index}`,
                shards > 1 ? { shard: { index, count: shards }, ...natsPins(master) } : {},
            );
            process.stderr.write(`bench:preview: ${n} tenants, shard ${index} of ${shards}: preview…\n`);
            const previewMs = await timed(ws, ["preview", ...ws.policy]);
            process.stderr.write(`bench:preview:   preview ${(previewMs / 1000).toFixed(1)} s\n`);
            if (n > UP_MAX) {
                rows.push({ n, shards, index, resources: undefined, previewMs });
            } else {
                const upMs = await timed(ws, ["up", "--yes", "--skip-preview", ...ws.policy]);
                const state = await stateOf(ws);
                process.stderr.write(`bench:preview:   up ${(upMs / 1000).toFixed(1)} s; state ${(state.bytes / 1e6).toFixed(1)} MB, ${state.resources} resources\n`);
                rows.push({ n, shards, index, resources: state.resources, previewMs, upMs, stateBytes: state.bytes });
            }
            fs.rmSync(ws.dir, { recursive: true, force: true });
        }
    } finally {
        await cluster.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    }
    return rows;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function table(rows: StackRow[]): string {
    const lines = [
        "| N tenants | stacks | stack | `pulumi preview --policy-pack` | preview / the whole stack's | `pulumi up` | resources in state | state (`stack export`) |",
        "|---|---|---|---|---|---|---|---|",
    ];
    for (const r of rows) {
        const whole = rows.find((w) => w.n === r.n && w.shards === 1);
        const ratio = whole ? `${(r.previewMs / whole.previewMs).toFixed(2)}×` : "–";
        const state = r.stateBytes === undefined ? "–" : `${mb(r.stateBytes)} (${(r.stateBytes / 1e3 / (r.resources ?? 1)).toFixed(2)} kB per resource)`;
        lines.push(`| ${r.n} | ${r.shards} | ${r.shards === 1 ? "whole" : `shard ${r.index}`} | ${s(r.previewMs)} | ${ratio} | ${r.upMs === undefined ? "not run" : s(r.upMs)} | ${r.resources ?? "–"} | ${state} |`);
    }
    return lines.join("\n");
}

async function main(): Promise<void> {
    const rows: StackRow[] = [];
    for (const n of SIZES) for (const shards of SHARDS) rows.push(...(await measure(n, shards)));
    const text = [
        "## The real engine per stack: `pulumi preview` and `pulumi up` by N and shards",
        "",
        `\`npm run bench:preview\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
            `load average ${os.loadavg()[0].toFixed(1)} at the end; one run each. The Pulumi CLI ${"3.248.0"} and the Kubernetes provider built by \`npm run tools\`, a local file backend, a fresh control plane per row group on 127.0.0.1, generated registries (plans cycling free/standard/enterprise, two secrets each); the shards of one N are deployed one after the other into the same control plane.`,
        "",
        table(rows),
    ].join("\n");
    process.stdout.write(`${text}\n`);
    if (process.argv.includes("--write")) writeSection(path.resolve(__dirname, "..", "BENCHMARKS.md"), "preview", text);
}

main().catch((error: unknown) => {
    process.stderr.write(`bench:preview: ${(error as Error).message}\n`);
    process.exit(1);
});
