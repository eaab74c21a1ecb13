/**
 * NATS benchmark (not a test): N tenant accounts (default 10,000) in operator mode on a real
 * nats-server — generation time, object sizes, server start time and RSS, memory per loaded
 * account, reload time and the time until a new tenant's account is usable — as medians over a few
 * runs and, where a baseline makes sense, as ratios to it.
 *
 *   npx tsx bench/nats.ts [--tenants 10000] [--runs 3] [--write]
 *
 * `--write` replaces the NATS section of BENCHMARKS.md with the figures. Every server runs on
 * 127.0.0.1 on a free port in its own temp dir and is stopped by PID.
 */
import { connect, credsAuthenticator, type NatsConnection } from "nats";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { CONFIGMAP_MAX_BYTES, natsAccountConfKey, OPERATOR_CONF_KEY } from "../contract";
import { tenantMaterial } from "../components/nats-material";
import { tenantAccountSpec } from "../components/nats-spec";
import { loadRegistry } from "../registry";
import { MASTER, serverFiles, type TestTenant } from "../test/nats/fixture";
import { natsServerBinary, natsServerVersion, startNats, type RunningNats } from "../test/nats/server";

interface Options {
    tenants: number;
    runs: number;
    write: boolean;
}

function parseArgs(argv: string[]): Options {
    const options: Options = { tenants: 10_000, runs: 3, write: false };
    for (let i = 0; i < argv.length; i++) {
        const number = (name: string, least: number) => {
            const value = Number(argv[++i]);
            if (!Number.isInteger(value) || value < least) {
                console.error(`${name} needs a whole number ≥ ${least}, got ${argv[i] ?? "nothing"}`);
                process.exit(2);
            }
            return value;
        };
        if (argv[i] === "--tenants") options.tenants = number("--tenants", LOADED * 2);
        else if (argv[i] === "--runs") options.runs = number("--runs", 1);
        else if (argv[i] === "--write") options.write = true;
        else {
            console.error(`unknown argument ${argv[i]}; usage: npx tsx bench/nats.ts [--tenants N] [--runs R] [--write]`);
            process.exit(2);
        }
    }
    return options;
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`;
const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
const PLAN_NAMES = ["free", "standard", "enterprise"];
const plans = loadRegistry(path.resolve(__dirname, "../tenants")).plans.plans;
/** Tenants connected to measure the memory of a loaded account (each connection loads its account). */
const LOADED = 500;

/** Tenant `i`: cycling through the plans, with an opaque id and a DNS-label slug. */
function tenant(i: number): TestTenant {
    const plan = PLAN_NAMES[i % PLAN_NAMES.length];
    const spec = tenantAccountSpec({ id: `org_b${i.toString(36).padStart(6, "0")}`, slug: `t${String(i).padStart(5, "0")}`, plan }, plans[plan]);
    return { spec, material: tenantMaterial(spec, MASTER, 1) };
}

function rssKiB(pid: number): number {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
}

async function login(server: RunningNats, t: TestTenant): Promise<NatsConnection> {
    return connect({ servers: server.url, authenticator: credsAuthenticator(new TextEncoder().encode(t.material.creds)), reconnect: false, timeout: 30_000 });
}

/** Starts a server on `fleet`, adds `newcomer` by reload and connects as it: start, RSS, reload and usable times. */
async function cycle(bin: string, fleet: TestTenant[], newcomer: TestTenant, loaded: number) {
    const server = await startNats(bin, serverFiles(fleet), { readyTimeoutMs: 300_000 });
    const open: NatsConnection[] = [];
    try {
        const rss = rssKiB(server.pid);
        for (const t of fleet.slice(0, loaded)) open.push(await login(server, t));
        const rssLoaded = rssKiB(server.pid);
        const t0 = performance.now();
        const reloadMs = await server.reload(serverFiles([...fleet, newcomer]), 300_000);
        open.push(await login(server, newcomer));
        await open.at(-1)!.flush();
        return { startMs: server.startMs, rss, rssLoaded, reloadMs, usableMs: performance.now() - t0 };
    } finally {
        await Promise.all(open.map((c) => c.close()));
        await server.stop();
    }
}

/** What the program derives and renders (keys, JWTs, creds, files) for n and n/10 tenants, `runs` times. */
function measureGeneration(n: number, runs: number) {
    const gen = (count: number) => {
        const t0 = performance.now();
        const fleet = Array.from({ length: count }, (_, i) => tenant(i));
        const files = serverFiles(fleet);
        return { fleet, files, ms: performance.now() - t0 };
    };
    const big = Array.from({ length: runs }, () => gen(n));
    const small = Array.from({ length: runs }, () => gen(n / 10).ms);
    const { fleet, files } = big[0];
    const accountBytes = fleet.map((t) => Buffer.byteLength(files[natsAccountConfKey(t.spec.tenantId)]));
    const operatorBytes = Buffer.byteLength(files[OPERATOR_CONF_KEY]);
    const perInclude = (operatorBytes - Buffer.byteLength(serverFiles([])[OPERATOR_CONF_KEY])) / n;
    return { fleet, genMs: median(big.map((r) => r.ms)), smallMs: median(small), accountBytes, operatorBytes, perInclude };
}

/** n accounts against n/10 (linearity) and 10 (fixed cost), `runs` times, each run adding one tenant by reload. */
async function measureServer(bin: string, fleet: TestTenant[], runs: number, log: (line: string) => void) {
    const sizes = { big: fleet.length, tenth: fleet.length / 10, small: 10 };
    const results: Record<keyof typeof sizes, Awaited<ReturnType<typeof cycle>>[]> = { big: [], tenth: [], small: [] };
    for (let r = 0; r < runs; r++) {
        for (const [size, count] of Object.entries(sizes) as Array<[keyof typeof sizes, number]>) {
            results[size].push(await cycle(bin, fleet.slice(0, count), tenant(fleet.length + r), size === "big" ? LOADED : Math.min(count, 10)));
        }
        const b = results.big[r];
        log(`run ${r + 1}: start ${ms(b.startMs)} (${ms(results.tenth[r].startMs)}, ${ms(results.small[r].startMs)}), new account usable ${ms(b.usableMs)} (${ms(results.tenth[r].usableMs)}, ${ms(results.small[r].usableMs)})`);
    }
    const summary = (rs: Awaited<ReturnType<typeof cycle>>[]) => {
        const m = (k: keyof (typeof rs)[number]) => median(rs.map((x) => x[k]));
        return { startMs: m("startMs"), rss: m("rss"), rssLoaded: m("rssLoaded"), reloadMs: m("reloadMs"), usableMs: m("usableMs") };
    };
    return { big: summary(results.big), tenth: summary(results.tenth), small: summary(results.small) };
}

function tableRows(n: number, g: ReturnType<typeof measureGeneration>, s: Awaited<ReturnType<typeof measureServer>>): Array<[string, string, string]> {
    const fixed = g.operatorBytes - g.perInclude * n;
    const biggest = Math.max(...g.accountBytes);
    return [
        [`Generation (keys, JWTs, creds, files) for ${n} accounts`, ms(g.genMs), `${ratio(g.genMs, g.smallMs)} the time of ${n / 10} accounts for 10× the accounts; ${((g.genMs / n) * 1000).toFixed(0)} µs per account`],
        ["Account file (one ConfigMap per tenant)", `${biggest} B at most`, `median ${median(g.accountBytes)} B; ${((biggest / CONFIGMAP_MAX_BYTES) * 100).toFixed(2)}% of a ConfigMap's 1 MiB`],
        [`operator.conf (shared ConfigMap) for ${n} accounts`, `${(g.operatorBytes / 1024).toFixed(0)} KiB`, `${g.perInclude.toFixed(0)} B per tenant (its include line); 1 MiB at ≈${Math.floor((CONFIGMAP_MAX_BYTES - fixed) / g.perInclude)} tenants`],
        ["Server start (spawn → accepting)", ms(s.big.startMs), `${ratio(s.big.startMs, s.tenth.startMs)} of ${n / 10} accounts (${ms(s.tenth.startMs)}) for 10× the accounts; ${ms(s.small.startMs)} with 10`],
        ["Server RSS after start", mib(s.big.rss), `${ratio(s.big.rss, s.tenth.rss)} of ${n / 10} accounts (${mib(s.tenth.rss)}); ${mib(s.small.rss)} with 10; accounts load when first used`],
        [`Memory per loaded account (${LOADED} tenants connected)`, `${((s.big.rssLoaded - s.big.rss) / LOADED).toFixed(0)} KiB`, `account and one connection each; RSS ${mib(s.big.rssLoaded)} with ${LOADED} connected`],
        ["Reload adding one account (SIGHUP → reloaded)", ms(s.big.reloadMs), `${ratio(s.big.reloadMs, s.tenth.reloadMs)} of ${n / 10} accounts (${ms(s.tenth.reloadMs)}); ${ms(s.small.reloadMs)} with 10`],
        ["New tenant's account usable (files written → its first connection flushed)", ms(s.big.usableMs), `${ratio(s.big.usableMs, s.tenth.usableMs)} of ${n / 10} accounts (${ms(s.tenth.usableMs)}); ${ms(s.small.usableMs)} with 10`],
    ];
}

