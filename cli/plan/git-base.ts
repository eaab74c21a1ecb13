import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { directoryFiles, MAX_FILE_BYTES, type RegistryFileEntry, type RegistryFiles } from "../../registry";

/** --base could not be honoured: the message names the flag, the revision or the directory. */
export class BaseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BaseError";
    }
}

/** A registry directory as it was at a git revision. */
export interface BaseCheckout {
    /**
     * Where the registry at the revision is: the path its registry has as `dir`. A directory on disk
     * only when the checkout was asked for one (`directory`) or the registry holds a symbolic link;
     * otherwise no file is written and nothing but `files` can read it.
     */
    dir: string;
    /** Its entries, read from git's object store (or from the directory). */
    files: RegistryFiles;
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
    /** Removes the temporary directory, if one was written. */
    cleanup(): void;
}

function git(cwd: string, args: string[], input?: Buffer): Buffer {
    return execFileSync("git", args, { cwd, input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 1 << 30, timeout: 60_000 });
}

/**
 * Runs a command without blocking the event loop: its stdout (or, with `stdout`, nothing: it goes to
 * that file descriptor), its stderr in the error as execFileSync gives it; `input` is its stdin.
 */
function run(command: string, args: string[], cwd: string, options: { stdout?: number; input?: string } = {}): Promise<Buffer> {
    const child = spawn(command, args, { cwd, stdio: [options.input === undefined ? "ignore" : "pipe", options.stdout ?? "pipe", "pipe"], timeout: 60_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => err.push(chunk));
    // git may exit before reading all of its input (a bad object): the close below reports it.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.input);
    return new Promise<Buffer>((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (code, signal) => {
            if (code === 0) resolve(Buffer.concat(out));
            else reject(Object.assign(new Error(`${command} ${args[0]} failed (${signal ?? `code ${code}`})`), { stderr: Buffer.concat(err) }));
        });
    });
}

/**
 * The registry directory as it is at `ref`, read from git's object store (one `git ls-tree` and one
 * `git cat-file`, whatever the number of tenants) without writing a file; with `directory`, or when
 * the registry holds a symbolic link (whose target only a file system resolves), extracted into a
 * temporary directory instead. Only the revision is resolved before this returns: the reading and
 * the comparison with the working tree run in git's processes while the caller validates the
 * working tree's registry.
 */
export async function checkoutRegistryAt(tenantsDir: string, ref: string, options: { directory?: boolean } = {}): Promise<BaseCheckout> {
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
    const relative = path.relative(fs.realpathSync(root), fs.realpathSync(tenantsDir)).split(path.sep).join("/") || ".";
    const where = { root, commit, relative, ref };
    const read = options.directory ? extract(where) : readTree(where).then((tree) => tree ?? extract(where));
    const changed = changedOutside(root, commit, relative);
    // Both settle before a directory may be removed.
    const [got, outside] = await Promise.all([read.then((r) => r, (error: unknown) => error as Error), changed.then((c) => c, (error: unknown) => error as Error)]);
    if (got instanceof Error) throw got;
    if (outside instanceof Error) {
        got.cleanup();
        throw outside;
    }
    const readAt = (file: string) => {
        try {
            return git(root, ["show", `${commit}:${file}`]).toString("utf8");
        } catch {
            return undefined;
        }
    };
    return { dir: got.files.dir, files: got.files, cleanup: got.cleanup, ref, commit, changedOutside: outside, root, readAt };
}

interface At {
    root: string;
    commit: string;
    /** The registry directory relative to the root, `/`-separated; `.` for the root itself. */
    relative: string;
    ref: string;
}

// Where a registry read from git says it is: never created, unique to the commit and directory.
function virtualDir({ commit, relative }: At): string {
    return path.join(os.tmpdir(), `tenancy-base-${commit.slice(0, 12)}-not-on-disk`, relative);
}

function missing({ relative, ref, commit }: At): BaseError {
    return new BaseError(`--base: ${relative} does not exist at ${ref}, or is not a directory there (commit ${commit.slice(0, 12)})`);
}

