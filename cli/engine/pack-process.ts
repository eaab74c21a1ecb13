// The policy pack as a child process: started the way the Pulumi CLI starts a TypeScript pack,
// its port read from stdout, stopped by PID.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { PolicyHostError } from "./analyzer-types";
import { heapGrowingFlag, profilingArgs } from "./fork";
import { PACKAGE_ROOT } from "../package-root";

const RUN_POLICY_PACK = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
// A file of the project, not of /tmp: nothing predictable to pre-create or race for. Its source
// location, also when the CLI runs compiled from dist/ (the build does not copy .js files).
const WATCHDOG = path.join(PACKAGE_ROOT, "cli", "engine", "watchdog.js");
// The preload that defers the SDK's unused modules and the runner's TypeScript registration (bin/sdk-deferral.js).
const PACK_DEFERRAL = path.join(PACKAGE_ROOT, "bin", "pack-deferral-preload.js");

/** A started pack process and what it has written so far. */
export interface PackProcess {
    /** The child process. */
    child: ChildProcess;
    /** Resolves once the process has exited. */
    exited: Promise<void>;
    /** The pack's stderr so far (bounded). */
    stderr: () => string;
}

/**
 * Spawns `node run-policy-pack <engine-address> <pack-dir>` in the pack's directory, with the
 * watchdog and the SDK's deferrals (its unused modules; ts-node until a TypeScript file is required)
 * preloaded and V8's heap growing bounded (heapGrowingFlag): the only additions to the CLI's command line.
 * `env` adds to the inherited environment, never over the two variables set here.
 */
export function spawnPack(packDir: string, engineAddress: string, env: Readonly<Record<string, string>> = {}): PackProcess {
    let child: ChildProcess;
    try {
        // run-policy-pack only checks that <engine-address> is there and then drops it (argv.shift());
        // the SDK's log module finds the engine through PULUMI_NODEJS_ENGINE, so both point at our sink.
        // Without it, the runner's own log.error (e.g. a type error) would go to stderr instead.
        child = spawn(process.execPath, [...heapGrowingFlag(), ...profilingArgs(), "--require", WATCHDOG, "--require", PACK_DEFERRAL, RUN_POLICY_PACK, engineAddress, packDir], {
            cwd: packDir,
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, ...env, PULUMI_NODEJS_ENGINE: engineAddress, TENANCY_POLICY_HOST_PID: String(process.pid) },
        });
    } catch (error) {
        throw new PolicyHostError(`could not start the policy pack in ${packDir}: ${(error as Error).message}`, "");
    }
    let stderr = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
        // Bounded: a runaway pack must not exhaust the host's memory.
        if (stderr.length < 256 * 1024) stderr += chunk;
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    return { child, exited, stderr: () => stderr };
}

// Reads the first stdout line; the pack prints its port there once its gRPC server listens.
export function readPort(child: ChildProcess, timeoutMs: number, packDir: string, output: () => string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
        let stdout = "";
        const timer = setTimeout(
            () => finish(new PolicyHostError(`policy pack in ${packDir} printed no port within ${timeoutMs} ms`, output())),
            timeoutMs,
        );
        const onData = (chunk: Buffer) => {
            stdout += chunk.toString("utf8");
            const newline = stdout.indexOf("\n");
            if (newline < 0) return;
            const line = stdout.slice(0, newline).trim();
            const port = Number(line);
            if (/^\d+$/.test(line) && port > 0 && port < 65536) finish(undefined, port);
            else finish(new PolicyHostError(`policy pack in ${packDir} printed "${line.slice(0, 200)}" instead of its port`, output()));
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
            // Give stderr a moment to drain so the reader sees the type error or stack.
            setTimeout(
                () =>
                    finish(
                        new PolicyHostError(
                            `policy pack in ${packDir} exited (${signal ?? `code ${code}`}) before printing its port`,
                            output(),
                        ),
                    ),
                50,
            );
        };
        function finish(error: Error | undefined, port?: number) {
            clearTimeout(timer);
            child.stdout!.off("data", onData);
            child.off("exit", onExit);
            if (error) reject(error);
            else resolve(port!);
        }
        child.stdout!.on("data", onData);
        child.once("exit", onExit);
    });
}

// Stops the pack by its PID: SIGTERM, then SIGKILL if it has not exited within 3 s.
export async function killChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
        process.kill(child.pid, "SIGTERM");
    } catch {
        return; // already gone
    }
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
            try {
                process.kill(child.pid!, "SIGKILL");
            } catch {
                /* already gone */
            }
            resolve();
        }, 3_000);
    });
    await Promise.race([exited, killed]);
    clearTimeout(timer);
    await exited;
}
