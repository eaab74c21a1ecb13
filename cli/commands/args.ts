import { parseArgs } from "node:util";
import { UsageError } from "./types";

/** The flags a verb accepts: each name maps to "boolean" or "string" (takes a value). */
export type FlagSpec = Record<string, "boolean" | "string">;

/** Parsed flags; booleans are true when given, strings hold their value. */
export type Flags = Record<string, string | boolean | undefined>;

/** What a verb was given: its flags and, where the verb takes them, its positional arguments. */
export interface ParsedArgs {
    /** Flags by name. */
    flags: Flags;
    /** Positional arguments, in order. */
    positionals: string[];
}

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag` against a spec with node:util
 * parseArgs; an unknown flag, a missing value or a positional argument is a UsageError naming it.
 */
export function parseFlags(verb: string, args: string[], spec: FlagSpec): Flags {
    const { flags, positionals } = parseCommandArgs(verb, args, spec, 0);
    if (positionals.length > 0) throw new UsageError(`${verb}: unexpected argument "${positionals[0]}"`);
    return flags;
}

/**
 * Like {@link parseFlags}, for verbs that also take up to `maxPositionals` positional arguments
 * (`tenancy add <slug>`); a further one is a UsageError.
 */
export function parseCommandArgs(verb: string, args: string[], spec: FlagSpec, maxPositionals: number): ParsedArgs {
    const options = Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type }]));
    // strict: false hands back every token, so the messages below name the flag the way a user typed it.
    const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
    const flags: Flags = {};
    const positionals: string[] = [];
    for (const token of tokens) {
        if (token.kind === "positional") {
            if (positionals.length >= maxPositionals) throw new UsageError(`${verb}: unexpected argument "${token.value}"`);
            positionals.push(token.value);
            continue;
        }
        if (token.kind !== "option") continue;
        const kind = spec[token.name];
        if (!kind || !token.rawName.startsWith("--")) {
            const known = Object.keys(spec).map((f) => `--${f}`).join(", ");
            throw new UsageError(`${verb}: unknown flag ${token.rawName}; known flags: ${known}`);
        }
        if (kind === "boolean") {
            if (token.inlineValue) throw new UsageError(`${verb}: --${token.name} takes no value`);
            flags[token.name] = true;
            continue;
        }
        const value = token.value;
        if (value === undefined || value === "" || (!token.inlineValue && value.startsWith("--"))) {
            throw new UsageError(`${verb}: --${token.name} needs a value`);
        }
        flags[token.name] = value;
    }
    return { flags, positionals };
}