/**
 * The registry's entries at the commit, from `git ls-tree` (names, modes, sizes) and `git cat-file
 * --batch` (the texts of the regular files within the size limit); undefined when one is a symbolic
 * link.
 */
async function readTree(at: At): Promise<{ files: RegistryFiles; cleanup(): void } | undefined> {
    const tree = at.relative === "." ? `${at.commit}^{tree}` : `${at.commit}:${at.relative}`;
    let listing: Buffer;
    try {
        listing = await run("git", ["ls-tree", "-z", "-l", tree], at.root);
    } catch {
        throw missing(at);
    }
    const entries = new Map<string, { file: false } | { file: true; size: number; oid?: string }>();
    for (const record of listing.toString("utf8").split("\0")) {
        if (record === "") continue;
        // <mode> SP <type> SP <object> SP+ <size> TAB <name>, the name unquoted under -z.
        const m = /^(\d{6}) (\w+) ([0-9a-f]+) +(\d+|-)\t(.+)$/s.exec(record);
        if (!m) throw new BaseError(`--base: git ls-tree printed an entry this version of tenancy cannot read: ${JSON.stringify(record.slice(0, 200))}`);
        const [, mode, type, oid, size, name] = m;
        if (mode === "120000") return undefined;
        if (type !== "blob") entries.set(name, { file: false });
        else entries.set(name, { file: true, size: Number(size), oid: Number(size) > MAX_FILE_BYTES ? undefined : oid });
    }
    const texts = await blobTexts(at.root, [...new Set([...entries.values()].flatMap((e) => (e.file && e.oid ? [e.oid] : [])))]);
    const files: RegistryFiles = {
        dir: virtualDir(at),
        names: () => [...entries.keys()],
        entry(name): RegistryFileEntry | undefined {
            const e = entries.get(name);
            if (!e?.file) return e;
            // Only a file over the size limit has no text, and validateRegistry never reads one.
            return { file: true, size: e.size, read: () => (e.oid ? texts.get(e.oid) : undefined) ?? "" };
        },
    };
    return { files, cleanup: () => undefined };
}

// Each blob's text, from one `git cat-file --batch`: `<object> SP blob SP <size> LF <contents> LF` per object.
async function blobTexts(root: string, oids: string[]): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    if (oids.length === 0) return texts;
    const out = await run("git", ["cat-file", "--batch"], root, { input: oids.map((o) => `${o}\n`).join("") });
    let at = 0;
    for (const oid of oids) {
        const eol = out.indexOf(10, at);
        const header = /^([0-9a-f]+) blob (\d+)$/.exec(out.toString("utf8", at, eol < 0 ? out.length : eol));
        if (eol < 0 || !header || header[1] !== oid) throw new BaseError(`--base: git cat-file did not return the blob ${oid} of the registry`);
        const size = Number(header[2]);
        texts.set(oid, out.toString("utf8", eol + 1, eol + 1 + size));
        at = eol + 1 + size + 1;
    }
    return texts;
}

// The registry extracted into a temporary directory: one `git archive` piped through tar.
async function extract(at: At): Promise<{ files: RegistryFiles; cleanup(): void }> {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-base-"));
    const cleanup = () => fs.rmSync(temp, { recursive: true, force: true });
    try {
        // git writes the archive to a file of its own (not through this process), which tar then reads.
        const archiveFile = `${temp}.tar`;
        const fd = fs.openSync(archiveFile, "wx", 0o600);
        const archived = run("git", ["archive", "--format=tar", at.commit, "--", at.relative], at.root, { stdout: fd });
        fs.closeSync(fd);
        await archived
            .then(
                () => run("tar", ["-x", "-f", archiveFile, "-C", temp], at.root),
                () => {
                    throw missing(at);
                },
            )
            .finally(() => fs.rmSync(archiveFile, { force: true }));
        return { files: directoryFiles(path.join(temp, at.relative)), cleanup };
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
