/**
 * Test helper: finds (or, as root, installs) the Debian `nats-server`, starts it on 127.0.0.1 on a free
 * port in its own temp dir, waits until it accepts connections and stops it by PID. Never skips: a
 * machine without nats-server where we cannot install it fails with the command to run.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** How to get nats-server when the helper cannot install it itself. */
export const INSTALL_HINT = "nats-server is required by the NATS end-to-end tests: run `sudo apt-get update && sudo apt-get install -y nats-server` (Debian/Ubuntu) or put a nats-server ≥ 2.9 binary on PATH";

const SEARCH_DIRS = ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"];

function findIn(dirs: string[]): string | undefined {
    for (const dir of dirs.filter(Boolean)) {
        const candidate = path.join(dir, "nats-server");
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not here; keep looking
        }
    }
    return undefined;
}

function apt(args: string[]): { ok: boolean; output: string } {
    // Bounded: a hung mirror must not hang the suite forever.
    const result = spawnSync("apt-get", args, {
        encoding: "utf8",
        timeout: 300_000,
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}`.slice(-2000) };
}

/** Where ensureNatsServer looks and whether it may install; the defaults are the real machine. */
export interface EnsureOptions {
    /** Directories searched for nats-server. @default PATH plus /usr/sbin, /usr/bin, /usr/local/bin, /usr/local/sbin */
    dirs?: string[];
    /** Whether the process may install packages. @default the process runs as root */
    root?: boolean;
}

/** Returns the path of nats-server, installing the Debian package when missing and running as root; throws with install instructions otherwise. */
export function ensureNatsServer(options: EnsureOptions = {}): string {
    const find = () => findIn(options.dirs ?? [...(process.env.PATH ?? "").split(path.delimiter), ...SEARCH_DIRS]);
    const found = find();
    if (found) return found;
    const isRoot = options.root ?? (typeof process.getuid === "function" && process.getuid() === 0);
    if (!isRoot) throw new Error(`nats-server not found and not running as root, so it cannot be installed automatically. ${INSTALL_HINT}`);
    let install = apt(["install", "-y", "nats-server"]);
    if (!install.ok) {
        // A fresh container has no package lists: refresh them once and retry.
        const update = apt(["update"]);
        if (!update.ok) throw new Error(`apt-get update failed:\n${update.output}\n${INSTALL_HINT}`);
        install = apt(["install", "-y", "nats-server"]);
    }
    const installed = find();
    if (!install.ok || !installed) throw new Error(`apt-get install -y nats-server failed:\n${install.output}\n${INSTALL_HINT}`);
    return installed;
}

/** Version line of the nats-server binary, e.g. "nats-server: v2.9.10". */
export function natsServerVersion(bin: string): string {
    return spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 10_000 }).stdout.trim();
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            const port = typeof address === "object" && address ? address.port : 0;
            server.close(() => resolve(port));
        });
    });
}

/** Resolves once a TCP connection to 127.0.0.1:port succeeds and the server sends its INFO line; rejects after timeoutMs. */
export async function waitForNats(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child && child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode} before accepting connections`);
        const ok = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, "127.0.0.1");
            const done = (value: boolean) => {
                socket.destroy();
                resolve(value);
            };
            socket.setTimeout(500, () => done(false));
            socket.once("data", (data) => done(data.toString().startsWith("INFO ")));
            socket.once("error", () => done(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`nats-server did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/**
 * Server-wide settings the main config must carry next to the include: the largest payload any
 * plan grants (the server caps every account's max_payload at its own, 1 MiB by default).
 */
export const MAIN_CONFIG = "max_payload: 8388608\n";

/** A nats-server started by the tests. */
export interface RunningNats {
    /** Client URL, nats://127.0.0.1:<port>. */
    url: string;
    /** Client port. */
    port: number;
    /** Monitoring port (127.0.0.1), for /varz and /connz. */
    monitorPort: number;
    /** GETs a monitoring endpoint, e.g. "/connz?acc=org_acme000", as parsed JSON. */
    monitor(pathAndQuery: string): Promise<any>;
    /** PID of the server process. */
    pid: number;
    /** The server's temp dir holding nats.conf and auth.json. */
    dir: string;
    /** Milliseconds from spawn until the server accepted a connection. */
    startMs: number;
    /** Replaces auth.json and signals the server to reload; resolves once the server logged the reload. */
    reload(authJson: string, timeoutMs?: number): Promise<number>;
    /** Everything the server logged so far. */
    log(): string;
    /** Stops the server by PID and removes its temp dir. */
    stop(): Promise<void>;
}

/** Options of startNats. */
export interface StartNatsOptions {
    /** Milliseconds to wait for the server to accept connections. @default 15000 */
    readyTimeoutMs?: number;
}

/**
 * Writes nats.conf (which `include`s auth.json exactly as the Helm chart's config does) and
 * auth.json into a fresh temp dir, starts nats-server on 127.0.0.1 and a free port, and waits for it.
 */
export async function startNats(bin: string, authJson: string, options: StartNatsOptions = {}): Promise<RunningNats> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-nats-"));
    const port = await freePort();
    const monitorPort = await freePort();
    fs.writeFileSync(path.join(dir, "auth.json"), authJson);
    // The main config only sets the listener and includes the generated authorization, like the chart does.
    fs.writeFileSync(path.join(dir, "nats.conf"), `host: "127.0.0.1"\nport: ${port}\nhttp: "127.0.0.1:${monitorPort}"\n${MAIN_CONFIG}include ./auth.json\n`);
    const started = Date.now();
    const child = spawn(bin, ["-c", path.join(dir, "nats.conf")], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    // Log written since the current reload's SIGHUP, while one is in flight.
    let tap: string | undefined;
    const collect = (chunk: Buffer) => {
        if (tap !== undefined) tap += chunk.toString();
        output += chunk.toString();
        if (output.length > 1_000_000) output = output.slice(-500_000);
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
        await waitForNats(port, options.readyTimeoutMs ?? 15_000, child);
    } catch (error) {
        if (child.exitCode === null) process.kill(child.pid!, "SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`${(error as Error).message}\n--- nats-server output ---\n${output.slice(-4000)}`);
    }
    const startMs = Date.now() - started;
    const pid = child.pid!;
    return {
        url: `nats://127.0.0.1:${port}`,
        port,
        monitorPort,
        async monitor(pathAndQuery: string) {
            const response = await fetch(`http://127.0.0.1:${monitorPort}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
            if (!response.ok) throw new Error(`GET ${pathAndQuery} on the NATS monitor: HTTP ${response.status}`);
            return response.json();
        },
        pid,
        dir,
        startMs,
        log: () => output,
        async reload(next: string, timeoutMs = 15_000) {
            fs.writeFileSync(path.join(dir, "auth.json"), next);
            // Only what the server logs after this SIGHUP counts.
            tap = "";
            const fresh = () => tap ?? "";
            const t0 = Date.now();
            try {
                process.kill(pid, "SIGHUP");
                while (!/Reloaded server configuration/.test(fresh())) {
                    if (/config reload failed|Failed to reload/i.test(fresh())) throw new Error(`nats-server rejected the reload:\n${fresh().slice(-4000)}`);
                    if (Date.now() - t0 > timeoutMs) throw new Error(`nats-server did not reload within ${timeoutMs} ms:\n${fresh().slice(-4000)}`);
                    await new Promise((r) => setTimeout(r, 5));
                }
                return Date.now() - t0;
            } finally {
                tap = undefined;
            }
        },
        async stop() {
            if (child.exitCode === null && child.signalCode === null) {
                process.kill(pid, "SIGTERM");
                const timer = setTimeout(() => {
                    if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
                }, 5_000);
                await exited;
                clearTimeout(timer);
            }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
