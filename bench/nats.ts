/**
 * NATS benchmark (not a test): for N tenants (default 1,000) measures generation time, config size,
 * nats-server start time and RSS, reload time with one connected client per tenant, and connect
 * latency, each as a median over a few runs and, where a baseline makes sense, as a ratio to it.
 *
 *   npx tsx bench/nats.ts [--tenants 1000] [--runs 3] [--write]
 *
 * `--write` replaces the NATS section of BENCHMARKS.md with the figures. Every server runs on
 * 127.0.0.1 on a free port in its own temp dir and is stopped by PID.
 */
import { connect, nkeyAuthenticator, type NatsConnection } from "nats";
import { CONFIGMAP_MAX_BYTES } from "../contract";
import { fromSeed } from "nkeys.js";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { authorizationSize, permissionStructure, placeholderUserNkey, renderAuthorization, renderJson, tenantAccountSpec, userNkeyFromBase64, type UserNkey } from "../components/nats-spec";
import { loadRegistry, type Plan } from "../registry";
import { ensureNatsServer, natsServerVersion, startNats, type RunningNats } from "../test/nats/server";

interface Options {
    tenants: number;
    runs: number;
    write: boolean;
}

function parseArgs(argv: string[]): Options {
    const options: Options = { tenants: 1000, runs: 3, write: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const number = (name: string) => {
            const value = Number(argv[++i]);
            if (!Number.isInteger(value) || value < 1) {
                console.error(`${name} needs a whole number ≥ 1, got ${argv[i] ?? "nothing"}`);
                process.exit(2);
            }
            return value;
        };
        if (arg === "--tenants") options.tenants = number("--tenants");
        else if (arg === "--runs") options.runs = number("--runs");
        else if (arg === "--write") options.write = true;
        else {
            console.error(`unknown argument ${arg}; usage: npx tsx bench/nats.ts [--tenants N] [--runs R] [--write]`);
            process.exit(2);
        }
    }
    return options;
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

interface Fleet {
    keys: UserNkey[];
    platform: UserNkey;
    json: string;
    permissionsJson: string;
}

const PLAN_NAMES = ["free", "standard", "enterprise"];
/** Connections per run to the one-tenant baseline server (enough for a stable median). */
const BASELINE_CONNECTS = 250;

/** Registry-shaped tenants cycling through the plans, with opaque ids and DNS-label slugs. */
function tenantsFor(n: number) {
    return Array.from({ length: n }, (_, i) => ({ id: `org_b${i.toString(36).padStart(6, "0")}`, slug: `t${String(i).padStart(5, "0")}`, plan: PLAN_NAMES[i % 3] }));
}

/** Builds specs, structure and both documents for the tenants (the work NatsAuthorization does). */
function generate(tenants: ReturnType<typeof tenantsFor>, plans: Record<string, Plan>, keys: UserNkey[], platform: UserNkey): Fleet {
    const specs = tenants.map((t) => tenantAccountSpec(t, plans[t.plan]));
    const structure = permissionStructure(specs);
    const byAccount = Object.fromEntries(specs.map((s, i) => [s.account, keys[i].publicKey]));
    return { keys, platform, json: renderAuthorization(structure, { platform: platform.publicKey, tenants: byAccount }), permissionsJson: renderJson(structure) };
}

function rssKiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

async function connectAs(server: RunningNats, key: UserNkey): Promise<NatsConnection> {
    return connect({ servers: server.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(key.seed)), reconnect: false, timeout: 10_000 });
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    const bin = ensureNatsServer();
    const plans = loadRegistry(path.resolve(__dirname, "../tenants")).plans.plans;
    const n = options.tenants;
    const tenants = tenantsFor(n);
    const log = (line: string) => console.log(line);
    log(`NATS benchmark: ${n} tenants, ${options.runs} runs, ${natsServerVersion(bin)}, Node ${process.version}, ${os.cpus().length} cores`);

    // 1. Key derivation and generation (pure; what NatsAccount/NatsAuthorization compute).
    const bytes = tenants.map(() => randomBytes(32).toString("base64"));
    const deriveTimes: number[] = [];
    let keys: UserNkey[] = [];
    for (let r = 0; r < options.runs; r++) {
        const t0 = performance.now();
        keys = bytes.map(userNkeyFromBase64);
        deriveTimes.push(performance.now() - t0);
    }
    const platform = userNkeyFromBase64(randomBytes(32).toString("base64"));
    const genTimes: number[] = [];
    let fleet!: Fleet;
    for (let r = 0; r < options.runs + 2; r++) {
        const t0 = performance.now();
        fleet = generate(tenants, plans, keys, platform);
        genTimes.push(performance.now() - t0);
    }
    // Linearity: the same work for 10× the tenants (keys are placeholders; only generation is timed).
    const big = tenantsFor(n * 10);
    const bigKeys = big.map((_, i) => ({ seed: "", publicKey: placeholderUserNkey(i + 1) }));
    const genBigTimes: number[] = [];
    for (let r = 0; r < options.runs; r++) {
        const t0 = performance.now();
        generate(big, plans, bigKeys, platform);
        genBigTimes.push(performance.now() - t0);
    }
    const authBytes = Buffer.byteLength(fleet.json);
    const permBytes = Buffer.byteLength(fleet.permissionsJson);
    const structure = JSON.parse(fleet.permissionsJson);
    if (authorizationSize(structure) !== authBytes) throw new Error("authorizationSize disagrees with the rendered auth.json");
    // Each document has its own ConfigMap; the larger per-tenant one bounds the tenant count.
    const capacity = Math.floor(CONFIGMAP_MAX_BYTES / (Math.max(authBytes, permBytes) / n));
    log(`generation: ${ms(median(genTimes))} (keys ${ms(median(deriveTimes))}); ${n * 10} tenants: ${ms(median(genBigTimes))}`);
    log(`size: auth.json ${kib(authBytes)}, permissions.json ${kib(permBytes)}; each ConfigMap within 1 MiB up to ≈${capacity} tenants`);

    // 2. Server start time and RSS, against a baseline config with the PLATFORM account only.
    const baseline = generate([], plans, [], platform);
    const starts: number[] = [];
    const rss: number[] = [];
    const baseStarts: number[] = [];
    const baseRss: number[] = [];
    for (let r = 0; r < options.runs; r++) {
        for (const [doc, startList, rssList] of [
            [fleet.json, starts, rss],
            [baseline.json, baseStarts, baseRss],
        ] as const) {
            const server = await startNats(bin, doc, { readyTimeoutMs: 60_000 });
            try {
                startList.push(server.startMs);
                rssList.push(rssKiB(server.pid));
            } finally {
                await server.stop();
            }
        }
    }
    log(`start: ${ms(median(starts))} (baseline ${ms(median(baseStarts))}); RSS ${mib(median(rss))} (baseline ${mib(median(baseRss))})`);

    // 3. Connect latency, reload with one client per tenant, RSS with them connected.
    const connectTimes: number[] = [];
    const baseConnectTimes: number[] = [];
    const reloads: number[] = [];
    const baseReloads: number[] = [];
    const rssConnected: number[] = [];
    let survived = true;
    for (let r = 0; r < options.runs; r++) {
        // Baseline: the same number of connections to a one-tenant server.
        const single = generate(tenants.slice(0, 1), { ...plans, [tenants[0].plan]: { ...plans[tenants[0].plan], nats: { ...plans.enterprise.nats, maxConnections: n + 10 } } }, keys.slice(0, 1), platform);
        const one = await startNats(bin, single.json, { readyTimeoutMs: 60_000 });
        const oneConns: NatsConnection[] = [];
        try {
            for (let i = 0; i < Math.min(n, BASELINE_CONNECTS); i++) {
                const t0 = performance.now();
                oneConns.push(await connectAs(one, keys[0]));
                baseConnectTimes.push(performance.now() - t0);
            }
        } finally {
            await Promise.all(oneConns.map((c) => c.close()));
            await one.stop();
        }

        const server = await startNats(bin, fleet.json, { readyTimeoutMs: 60_000 });
        const conns: NatsConnection[] = [];
        try {
            baseReloads.push(await server.reload(fleet.json, 120_000));
            for (let i = 0; i < n; i++) {
                const t0 = performance.now();
                conns.push(await connectAs(server, keys[i]));
                connectTimes.push(performance.now() - t0);
            }
            rssConnected.push(rssKiB(server.pid));
            // /connz pages its list; `total` counts every client connection.
            const before = (await server.monitor("/connz?limit=1")).total;
            reloads.push(await server.reload(fleet.json, 120_000));
            await Promise.all(conns.map((c) => c.flush()));
            const after = (await server.monitor("/connz?limit=1")).total;
            if (before !== n || after !== n || conns.some((c) => c.isClosed())) survived = false;
        } finally {
            await Promise.all(conns.map((c) => (c.isClosed() ? undefined : c.close())));
            await server.stop();
        }
    }
    // What the client spends signing the server's nonce (nats.js signs with nkeys.js, pure JS).
    const signTimes: number[] = [];
    const signer = fromSeed(new TextEncoder().encode(keys[0].seed));
    for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        signer.sign(new TextEncoder().encode(`nonce-${i}`));
        signTimes.push(performance.now() - t0);
    }
    log(`connect: median ${ms(median(connectTimes))}, p95 ${ms(percentile(connectTimes, 95))} (baseline one-tenant server ${ms(median(baseConnectTimes))})`);
    log(`reload: ${ms(median(reloads))} with ${n} clients (baseline, no clients: ${ms(median(baseReloads))}); all ${n} connections survived: ${survived}`);
    log(`RSS with ${n} clients: ${mib(median(rssConnected))}`);

    const rows: Array<[string, string, string]> = [
        ["Generation (specs + permissions.json + auth.json)", ms(median(genTimes)), `${ms(median(genBigTimes))} for ${n * 10} tenants (${ratio(median(genBigTimes), median(genTimes))} for 10×); ${((median(genTimes) / n) * 1000).toFixed(0)} → ${((median(genBigTimes) / (n * 10)) * 1000).toFixed(0)} µs per tenant`],
        ["nkey derivation (32 random bytes → user nkey)", ms(median(deriveTimes)), `${((median(deriveTimes) / n) * 1000).toFixed(0)} µs per tenant`],
        ["auth.json size (ConfigMap nats-accounts)", kib(authBytes), `${(authBytes / n).toFixed(0)} B per tenant; ${((authBytes / CONFIGMAP_MAX_BYTES) * 100).toFixed(0)}% of the 1 MiB ConfigMap limit`],
        ["permissions.json size (ConfigMap nats-authorization)", kib(permBytes), `${(permBytes / n).toFixed(0)} B per tenant; ${((permBytes / CONFIGMAP_MAX_BYTES) * 100).toFixed(0)}% of the limit; both fit up to ≈${capacity} tenants`],
        ["Server start (spawn → accepting)", ms(median(starts)), `${ratio(median(starts), median(baseStarts))} of PLATFORM-only (${ms(median(baseStarts))})`],
        ["Server RSS after start", mib(median(rss)), `${ratio(median(rss), median(baseRss))} of PLATFORM-only (${mib(median(baseRss))})`],
        [`Server RSS with ${n} clients`, mib(median(rssConnected)), `+${mib(median(rssConnected) - median(rss))} for ${n} connections`],
        [`Reload (SIGHUP → reloaded) with ${n} clients`, ms(median(reloads)), `${ratio(median(reloads), median(baseReloads))} of no clients (${ms(median(baseReloads))}); connections kept: ${survived ? `all ${n}` : "NOT ALL"}`],
        ["Connect latency (nkey auth), median", ms(median(connectTimes)), `${ratio(median(connectTimes), median(baseConnectTimes))} of a one-tenant server (${ms(median(baseConnectTimes))}); p95 ${ms(percentile(connectTimes, 95))}`],
        ["Client-side nonce signature (nkeys.js, pure JS), measured alone", ms(median(signTimes)), "client-side CPU, independent of the tenant count"],
    ];
    const section = [
        "<!-- nats:begin (generated by `npx tsx bench/nats.ts --write`) -->",
        "## NATS authorization",
        "",
        `${n} tenants cycling through free/standard/enterprise, one nkey user each; real nats-server ${natsServerVersion(bin).replace(/^nats-server: /, "")} on 127.0.0.1,`,
        `Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end (shared machine), ${new Date().toISOString().slice(0, 10)}. Medians of ${options.runs} runs (generation: ${options.runs + 2}); connect latency over ${n} connections per run (baseline: ${Math.min(n, BASELINE_CONNECTS)}).`,
        "",
        "| measure | value | baseline / ratio |",
        "|---|---|---|",
        ...rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
        "",
        "- Start and reload are timed from spawn/SIGHUP until the server accepts a connection / logs `Reloaded server configuration`.",
        "- nkey users cost no password hashing on reload; existing connections stay open (verified via `/connz` before and after).",
        "<!-- nats:end -->",
    ].join("\n");
    log("");
    log(section);
    if (!survived) process.exitCode = 1;

    if (options.write) {
        const file = path.resolve(__dirname, "../BENCHMARKS.md");
        const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n\nFigures measured on the project's reference machine; each section says how to reproduce it.\n";
        const pattern = /<!-- nats:begin[\s\S]*?<!-- nats:end -->/;
        const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
        fs.writeFileSync(file, next);
        log(`\nwrote the NATS section of ${path.relative(process.cwd(), file)}`);
    }
}

main().catch((error: Error) => {
    console.error(`bench/nats: ${error.message}`);
    process.exit(1);
});
