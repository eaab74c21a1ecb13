/**
 * Test helper: the nats-server built by `npm run tools` (a current release: operator mode with
 * local_subject imports and scoped signing keys, which Debian's 2.9 lacks), started on 127.0.0.1 on a
 * free port in its own temp dir with the configuration files the program generates, stopped by PID.
 * Never skips: without the built binary it fails, naming the command that builds it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { OPERATOR_CONF_KEY } from "../../contract";
import { toolBinary, toolVersion } from "../../tools/paths";
import { freePort } from "../support/ports";

/** The command that builds the nats-server these tests need. */
export const BUILD_HINT = "npm run tools -- nats-server";

/** Path of the nats-server built by `npm run tools`; throws, naming {@link BUILD_HINT}, when it is not built. */
export function natsServerBinary(): string {
    try {
        return toolBinary("nats-server");
    } catch (error) {
        throw new Error(
            `the NATS end-to-end tests run nats-server ${toolVersion("nats-server")} in operator mode (account JWTs, local_subject imports, ` +
                `scoped signing keys) and it is not built: run \`${BUILD_HINT}\` (it builds it from its Go module). ${(error as Error).message}`,
        );
    }
}

/** Version line of the nats-server binary, e.g. "nats-server: v2.15.3". */
export function natsServerVersion(bin: string): string {
    return spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 10_000 }).stdout.trim();
}

export { freePort } from "../support/ports";

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
 * plan grants (the server caps every account's payload limit at its own, 1 MiB by default).
 */
export const MAIN_CONFIG = "max_payload: 8388608\n";

/** The files the server loads, by name: operator.conf and the account files it includes. */
export type NatsFiles = Record<string, string>;

/** A nats-server started by the tests. */
export interface RunningNats {
    /** Client URL, nats://127.0.0.1:<port>. */
    url: string;
    /** Client port. */
    port: number;
    /** GETs a monitoring endpoint, e.g. "/connz?acc=<account public key>", as parsed JSON. */
    monitor(pathAndQuery: string): Promise<any>;
    /** PID of the server process. */
    pid: number;
    /** The server's temp dir holding nats.conf and the generated files. */
    dir: string;
    /** Milliseconds from spawn until the server accepted a connection. */
    startMs: number;
    /** Replaces the generated files (removing those no longer given) and signals the server to reload; resolves with the ms until it logged the reload. */
    reload(files: NatsFiles, timeoutMs?: number): Promise<number>;
    /** Everything the server logged so far. */
    log(): string;
    /** Stops the server by PID and removes its temp dir. */
    stop(): Promise<void>;
}

function writeFiles(dir: string, files: NatsFiles, previous: readonly string[] = []): string[] {
    if (files[OPERATOR_CONF_KEY] === undefined) throw new Error(`the files for nats-server need ${OPERATOR_CONF_KEY}`);
    for (const name of previous) if (!(name in files)) fs.rmSync(path.join(dir, name), { force: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return Object.keys(files);
}

/**
 * Writes nats.conf (which `include`s operator.conf, as the Helm chart's config would) and the
 * generated files into a fresh temp dir, starts nats-server on 127.0.0.1 and a free port, and waits for it.
 */
export async function startNats(bin: string, files: NatsFiles, options: { readyTimeoutMs?: number } = {}): Promise<RunningNats> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-nats-"));
    const [port, monitorPort] = [await freePort(), await freePort()];
    let written = writeFiles(dir, files);
    fs.writeFileSync(path.join(dir, "nats.conf"), `host: "127.0.0.1"\nport: ${port}\nhttp: "127.0.0.1:${monitorPort}"\n${MAIN_CONFIG}include ./${OPERATOR_CONF_KEY}\n`);
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
        async monitor(pathAndQuery: string) {
            const response = await fetch(`http://127.0.0.1:${monitorPort}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
            if (!response.ok) throw new Error(`GET ${pathAndQuery} on the NATS monitor: HTTP ${response.status}`);
            return response.json();
        },
        pid,
        dir,
        startMs,
        log: () => output,
        async reload(next: NatsFiles, timeoutMs = 15_000) {
            written = writeFiles(dir, next, written);
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
