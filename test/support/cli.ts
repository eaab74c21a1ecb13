import * as path from "node:path";
import type { CommandIO } from "../../cli/commands";

/** The project root, where `npx tenancy` runs. */
export const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** A CommandIO that captures stdout and stderr, for calling the CLI in-process. */
export function captureIO(cwd = PROJECT_ROOT, errIsTTY = false): CommandIO & { stdout: () => string; stderr: () => string } {
    let out = "";
    let err = "";
    return {
        out: (text) => void (out += text),
        err: (text) => void (err += text),
        errIsTTY,
        cwd,
        stdout: () => out,
        stderr: () => err,
    };
}
