import { execFileSync, spawn } from "node:child_process";
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
 * Runs a command without blocking the event loop: its stdout (or, with `stdout`, nothing: it goes to
 * that file descriptor), its stderr in the error as execFileSync gives it.
 */
function run(command: string, args: string[], cwd: string, stdout?: number): Promise<Buffer> {
    const child = spawn(command, args, { cwd, stdio: ["ignore", stdout ?? "pipe", "pipe"], timeout: 60_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => err.push(chunk));
    return new Promise<Buffer>((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (code, signal) => {
            if (code === 0) resolve(Buffer.concat(out));
            else reject(Object.assign(new Error(`${command} ${args[0]} failed (${signal ?? `code ${code}`})`), { stderr: Buffer.concat(err) }));
        });
    });
}

/**
 * Extracts the registry directory as it is at `ref` (one `git archive`, whatever the number of
 * tenants) into a temporary directory. Only the revision is resolved before this returns: the
 * extraction and the comparison with the working tree run in git's processes while the caller
 * validates the working tree's registry.
 */
export async function checkoutRegistryAt(tenantsDir: string, ref: string): Promise<BaseCheckout> {
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
        // git writes the archive to a file of its own (not through this process), which tar then reads.
        const archiveFile = `${temp}.tar`;
        const fd = fs.openSync(archiveFile, "wx", 0o600);
        const archived = run("git", ["archive", "--format=tar", commit, "--", relative], root, fd);
        fs.closeSync(fd);
        const extracted = archived
            .then(
                () => run("tar", ["-x", "-f", archiveFile, "-C", temp], root),
                (error: unknown) => {
                    throw new BaseError(`--base: ${relative} does not exist at ${ref} (${stderrOf(error)})`);
                },
            )
            .finally(() => fs.rmSync(archiveFile, { force: true }));
        const changed = changedOutside(root, commit, relative);
        // Both settle before the directory may be removed.
        const [outcome, outside] = await Promise.all([extracted.then(() => undefined, (error: unknown) => error), changed.then((c) => c, (error: unknown) => error as Error)]);
        if (outcome !== undefined) throw outcome;
        if (outside instanceof Error) throw outside;
        const readAt = (file: string) => {
            try {
                return git(root, ["show", `${commit}:${file}`]).toString("utf8");
            } catch {
                return undefined;
            }
        };
        return { dir: path.join(temp, relative), ref, commit, cleanup, changedOutside: outside, root, readAt };
    } catch (error) {
        cleanup();
        throw error;
    }
}

// What a change touches besides the registry: the working tree against the commit, and new files.
async function changedOutside(root: string, commit: string, relative: string): Promise<string[]> {
    const lines = async (args: string[]) => (await run("git", args, root)).toString("utf8").split("\n").filter((l) => l !== "");
    const [diff, untracked] = await Promise.all([lines(["diff", "--name-only", commit, "--"]), lines(["ls-files", "--others", "--exclude-standard"])]);
    const inside = (file: string) => relative === "." || file === relative || file.startsWith(`${relative}/`);
    return [...new Set([...diff, ...untracked].filter((f) => !inside(f)))].sort();
}
