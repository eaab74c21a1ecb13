import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The directory of tenancy's own package.json: the repository root, whether this file runs as
 * TypeScript (cli/) or compiled (dist/cli/, which holds no package.json).
 */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

function findPackageRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "package.json"))) return dir;
        if (path.dirname(dir) === dir) return path.resolve(start, "..");
    }
}

/** The version of this tenancy, from its package.json. */
export function version(): string {
    return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}
