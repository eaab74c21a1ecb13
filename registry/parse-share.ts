// `tenancy plan` validates the registry before its policy pack reads it: the pack was parsing every
// file again (YAML and schema, about 0.45 ms per file: 1.4 s of its start at 3,000 tenants). The
// plan writes its parse to a file only its user can read, and names it in the environment of the
// packs it starts itself; the pack then validates the registry as ever, reusing the parse of each
// file whose exact text the plan validated (see ParsedTenants). Nothing else sets the variable.
import * as fs from "node:fs";
import * as v8 from "node:v8";
import type { ParsedTenants } from "./load";

/** The environment variable naming the file of a plan's parse (set only by `tenancy plan`, for its own pack). */
export const PLAN_PARSE_ENV = "TENANCY_PLAN_PARSE";

/** Writes `parsed` to `file` (mode 0600), in V8's serialization, which keeps the Map as it is. */
export function writeParsedTenants(file: string, parsed: ParsedTenants): void {
    fs.writeFileSync(file, v8.serialize(parsed), { mode: 0o600 });
}

/**
 * The parse a plan wrote to `file`, or undefined when there is none to read (no file, not a plan's
 * parse): the reader then parses every file itself, which gives the same registry, only slower.
 */
export function readParsedTenants(file: string | undefined): ParsedTenants | undefined {
    if (!file) return undefined;
    let value: unknown;
    try {
        value = v8.deserialize(fs.readFileSync(file));
    } catch {
        return undefined;
    }
    if (!(value instanceof Map)) return undefined;
    for (const [text, tenant] of value) if (typeof text !== "string" || typeof tenant !== "object" || tenant === null) return undefined;
    return value as ParsedTenants;
}
