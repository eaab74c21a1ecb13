import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** --base could not be honoured: the message names the flag, the revision or the directory. */
export class BaseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BaseError";
    }
}

/** A registry directory as it was at a git revision, in a temporary directory. */
export interface BaseCheckout {
    /** The registry directory at the revision. */
    dir: string;
    /** The revision as given. */
    ref: string;
    /** The commit it resolved to. */
    commit: string;
    /** Files of the repository outside the registry that differ from the commit in the working tree (untracked ones included), relative to its root. */
    changedOutside: string[];
    /** The repository's root (its working tree). */
    root: string;
    /** A file of the repository (path relative to `root`) as it is at the commit, or undefined when it does not exist there. */
    readAt(file: string): string | undefined;
    /** Removes the temporary directory. */
    cleanup(): void;
}

function git(cwd: string, args: string[], input?: Buffer): Buffer {
    return execFileSync("git", args, { cwd, input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 1 << 30, timeout: 60_000 });
}

function stderrOf(error: unknown): string {
    const stderr = (error as { stderr?: Buffer }).stderr;
    return (stderr?.toString("utf8") ?? (error as Error).message).trim().split("\n")[0];
}

/**
 * Extracts the registry directory as it is at `ref` (one `git archive`, whatever the number of
 * tenants) into a temporary directory.
 */
export function checkoutRegistryAt(tenantsDir: string, ref: string): BaseCheckout {
    if (!fs.existsSync(tenantsDir)) throw new BaseError(`--base: registry directory ${tenantsDir} not found`);
    let root: string;
    try {
        root = git(tenantsDir, ["rev-parse", "--show-toplevel"]).toString("utf8").trim();
    } catch {
        throw new BaseError(`--base needs the registry in a git repository, and ${tenantsDir} is not in one`);
    }
    let commit: string;
    try {
        commit = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).toString("utf8").trim();
    } catch {
        throw new BaseError(`--base: unknown git revision "${ref}"; give a branch, tag or commit (e.g. --base origin/main)`);
    }
    const relative = path.relative(fs.realpathSync(root), fs.realpathSync(tenantsDir)) || ".";
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-base-"));
    const cleanup = () => fs.rmSync(temp, { recursive: true, force: true });
    try {
        let tar: Buffer;
        try {
            tar = git(root, ["archive", "--format=tar", commit, "--", relative]);
        } catch (error) {
            throw new BaseError(`--base: ${relative} does not exist at ${ref} (${stderrOf(error)})`);
        }
        execFileSync("tar", ["-x", "-C", temp], { input: tar, stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
        const readAt = (file: string) => {
            try {
                return git(root, ["show", `${commit}:${file}`]).toString("utf8");
            } catch {
                return undefined;
            }
        };
        return { dir: path.join(temp, relative), ref, commit, cleanup, changedOutside: changedOutside(root, commit, relative), root, readAt };
    } catch (error) {
        cleanup();
        throw error;
    }
}

// What a change touches besides the registry: the working tree against the commit, and new files.
function changedOutside(root: string, commit: string, relative: string): string[] {
    const lines = (args: string[]) => git(root, args).toString("utf8").split("\n").filter((l) => l !== "");
    const changed = [...lines(["diff", "--name-only", commit, "--"]), ...lines(["ls-files", "--others", "--exclude-standard"])];
    const inside = (file: string) => relative === "." || file === relative || file.startsWith(`${relative}/`);
    return [...new Set(changed.filter((f) => !inside(f)))].sort();
}
