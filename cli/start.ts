// The entry bin/tenancy.js runs: the same command line as main.ts, but each verb's module is loaded
// only when that verb runs, so `tenancy --version` or `tenancy validate` does not load the Pulumi SDK
// (about 1.5 s) that `plan`, `secrets` and `pack-config` need.
import type { Command, CommandIO } from "./commands/types";
import { dispatch, processIO, type CommandTable } from "./dispatch";

// `require`, not `import()`: compiled, both are require; through tsx's CommonJS hook (the fallback of
// bin/tenancy.js) only `require` loads TypeScript. A test runs both paths through bin/tenancy.js.
/* eslint-disable @typescript-eslint/no-require-imports */
/** Each verb and its loader, in `--help` order (a test checks `--help` against main.ts's COMMANDS). */
export const LAZY_COMMANDS: ReadonlyArray<readonly [string, () => Command]> = [
    ["validate", () => (require("./commands/validate") as typeof import("./commands/validate")).validateCommand],
    ["add", () => (require("./commands/add") as typeof import("./commands/add")).addCommand],
    ["secrets", () => (require("./commands/secrets") as typeof import("./commands/secrets")).secretsCommand],
    ["plan", () => (require("./commands/plan") as typeof import("./commands/plan")).planCommand],
    ["pack-config", () => (require("./commands/pack-config") as typeof import("./commands/pack-config")).packConfigCommand],
    ["rotate", () => (require("./commands/rotate") as typeof import("./commands/rotate")).rotateCommand],
    ["schema", () => (require("./commands/schema") as typeof import("./commands/schema")).schemaCommand],
];
/* eslint-enable @typescript-eslint/no-require-imports */

const TABLE: CommandTable = {
    names: LAZY_COMMANDS.map(([name]) => name),
    load: async (name) => LAZY_COMMANDS.find(([n]) => n === name)![1](),
};

/** Runs the CLI with the given arguments and returns the process exit code; never throws for bad input. */
export function start(argv: string[], io: CommandIO = processIO()): Promise<number> {
    return dispatch(argv, io, TABLE);
}
