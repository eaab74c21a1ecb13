import { fork } from "node:child_process";
import * as path from "node:path";
import type { RecordedResource } from "./types";

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
}

/** What the child answers. */
export type ChildResponse = { ok: true; resources: RecordedResource[] } | { ok: false; messages: string[] };

/** Options of a recording in a child process. */
export interface ForkOptions extends ChildRequest {
    /** Working directory of the program (the project root). */
    cwd: string;
    /** Kill the child after this long (default 300 s, or TENANCY_PLAN_TIMEOUT_MS). */
    timeoutMs?: number;
    /** Receives what the program writes to stdout/stderr, line by line. */
    onOutput?: (line: string) => void;
}

/** The program could not be recorded: the messages say why, without stack traces. */
export class RecordError extends Error {
    constructor(readonly messages: string[]) {
        super(messages.join("\n"));
        this.name = "RecordError";
    }
}

/**
 * Records one program run in a fresh child process (tsx loads the TypeScript), so one CLI
 * invocation can record several runs (`--base`) and a failing program cannot leave state behind.
 */
export function recordInChild(options: ForkOptions): Promise<RecordedResource[]> {
    const timeoutMs = options.timeoutMs ?? (Number(process.env.TENANCY_PLAN_TIMEOUT_MS) || 300_000);
    return new Promise((resolve, reject) => {
        const child = fork(path.join(__dirname, "child.ts"), [], {
            cwd: options.cwd,
            execArgv: ["--require", require.resolve("tsx/cjs")],
            stdio: ["ignore", "pipe", "pipe", "ipc"],
            // The program reads config through the runtime, not the environment; clear any inherited
            // PULUMI_* so that a developer's shell cannot change what is planned.
            env: cleanEnv(process.env),
            serialization: "advanced",
        });
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
        child.on("message", (message: ChildResponse) => {
            finish(message.ok ? message.resources : new RecordError(message.messages));
        });
        child.on("error", (error) => finish(new RecordError([`could not start the recording process: ${error.message}`])));
        child.on("exit", (code, signal) => {
            const detail = tail.length > 0 ? `; its last output:\n${tail.join("\n")}` : "";
            finish(new RecordError([`the recording process exited (${signal ?? `code ${code}`}) before reporting${detail}`]));
        });
        const { cwd: _cwd, timeoutMs: _t, onOutput: _o, ...request } = options;
        child.send(request satisfies ChildRequest);
    });
}

function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const out: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(env)) if (!key.startsWith("PULUMI_")) out[key] = value;
    return out;
}
