import { fork, type ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import * as os from "node:os";
import * as v8 from "node:v8";
import * as path from "node:path";
import { treeOrder, type RecordEvent } from "./monitor";
import type { RecordedResource } from "./types";
import type { Registry } from "../../registry/load";
import { PACKAGE_ROOT } from "../package-root";

/** What the parent sends the recording child. */
export interface ChildRequest {
    /** Absolute path of the program entry to require. */
    programFile: string;
    /** Pulumi project name. */
    project: string;
    /** Stack name. */
    stack: string;
    /** Stack config (`ns:key` → string). */
    config: Record<string, string>;
    /** Secret config keys. */
    secretKeys: string[];
    /** Run as a preview. */
    preview?: boolean;
    /** File holding the machine key for emulated values. */
    keyFile: string;
    /**
     * The registry the plan validated for this recording: the program's loadRegistry of its directory
     * returns it as it is, without reading the files again (see shareRegistry).
     */
    registry?: Registry;
}

/** The child's file descriptor for its answers (a pipe; see child.ts). */
export const RESULTS_FD = 3;

/** What the child answers once the program has run: every registration was streamed before (ChildEvents). */
export type ChildResponse = { ok: true } | { ok: false; messages: string[] };

/** Registrations (and component outputs) as the child records them, in order. */
export interface ChildEvents {
    events: RecordEvent[];
}

/** Options of a recording in a child process. */
export interface ForkOptions extends ChildRequest {
    /** Working directory of the program (the project root). */
    cwd: string;
    /** Whether the program is TypeScript, loaded through tsx (default true); compiled JavaScript loads faster without. */
    typescript?: boolean;
    /** Kill the child after this long (default 300 s, or TENANCY_PLAN_TIMEOUT_MS). */
    timeoutMs?: number;
    /** Receives what the program writes to stdout/stderr, line by line. */
    onOutput?: (line: string) => void;
    /**
     * Receives each registration as soon as it is recorded, while the program still runs. A
     * component's outputs arrive later and are set on the same object; the promise resolves with
     * every registration in tree order once the program has finished.
     */
    onResource?: (resource: RecordedResource) => void;
}

/** The program could not be recorded: the messages say why, without stack traces. */
export class RecordError extends Error {
    constructor(readonly messages: string[]) {
        super(messages.join("\n"));
        this.name = "RecordError";
    }
}

/**
 * The child's entry: child.js next to this file when the CLI runs compiled (dist/), else child.ts.
 * The child preloads tsx unless both it and the program it requires are compiled.
 */
const CHILD_ENTRY = path.join(__dirname, __filename.endsWith(".js") ? "child.js" : "child.ts");

/**
 * Preloaded by every recording child and by the plan's pack: the SDK modules nothing here uses load
 * only if used (bin/sdk-deferral.js).
 */
export const SDK_DEFERRAL = path.join(PACKAGE_ROOT, "bin", "sdk-deferral-preload.js");

/** How a recording child is started, before its request is known. */
export interface ChildStart extends Pick<ForkOptions, "cwd" | "typescript"> {
    /**
     * A module the child loads while it waits for its request: the project's program's declarations
     * (RecordedProgram.warm), whose loading declares nothing. Its failure is left to the program's own load.
     */
    warm?: string;
    /**
     * Run the child at a lower priority ({@link BACKGROUND_PRIORITY} nice steps below this process's) for its whole life: it is
     * started ahead of need, and the registry validation and the pack's start it would compete
     * with on a busy machine come first. An unprivileged process cannot raise it again.
     */
    background?: boolean;
}

/** How many nice steps below its parent a child started in the background runs (see ChildStart.background). */
export const BACKGROUND_PRIORITY = 10;

/** The request of a recording, and what to do with what the child prints and records. */
export type ChildRecordOptions = Omit<ForkOptions, "cwd" | "typescript">;

/** A recording child started ahead of its request (it loads the SDK meanwhile); used once. */
export interface RecordingChild {
    /** The child's PID (undefined if it could not be spawned). */
    readonly pid: number | undefined;
    /** Sends the request; settles as {@link recordInChild} does. */
    record(options: ChildRecordOptions): Promise<RecordedResource[]>;
    /** Stops a child that will not be used (its process is killed by PID). */
    discard(): void;
}

/**
 * Records one program run in a fresh child process (tsx loads the TypeScript), so one CLI
 * invocation can record several runs (`--base`) and a failing program cannot leave state behind.
 */
export function recordInChild(options: ForkOptions): Promise<RecordedResource[]> {
    const { cwd, typescript, ...request } = options;
    return forkRecordingChild({ cwd, typescript }).record(request);
}

/**
 * Starts a recording child now and sends its request later (see {@link RecordingChild}): the SDK's
 * load (about 0.7 s) then runs while the plan validates the registry. The child exits when this
 * process's IPC channel closes, so a plan that never sends a request cannot leave it behind.
 */
export function forkRecordingChild(start: ChildStart): RecordingChild {
    const child = fork(CHILD_ENTRY, start.warm ? [start.warm] : [], {
        cwd: start.cwd,
        execArgv: [
            heapLimit(),
            ...heapGrowingFlag(),
            ...semiSpaceFlag(),
            ...profilingArgs(),
            "--require",
            SDK_DEFERRAL,
            ...(CHILD_ENTRY.endsWith(".ts") || start.typescript !== false ? ["--require", require.resolve("tsx/cjs")] : []),
        ],
        stdio: ["ignore", "pipe", "pipe", "pipe", "ipc"],
        // The program reads config through the runtime, not the environment; clear any inherited
        // PULUMI_* so that a developer's shell cannot change what is planned.
        env: cleanEnv(process.env),
        serialization: "advanced",
    });
    if (start.background && child.pid !== undefined) {
        try {
            os.setPriority(child.pid, Math.min(19, os.getPriority() + BACKGROUND_PRIORITY));
        } catch {
            // Only slower: the child competes with the work it waits for.
        }
    }
    // Until record() listens: how the child ended, if it ended before (a record() after that reports it).
    let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;
    child.once("close", (code, signal) => (ended = { code, signal }));
    child.once("error", (error) => (spawnError = error));
    let used = false;
    return {
        pid: child.pid,
        record(options) {
            if (used) throw new Error("a recording child records once");
            used = true;
            return recordWith(child, options, () => ended, () => spawnError);
        },
        discard() {
            used = true;
            if (ended === undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        },
    };
}

function recordWith(
    child: ChildProcess, options: ChildRecordOptions, endedBefore: () => { code: number | null; signal: NodeJS.Signals | null } | undefined, spawnError: () => Error | undefined,
): Promise<RecordedResource[]> {
    const timeoutMs = options.timeoutMs ?? (Number(process.env.TENANCY_PLAN_TIMEOUT_MS) || 300_000);
    return new Promise((resolve, reject) => {
        let settled = false;
        const tail: string[] = [];
        const onLine = (line: string) => {
            tail.push(line);
            if (tail.length > 20) tail.shift();
            options.onOutput?.(line);
        };
        for (const stream of [child.stdout!, child.stderr!]) {
            let buffered = "";
            stream.setEncoding("utf8");
            stream.on("data", (chunk: string) => {
                buffered += chunk;
                const lines = buffered.split("\n");
                buffered = lines.pop()!;
                lines.forEach(onLine);
            });
            stream.on("end", () => buffered && onLine(buffered));
        }
        const timer = setTimeout(() => {
            finish(new RecordError([`recording the program took longer than ${timeoutMs} ms and was stopped (set TENANCY_PLAN_TIMEOUT_MS to allow more)`]));
            child.kill("SIGKILL");
        }, timeoutMs);
        const finish = (result: RecordedResource[] | Error) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (result instanceof Error) reject(result);
            else resolve(result);
        };
        const recorded = new Map<string, RecordedResource>();
        const onMessage = (message: ChildResponse | ChildEvents) => {
            if ("events" in message) {
                for (const event of message.events) {
                    if (event.kind === "resource") {
                        recorded.set(event.resource.urn, event.resource);
                        options.onResource?.(event.resource);
                    } else {
                        const resource = recorded.get(event.urn);
                        if (resource) resource.outputs = event.outputs;
                    }
                }
                return;
            }
            finish(message.ok ? treeOrder(recorded.values()) : new RecordError(message.messages));
        };
        readFrames(child.stdio[RESULTS_FD] as Readable, onMessage, (error) => {
            finish(error);
            child.kill("SIGKILL");
        });
        const failedToStart = (error: Error) => finish(new RecordError([`could not start the recording process: ${error.message}`]));
        // After the answers' pipe and the output have been read to their end.
        const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
            const detail = tail.length > 0 ? `; its last output:\n${tail.join("\n")}` : "";
            finish(new RecordError([`the recording process exited (${signal ?? `code ${code}`}) before reporting${detail}`]));
        };
        const early = spawnError();
        if (early) return failedToStart(early);
        const ended = endedBefore();
        if (ended) return onClose(ended.code, ended.signal);
        child.on("error", failedToStart);
        child.on("close", onClose);
        const { timeoutMs: _t, onOutput: _o, onResource: _r, ...request } = options;
        child.send(request satisfies ChildRequest);
    });
}

