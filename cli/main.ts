import * as fs from "node:fs";
import * as path from "node:path";
import {
    addCommand,
    packConfigCommand,
    planCommand,
    rotateCommand,
    schemaCommand,
    secretsCommand,
    UsageError,
    validateCommand,
    type Command,
    type CommandIO,
} from "./commands";

/** Every verb of the `tenancy` command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [validateCommand, addCommand, secretsCommand, planCommand, packConfigCommand, rotateCommand, schemaCommand];

/** The version of this tenancy, from its package.json. */
export function version(): string {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;
}

const USAGE = () => `Usage: tenancy <command> [options]

Provisions every customer organization onto the shared Kubernetes cluster and NATS from the
tenant registry in git.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(13)}${c.summary}`).join("\n")}

Run "tenancy <command> --help" for a command's options, "tenancy --version" for the version.
`;

/** Runs the CLI with the given arguments and returns the process exit code; never throws for bad input. */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
    const [verb, ...rest] = argv;
    if (verb === undefined || verb === "--help" || verb === "-h" || verb === "help") {
        (verb === undefined ? io.err : io.out)(USAGE());
        return verb === undefined ? 2 : 0;
    }
    if (verb === "--version") {
        io.out(`tenancy ${version()}\n`);
        return 0;
    }
    const command = COMMANDS.find((c) => c.name === verb);
    if (!command) {
        io.err(`tenancy: unknown command "${verb}"; commands: ${COMMANDS.map((c) => c.name).join(", ")}\n`);
        return 2;
    }
    if (rest.includes("--help") || rest.includes("-h")) {
        io.out(command.help);
        return 0;
    }
    try {
        return await command.run(rest, io);
    } catch (error) {
        if (error instanceof UsageError) {
            io.err(`tenancy ${error.message}\nRun "tenancy ${command.name} --help" for usage.\n`);
            return 2;
        }
        throw error;
    }
}

/** The real process's streams. */
export function processIO(): CommandIO {
    return {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
        errIsTTY: Boolean(process.stderr.isTTY),
        cwd: process.cwd(),
        readStdin: async () => {
            if (process.stdin.isTTY) return undefined;
            const chunks: Buffer[] = [];
            for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString("utf8");
        },
    };
}
