// The project's policy pack, compiled once per version of its sources and dependencies. `pulumi
// preview` starts a TypeScript pack through ts-node, which type-checks every rule on every start
// (seconds, whatever the stack's size); the plan starts the same code compiled by tsc — which
// type-checks it exactly once — from a cache keyed by the hash of everything the compilation reads.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PACKAGE_ROOT } from "../package-root";

interface DigestOptions {
    dirs: readonly string[];
    files: readonly string[];
    accept?: (name: string) => boolean;
    seed?: string;
}
// bin/build-state.js is plain JavaScript (bin/tenancy.js digests the sources before any TypeScript loads); the pack's key is digested the same way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { treeDigest } = require(path.join(PACKAGE_ROOT, "bin", "build-state")) as { treeDigest(root: string, options: DigestOptions): string };

/** The folders the pack's compilation reads: the rules and what they import. */
export const PACK_SOURCE_DIRS: readonly string[] = ["policy", "contract", "registry", "components"];

// package-lock.json pins every dependency (`npm ci` installs exactly it), so its bytes stand for
// node_modules; tsconfig.json holds the compiler options the cached build extends.
const KEY_FILES = ["tsconfig.json", "package-lock.json"];

// Entries kept besides the one in use: a few recent versions of the pack (branches switched back and forth).
const KEEP = 4;

/** The cache key of the project's pack: a SHA-256 of the TypeScript version, the key files, and every source's path and bytes. */
export function packCacheKey(root: string): string {
    return treeDigest(root, {
        dirs: PACK_SOURCE_DIRS,
        files: KEY_FILES,
        accept: (name) => name.endsWith(".ts") || name === "package.json" || name === "PulumiPolicy.yaml",
        seed: `typescript ${typescriptVersion(root)}`,
    });
}

function typescriptVersion(root: string): string {
    try {
        return (JSON.parse(fs.readFileSync(require.resolve("typescript/package.json", { paths: [root] }), "utf8")) as { version: string }).version;
    } catch {
        return "missing";
    }
}

/**
 * Where the compiled packs live: under the project's node_modules (as other tools' caches do), so
 * the compiled rules resolve `@pulumi/policy` from the same node_modules, and `npm ci`, which
 * replaces the dependencies, empties the cache with them.
 */
export function packCacheRoot(root: string): string {
    return path.join(root, "node_modules", ".cache", "tenancy-pack");
}

/** The compiled pack of this key, when the cache holds it complete. */
export function cachedPack(root: string, key: string = packCacheKey(root)): string | undefined {
    const dir = path.join(packCacheRoot(root), key, "policy");
    return fs.existsSync(path.join(dir, ".complete")) ? dir : undefined;
}

/** What compiling the pack gave: its directory, or why there is none (the caller then starts the sources). */
export type CompiledPack = { dir: string; compiled: boolean } | { problem: string };

/**
 * The project's pack compiled from its current sources and dependencies: from the cache, else
 * compiled by tsc (type-checked, with the project's compiler options) into it. A pack that does not
 * compile is not cached: `problem` holds tsc's output, and the caller starts the sources, whose
 * start reports the same errors as `pulumi preview` would.
 */
export async function compiledPack(root: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CompiledPack> {
    const key = packCacheKey(root);
    const hit = cachedPack(root, key);
    if (hit) return { dir: hit, compiled: false };
    const cacheRoot = packCacheRoot(root);
    fs.mkdirSync(cacheRoot, { recursive: true });
    // Built aside and renamed into place: a concurrent plan sees a complete entry or none.
    const work = fs.mkdtempSync(path.join(cacheRoot, `.build-${key.slice(0, 12)}-`));
    try {
        const tsconfig = path.join(work, "tsconfig.json");
        fs.writeFileSync(
            tsconfig,
            JSON.stringify({
                extends: path.join(root, "tsconfig.json"),
                compilerOptions: { noEmit: false, outDir: path.join(work, "out"), rootDir: root, sourceMap: false, declaration: false },
                files: [path.join(root, "policy", "index.ts")],
                include: [],
            }),
        );
        const tsc = await runTsc(root, tsconfig, options.timeoutMs ?? 300_000, options.signal);
        if (tsc.code !== 0) return { problem: `tsc exited ${tsc.code ?? "on a signal"}${tsc.output ? `:\n${tsc.output.trimEnd()}` : ""}` };
        const pack = path.join(work, "out", "policy");
        const manifest = JSON.parse(fs.readFileSync(path.join(root, "policy", "package.json"), "utf8")) as Record<string, unknown>;
        fs.writeFileSync(path.join(pack, "package.json"), `${JSON.stringify({ ...manifest, main: "index.js" }, null, 2)}\n`);
        fs.copyFileSync(path.join(root, "policy", "PulumiPolicy.yaml"), path.join(pack, "PulumiPolicy.yaml"));
        fs.writeFileSync(path.join(pack, ".complete"), `${key}\n`);
        try {
            fs.renameSync(path.join(work, "out"), path.join(cacheRoot, key));
        } catch (error) {
            // Another plan put the same key in place first: its entry is the same compilation.
            if (!cachedPack(root, key)) throw error;
        }
        evictOld(cacheRoot, key);
        return { dir: path.join(cacheRoot, key, "policy"), compiled: true };
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

function runTsc(root: string, tsconfig: string, timeoutMs: number, signal?: AbortSignal): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [require.resolve("typescript/bin/tsc", { paths: [root] }), "-p", tsconfig], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
        const stop = () => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, "SIGKILL");
        signal?.addEventListener("abort", stop, { once: true });
        let output = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
        child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
        const timer = setTimeout(stop, timeoutMs);
        child.on("error", (error) => (output += error.message));
        child.on("close", (code) => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", stop);
            resolve({ code, output });
        });
    });
}

// Removes all but the newest entries (by modification time), never the one just used.
function evictOld(cacheRoot: string, keep: string): void {
    const entries = fs
        .readdirSync(cacheRoot, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== keep)
        .map((e) => ({ name: e.name, mtime: fs.statSync(path.join(cacheRoot, e.name)).mtimeMs }))
        .sort((a, b) => b.mtime - a.mtime);
    for (const old of entries.slice(KEEP - 1)) fs.rmSync(path.join(cacheRoot, old.name), { recursive: true, force: true });
}
