// Parsing the registry's files (YAML and schema, about 0.5 ms a file: 1.5 s at 3,000 tenants) is most
// of a plan's validation, and a plan parses the same texts as the plan before it. The plan keeps the
// parse of each valid file's exact text between runs, under node_modules/.cache (as the pack cache),
// in a file named by the digest of the code that parses (registry/, contract/) and of the installed
// dependencies (package-lock.json): any change to either starts an empty cache. A file with problems
// is never kept, so its problems are found, with their lines, on every run; the checks across files
// (duplicate ids and slugs, plans, the CLI's own) run on every run as well.
import * as fs from "node:fs";
import * as path from "node:path";
import { readParsedTenants, writeParsedTenants, type ParsedTenants, type Tenant } from "../../registry";
import { PACKAGE_ROOT } from "../package-root";
import { replaceFile } from "./replace-file";

// bin/build-state.js is plain JavaScript at the repository root (bin/tenancy.js uses it before any TypeScript loads).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { treeDigest } = require(path.join(PACKAGE_ROOT, "bin", "build-state")) as {
    treeDigest(root: string, options: { dirs: string[]; files: string[] }): string;
};

/** The folder of the kept parses: one file, of the current digest. */
export function parseCacheDir(root: string = PACKAGE_ROOT): string {
    return path.join(root, "node_modules", ".cache", "tenancy-parse");
}

/** The file of the kept parses for the code and dependencies as they are now. */
export function parseCacheFile(root: string = PACKAGE_ROOT): string {
    return path.join(parseCacheDir(root), `${treeDigest(root, { dirs: ["registry", "contract"], files: ["package-lock.json"] })}.v8`);
}

/**
 * The parses of one plan (a ParsedTenants for validateRegistry), seeded from the kept ones: a kept
 * text is reused when a file holds it, and only the texts this plan read are kept again.
 */
export class CachedParse extends Map<string, Tenant> {
    private reused = 0;

    /** `kept`: the parses read from the cache file. */
    constructor(private readonly kept: ParsedTenants) {
        super();
    }

    override get(text: string): Tenant | undefined {
        const own = super.get(text);
        if (own !== undefined) return own;
        const kept = this.kept.get(text);
        if (kept !== undefined) {
            this.reused++;
            super.set(text, kept);
        }
        return kept;
    }

    /** Whether the file should be written again: this plan parsed texts it did not hold, or no longer reads some it holds. */
    get changed(): boolean {
        return this.size !== this.reused || this.kept.size !== this.reused;
    }
}

/** The kept parses in `file`, or none (a missing or unreadable file is an empty cache). */
export function openParseCache(file: string): CachedParse {
    return new CachedParse(readParsedTenants(file) ?? new Map());
}

/**
 * Writes `parse` to `file` when it changed, replacing it at once, and removes the files of other
 * digests; a cache that cannot be written (read-only node_modules) only makes the next plan parse again.
 */
export function saveParseCache(file: string, parse: CachedParse): void {
    if (!parse.changed) return;
    const dir = path.dirname(file);
    try {
        fs.mkdirSync(dir, { recursive: true });
        if (!replaceFile(file, (temporary) => writeParsedTenants(temporary, parse))) return;
        for (const name of fs.readdirSync(dir)) if (name.endsWith(".v8") && path.join(dir, name) !== file) fs.rmSync(path.join(dir, name), { force: true });
    } catch {
        // Only slower: the next plan parses again.
    }
}