function section(n: number, runs: number, bin: string, rows: Array<[string, string, string]>): string {
    return [
        "<!-- nats:begin (generated by `npx tsx bench/nats.ts --write`) -->",
        "## NATS operator mode",
        "",
        `${n} tenant accounts cycling through free/standard/enterprise, each an account JWT preloaded into a MEMORY resolver from its own`,
        `file, on nats-server ${natsServerVersion(bin).replace(/^nats-server: /, "")} (built by \`npm run tools\`) on 127.0.0.1, Node ${process.version}, ${os.cpus().length} cores, load average`,
        `${os.loadavg()[0].toFixed(1)} at the end (shared machine), ${new Date().toISOString().slice(0, 10)}. Medians of ${runs} runs; ratios compare with the same steps for a tenth of the accounts.`,
        "",
        "| measure | value | ratio / detail |",
        "|---|---|---|",
        ...rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
        "",
        "- Start is timed from spawn until the server accepts a connection; reload from SIGHUP until it logs `Reloaded server configuration`;",
        "  a new account is usable once the client's first connection with its `.creds` has flushed (files written, SIGHUP, reload, connect).",
        "- `test/nats/scale.e2e.test.ts` loads the same 10,000 accounts in `npm test` and checks that sampled tenants connect within their subjects.",
        "<!-- nats:end -->",
    ].join("\n");
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    const bin = natsServerBinary();
    const n = options.tenants;
    const log = (line: string) => console.log(line);
    log(`NATS benchmark: ${n} tenant accounts, ${options.runs} runs, ${natsServerVersion(bin)}, Node ${process.version}, ${os.cpus().length} cores`);
    const g = measureGeneration(n, options.runs);
    log(`generation: ${ms(g.genMs)} (${ms(g.smallMs)} for ${n / 10}); operator.conf ${(g.operatorBytes / 1024).toFixed(0)} KiB, account files ${Math.max(...g.accountBytes)} B at most`);
    const s = await measureServer(bin, g.fleet, options.runs, log);
    const text = section(n, options.runs, bin, tableRows(n, g, s));
    log(`\n${text}`);
    if (options.write) {
        const file = path.resolve(__dirname, "../BENCHMARKS.md");
        const current = fs.readFileSync(file, "utf8");
        const pattern = /<!-- nats:begin[\s\S]*?<!-- nats:end -->/;
        fs.writeFileSync(file, pattern.test(current) ? current.replace(pattern, text) : `${current.trimEnd()}\n\n${text}\n`);
        log(`\nwrote the NATS section of ${path.relative(process.cwd(), file)}`);
    }
}

main().catch((error: Error) => {
    console.error(`bench/nats: ${error.message}`);
    process.exit(1);
});