/**
 * The recording child's heap limit: three quarters of the machine's memory, at least V8's default.
 * The SDK holds every pending registration, and another program than the project's (which declares
 * tenant by tenant, infra/program.ts) may declare everything before the first answer: about 1.5 GB
 * of live heap per 1,000 tenants, which V8's default limit (≈4 GB on a 64-bit machine) could not hold
 * at 3,000 tenants.
 */
function heapLimit(): string {
    const defaultMb = Math.floor(v8.getHeapStatistics().heap_size_limit / 2 ** 20);
    return `--max-old-space-size=${Math.max(defaultMb, Math.floor((os.totalmem() / 2 ** 20) * 0.75))}`;
}

/**
 * V8's `--heap-growing-percent` for the plan, its recording children and its packs: how far a heap
 * may grow past what the last full collection left live before the next one. Each of them decodes,
 * copies and judges every resource once, so nearly all it allocates is garbage, and V8's own
 * factor (up to 4x when collecting is cheap next to allocating) let their RSS reach two to three
 * times their live heap. At most 1.5x cost about 3% more CPU at 1,000 tenants and took the plan of
 * 10,000 from 2.20 GB (at most 2x) to 1.91 GB (BENCHMARKS.md); the limit on the heap's size stays
 * (see heapLimit). TENANCY_HEAP_GROWING_PERCENT sets another percentage, 0 for V8's own.
 */
