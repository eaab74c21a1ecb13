import * as pulumi from "@pulumi/pulumi";
import { RecordingMonitor, type RecordEvent } from "./monitor";
import { ensurePlanKey } from "./plan-key";
import type { RecordedResource } from "./types";

// Internal SDK modules: the runtime's process-global state (settings, store) has no public reset.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
    setMockOptions(monitor: unknown, project: string, stack: string, preview: boolean, organization?: string): void;
    waitForRPCs(): Promise<void>;
};

/** How to run a program under the recording monitor. */
export interface RecordOptions {
    /** Pulumi project name (from Pulumi.yaml). */
    project: string;
    /** Stack name. */
    stack: string;
    /** Stack config as the language host passes it: `<namespace>:<key>` → string (objects as JSON). */
    config: Record<string, string>;
    /** Config keys whose values are secrets. */
    secretKeys: string[];
    /** Run as a preview (default true): ids of new resources are unknown, as in `pulumi preview`. */
    preview?: boolean;
    /** Machine key for emulated provider values (default: the per-machine key of plan-key.ts). */
    key?: Buffer;
    /** Hears of every registration (and component outputs) as it is recorded. */
    onEvent?: (event: RecordEvent) => void;
}

let used = false;

/**
 * Runs `run` as a Pulumi program inside a root Stack resource, against a recording monitor
 * installed with `setMockOptions`, and returns every registration: the stack first, then
 * depth-first with siblings sorted by URN. The runtime's state is process-global, so this may run
 * once per process; plan calls it in a child per recording (see recordInChild).
 */
export async function recordProgram(run: () => unknown, options: RecordOptions): Promise<RecordedResource[]> {
    if (used) throw new Error("recordProgram runs once per process: the Pulumi runtime keeps global state");
    used = true;
    const monitor = new RecordingMonitor({ key: options.key ?? ensurePlanKey(), preview: options.preview ?? true, onEvent: options.onEvent });
    settings.setMockOptions(monitor, options.project, options.stack, options.preview ?? true);
    pulumi.runtime.setAllConfig(options.config, options.secretKeys);

    const failures: unknown[] = [];
    // The language host reports errors of detached promises (e.g. a failed registration) this way too.
    const onFailure = (error: unknown) => failures.push(error);
    process.on("unhandledRejection", onFailure);
    process.on("uncaughtException", onFailure);
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            const result = await run();
            return result instanceof Function ? await result() : result;
        });
        await settings.waitForRPCs();
        // Let rejections of detached registrations surface before deciding.
        await new Promise((resolve) => setImmediate(resolve));
    } catch (error) {
        failures.push(error);
    } finally {
        process.off("unhandledRejection", onFailure);
        process.off("uncaughtException", onFailure);
    }
    if (failures.length > 0) throw new ProgramError(failures);
    if (pulumi.log.hasErrors()) throw new ProgramError([new Error("the program logged errors (see above)")]);
    return monitor.recorded();
}

/** The program failed: carries every distinct error message, without stack traces. */
export class ProgramError extends Error {
    constructor(readonly causes: unknown[]) {
        super(distinctMessages(causes).join("\n"));
        this.name = "ProgramError";
    }
}

function distinctMessages(causes: unknown[]): string[] {
    const messages = causes.map((cause) => (cause instanceof Error ? cause.message : String(cause)));
    return [...new Set(messages)];
}
