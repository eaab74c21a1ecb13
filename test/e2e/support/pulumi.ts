// Runs the real Pulumi CLI (built by `npm run tools`) in a sandbox: a temp PULUMI_HOME, a file:// backend in a temp
// folder, a fixed passphrase, no update checks and no plugin downloads. The CLI finds its Node.js language host next
// to itself (the `pulumi` tool's bin dir holds both) and the provider (
// pulumi-resource-kubernetes) on PATH: a provider on PATH is used whatever version the program's SDK asks for (the
// CLI says so with a "using pulumi-resource-… from $PATH" warning), so nothing is installed into PULUMI_HOME.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { toolsPath, type ToolName } from "../../../tools/paths";

/** The repo root, whose node_modules the test projects use. */
export const REPO_ROOT = path.resolve(__dirname, "../../..");

const PULUMI_TOOLS: ToolName[] = ["pulumi", "pulumi-resource-kubernetes"];

export interface PulumiResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface PulumiSandbox {
    /** The temp folder: home/ (PULUMI_HOME), state/ (backend), and the projects made with project(). */
    dir: string;
    /** The environment every command runs with. */
    env: NodeJS.ProcessEnv;
    /**
     * Writes a Node.js project (Pulumi.yaml with runtime nodejs, package.json, the given files) into a folder of the
     * sandbox, with node_modules linked to the repo's, and returns that folder.
     */
    project(name: string, files: Record<string, string>): string;
    /** Runs `pulumi <args>` in cwd; rejects when it exits non-zero (with its output), unless allowFailure. */
    pulumi(args: string[], cwd: string, opts?: { allowFailure?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<PulumiResult>;
    /** Removes the sandbox. */
    cleanup(): void;
}

export function createPulumiSandbox(tools: ToolName[] = PULUMI_TOOLS): PulumiSandbox {
    const binPath = toolsPath(tools); // throws "run `npm run tools`" when a tool is missing
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-e2e-pulumi-"));
    const home = path.join(dir, "home");
    const state = path.join(dir, "state");
    fs.mkdirSync(home);
    fs.mkdirSync(state);
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: [binPath, path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter),
        PULUMI_HOME: home,
        PULUMI_BACKEND_URL: `file://${state}`,
        PULUMI_CONFIG_PASSPHRASE: "e2e",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        NO_COLOR: "1",
        CI: "true",
    };
    // Don't let an outer Pulumi session leak in.
    delete env.PULUMI_ACCESS_TOKEN;
    delete env.PULUMI_STACK;

    const pulumi: PulumiSandbox["pulumi"] = (args, cwd, opts = {}) =>
        new Promise((resolve, reject) => {
            const child = spawn("pulumi", [...args, "--non-interactive"], { cwd, env: { ...env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
            child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
            const timer = setTimeout(() => {
                if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
            }, opts.timeoutMs ?? 120_000);
            child.on("error", (err) => {
                clearTimeout(timer);
                reject(err);
            });
            child.on("close", (code, signal) => {
                clearTimeout(timer);
                const result = { code: code ?? -1, stdout, stderr };
                if (code === 0 || opts.allowFailure) return resolve(result);
                reject(new Error(`pulumi ${args.join(" ")} exited with ${signal ?? code}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
            });
        });

    return {
        dir,
        env,
        project(name, files) {
            const projectDir = path.join(dir, name);
            fs.mkdirSync(projectDir);
            fs.writeFileSync(
                path.join(projectDir, "Pulumi.yaml"),
                `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n`,
            );
            fs.writeFileSync(path.join(projectDir, "package.json"), JSON.stringify({ name, private: true, main: "index.js" }, null, 2));
            fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(projectDir, "node_modules"), "dir");
            for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(projectDir, file), text);
            return projectDir;
        },
        pulumi,
        cleanup() {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