export function heapGrowingFlag(): string[] {
    return tunedFlag("--heap-growing-percent", "TENANCY_HEAP_GROWING_PERCENT", HEAP_GROWING_PERCENT);
}

/** The default of {@link heapGrowingFlag}: a heap grows to at most 1.5 times its live size between full collections. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * V8's `--max-semi-space-size` (MB) for the recording children, the size their young generation may
 * grow to. A child allocates mostly objects that live for one registration (the SDK's promises,
 * Outputs and requests); with V8's default (16 MB) more of them outlived a young collection and were
 * copied to the old generation first. 32 MB took the whole plan from 29.5 to 27.2 s at 1,000 tenants
 * and from 80.4 to 70.2 s at 3,000 (alternated runs; the largest child 0.21 → 0.22 GB); 64 MB was no
 * faster at 3,000 for 0.05 GB more per child, and the packs gained nothing (BENCHMARKS.md).
 * TENANCY_SEMI_SPACE_MB sets another size, 0 for V8's own.
 */
export function semiSpaceFlag(): string[] {
    return tunedFlag("--max-semi-space-size", "TENANCY_SEMI_SPACE_MB", SEMI_SPACE_MB);
}

/** The default of {@link semiSpaceFlag}, in MB. */
export const SEMI_SPACE_MB = 32;

// `flag=<n>` with n from the environment variable (a whole number from 1 to 9999; 0 or anything
// else gives no flag: V8's own value), else the default.
function tunedFlag(flag: string, variable: string, fallback: number): string[] {
    const value = process.env[variable] ?? String(fallback);
    return /^[1-9]\d{0,3}$/.test(value) ? [`${flag}=${value}`] : [];
}

/** Extra node flags for the recording child and the pack (e.g. `--cpu-prof`), from TENANCY_PROFILE_NODE_ARGS: for profiling only. */
export function profilingArgs(): string[] {
    return (process.env.TENANCY_PROFILE_NODE_ARGS ?? "").split(" ").filter(Boolean);
}

// Reads the child's frames (see child.ts) and passes each message on, in order.
function readFrames(stream: Readable, onMessage: (message: ChildResponse | ChildEvents) => void, onError: (error: Error) => void): void {
    let pending: Buffer[] = [];
    let buffered = 0;
    // Bytes the next frame needs in all (header included), once its header has arrived.
    let needed = 4;
    stream.on("data", (chunk: Buffer) => {
        pending.push(chunk);
        buffered += chunk.length;
        while (buffered >= needed) {
            const head = pending.length === 1 ? pending[0] : Buffer.concat(pending);
            pending = [head];
            if (needed === 4) {
                needed = 4 + head.readUInt32LE(0);
                continue;
            }
            let message: ChildResponse | ChildEvents;
            try {
                message = v8.deserialize(head.subarray(4, needed)) as ChildResponse | ChildEvents;
            } catch (error) {
                onError(new RecordError([`the recording process sent an unreadable answer: ${(error as Error).message}`]));
                stream.destroy();
                return;
            }
            const rest = head.subarray(needed);
            pending = rest.length > 0 ? [rest] : [];
            buffered = rest.length;
            needed = 4;
            onMessage(message);
        }
    });
}

function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const out: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(env)) if (!key.startsWith("PULUMI_")) out[key] = value;
    return out;
}
