import { UsageError } from "./types";

/** The flags a verb accepts: each name maps to "boolean" or "string" (takes a value). */
export type FlagSpec = Record<string, "boolean" | "string">;

/** Parsed flags; booleans are true when given, strings hold their value. */
export type Flags = Record<string, string | boolean | undefined>;

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag` against a spec; an unknown flag,
 * a missing value or a positional argument is a UsageError naming it.
 */
export function parseFlags(verb: string, args: string[], spec: FlagSpec): Flags {
    const flags: Flags = {};
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (!arg.startsWith("--")) throw new UsageError(`${verb}: unexpected argument "${arg}"`);
        const eq = arg.indexOf("=");
        const name = arg.slice(2, eq < 0 ? undefined : eq);
        const kind = spec[name];
        if (!kind) {
            const known = Object.keys(spec).map((f) => `--${f}`).join(", ");
            throw new UsageError(`${verb}: unknown flag --${name}; known flags: ${known}`);
        }
        if (kind === "boolean") {
            if (eq >= 0) throw new UsageError(`${verb}: --${name} takes no value`);
            flags[name] = true;
            continue;
        }
        const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) {
            throw new UsageError(`${verb}: --${name} needs a value`);
        }
        flags[name] = value;
    }
    return flags;
}
