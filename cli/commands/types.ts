/** Where a command writes; injected so tests capture output without touching the process. */
export interface CommandIO {
    /** Standard output. */
    out: (text: string) => void;
    /** Standard error. */
    err: (text: string) => void;
    /** Whether stderr is a terminal (progress is shown only there). */
    errIsTTY: boolean;
    /** Working directory that relative paths resolve against. */
    cwd: string;
    /** Silence (ms) after which `plan` prints a still-working line when stderr is not a terminal; default 8000. */
    heartbeatMs?: number;
    /** Reads all of standard input; undefined when it is a terminal (nothing piped in). */
    readStdin?: () => Promise<string | undefined>;
}

/** One verb of the `tenancy` CLI. */
export interface Command {
    /** The verb, e.g. "validate". */
    name: string;
    /** One line for the verb list. */
    summary: string;
    /** Full `--help` text. */
    help: string;
    /** Runs the verb and returns the exit code: 0 ok, 1 policy or plan failure, 2 bad input or usage. */
    run: (args: string[], io: CommandIO) => Promise<number>;
}

/** A usage error: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}
