// The `tenancy` command line without its verbs: --help, --version, choosing a verb and turning a
// UsageError into a message. Light on purpose (no verb is loaded here), so that `tenancy --version`
// starts without loading the Pulumi SDK.
import { version } from "./package-root";
import { UsageError, type Command, type CommandIO } from "./commands/types";

/** The verbs, in the order `--help` lists them, and how to load one. */
export interface CommandTable {
    /** Every verb's name, in `--help` order. */
    names: readonly string[];
    /** Loads one verb (known to be in `names`). */
    load: (name: string) => Promise<Command>;
}

const usage = (commands: readonly Command[]) => `Usage: tenancy <command> [options]

Provisions every customer organization onto the shared Kubernetes cluster and NATS from the
tenant registry in git.

Commands:
${commands.map((c) => `  ${c.name.padEnd(13)}${c.summary}`).join("\n")}

Run "tenancy <command> --help" for a command's options, "tenancy --version" for the version.
`;

/** Runs the CLI with the given arguments and returns the process exit code; never throws for bad input. */
export async function dispatch(argv: string[], io: CommandIO, table: CommandTable): Promise<number> {
    const [verb, ...rest] = argv;
    if (verb === undefined || verb === "--help" || verb === "-h" || verb === "help") {
        const commands = await Promise.all(table.names.map((name) => table.load(name)));
        (verb === undefined ? io.err : io.out)(usage(commands));
        return verb === undefined ? 2 : 0;
    }
    if (verb === "--version") {
        io.out(`tenancy ${version()}\n`);
        return 0;
    }
    if (!table.names.includes(verb)) {
        io.err(`tenancy: unknown command "${verb}"; commands: ${table.names.join(", ")}\n`);
        return 2;
    }
    const command = await table.load(verb);
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
