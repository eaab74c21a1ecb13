import {
    addCommand,
    packConfigCommand,
    planCommand,
    rotateCommand,
    schemaCommand,
    secretsCommand,
    validateCommand,
    type Command,
    type CommandIO,
} from "./commands";
import { dispatch, processIO } from "./dispatch";

export { processIO } from "./dispatch";
export { version } from "./package-root";

/** Every verb of the `tenancy` command, in the order `--help` lists them (all loaded: see start.ts for the lazy entry). */
export const COMMANDS: readonly Command[] = [validateCommand, addCommand, secretsCommand, planCommand, packConfigCommand, rotateCommand, schemaCommand];

/** Runs the CLI with the given arguments and returns the process exit code; never throws for bad input. */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
    return dispatch(argv, io, { names: COMMANDS.map((c) => c.name), load: async (name) => COMMANDS.find((c) => c.name === name)! });
}
