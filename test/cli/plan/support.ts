import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../../cli/main";
import { EXAMPLE_TENANTS, LIVE_REGISTRY } from "../../support/registry-fixture";
import type { CommandIO } from "../../../cli/commands";

/** The repository root: the project the plan tests run against. */
export const ROOT = path.resolve(__dirname, "../../..");

/** What one in-process CLI run printed and returned. */
export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `tenancy <args>` in-process with captured streams. */
export async function runCli(args: string[], options: { cwd?: string; errIsTTY?: boolean; heartbeatMs?: number } = {}): Promise<CliRun> {
    let stdout = "";
    let stderr = "";
    const io: CommandIO = {
        out: (text) => void (stdout += text),
        err: (text) => void (stderr += text),
        errIsTTY: options.errIsTTY ?? false,
        cwd: options.cwd ?? ROOT,
        heartbeatMs: options.heartbeatMs,
    };
    const code = await main(args, io);
    return { code, stdout, stderr };
}

// Temporary directories of the test file importing this module; each file calls removeTempDirs in afterAll.
const temporary: string[] = [];

/** Removes every directory tempDir (and isolatePlanKey) made in this test process. */
export function removeTempDirs(): void {
    for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Points the plan key at a fresh temporary config home, so tests never touch ~/.config and every
 * test file gets its own machine key.
 */
export function isolatePlanKey(): string {
    const home = tempDir("plan-home");
    process.env.XDG_CONFIG_HOME = home;
    return home;
}

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tenancy-${prefix}-`));
    temporary.push(dir);
    return dir;
}

/** Every file under a directory, relative paths sorted, with contents. */
export function readTree(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (at: string) => {
        for (const name of fs.readdirSync(at).sort()) {
            const full = path.join(at, name);
            if (fs.statSync(full).isDirectory()) walk(full);
            else out[path.relative(dir, full)] = fs.readFileSync(full, "utf8");
        }
    };
    walk(dir);
    return out;
}

/** Runs git in `repo` and returns its stdout. */
export function gitIn(repo: string, ...args: string[]): string {
    return execFileSync("git", args, { cwd: repo, stdio: "pipe" }).toString();
}

/** Makes `repo` a git repository whose `tenants/` holds the plan catalog, acme and globex, committed as "two tenants". */
export function commitTwoTenants(repo: string): void {
    const tenants = path.join(repo, "tenants");
    fs.mkdirSync(tenants);
    fs.copyFileSync(path.join(LIVE_REGISTRY, "plans.yaml"), path.join(tenants, "plans.yaml"));
    for (const name of ["acme.yaml", "globex.yaml"]) fs.writeFileSync(path.join(tenants, name), EXAMPLE_TENANTS[name]);
    gitIn(repo, "init", "-q");
    gitIn(repo, "config", "user.email", "plan-test@example.com");
    gitIn(repo, "config", "user.name", "plan test");
    gitIn(repo, "add", "-A");
    gitIn(repo, "commit", "-q", "-m", "two tenants");
}
