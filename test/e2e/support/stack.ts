// The project itself as a Pulumi stack in a throwaway backend: the real CLI built by `npm run
// tools`, a local file backend and PULUMI_HOME in a temp folder, a random passphrase, and the
// stack's config in a file of that folder (`--config-file`), so nothing is written into the clone.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { natsKeysSetting, packConfig, type PackSettings } from "../../../cli/plan/pack-config";
import { NATS_KEY_GENERATIONS_CONFIG, NATS_MASTER_KEY_CONFIG, PULUMI_RUN_ENV } from "../../../contract";
import { validateRegistry } from "../../../registry";
import { toolsPath } from "../../../tools/paths";

/** The project the CLI runs: the repository itself (Pulumi.yaml, infra/index.ts, policy/). */
export const PROJECT_ROOT = path.resolve(__dirname, "../../..");

const { compiledPackDir } = require(path.join(PROJECT_ROOT, "bin", "build-state")) as { compiledPackDir(root: string): string | undefined };

/**
 * The pack the suite passes to --policy-pack: dist/policy, as the workflows do, when `npm ci` (or
 * `npm run build`) compiled it from the sources as they are; else policy/, so a rule edited since the
 * build is what runs (type-checked by run-policy-pack).
 */
export function suitePackDir(): string {
    return compiledPackDir(PROJECT_ROOT) ?? path.join(PROJECT_ROOT, "policy");
}

/** What one command did. */
export interface CliRun {
    /** Exit code (null when killed). */
    code: number | null;
    /** Standard output. */
    stdout: string;
    /** Standard error. */
    stderr: string;
}

/** A stack of the project in a throwaway backend. */
export interface StackWorkspace {
    /** `--policy-pack <dist/policy or policy> --policy-pack-config <file>`: the pack ({@link suitePackDir}), told which registry the stack deploys. */
    policy: string[];
    /** The temp folder (backend, PULUMI_HOME, config file). */
    dir: string;
    /** The stack name. */
    stack: string;
    /** The stack's config file, passed to every command as --config-file. */
    configFile: string;
    /** Environment of every command, PULUMI_RUN_ENV included (holds the passphrase: never print it). */
    env: NodeJS.ProcessEnv;
}

/** Runs a command bounded in time (with `input` on its stdin, if given); past the bound it is stopped by PID (SIGTERM, then SIGKILL). */
export function runBounded(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; input?: string }): Promise<CliRun> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
        if (options.input !== undefined) child.stdin!.end(options.input);
        let stdout = "";
        let stderr = "";
        child.stdout!.setEncoding("utf8").on("data", (c: string) => (stdout += c));
        child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
        let killer: NodeJS.Timeout | undefined;
        const timer = setTimeout(() => {
            stderr += `\n[e2e] ${path.basename(command)} ${args[0]} exceeded ${options.timeoutMs} ms and was stopped\n`;
            if (child.pid) process.kill(child.pid, "SIGTERM");
            killer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), 5_000);
        }, options.timeoutMs);
        child.on("error", (error) => {
            stderr += `\n[e2e] could not start ${command}: ${error.message}\n`;
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            if (killer) clearTimeout(killer);
            resolve({ code, stdout, stderr });
        });
    });
}

/** The command line {@link pulumi} runs: `<args> --stack … --config-file … --non-interactive --color never`. */
export function pulumiArgs(ws: StackWorkspace, args: string[]): string[] {
    return [...args, "--stack", ws.stack, "--config-file", ws.configFile, "--non-interactive", "--color", "never"];
}

/** Runs `pulumi <args> --stack … --config-file … --non-interactive` for the workspace's stack, in `cwd` (the project by default). */
export function pulumi(ws: StackWorkspace, args: string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<CliRun> {
    return runBounded("pulumi", pulumiArgs(ws, args), {
        cwd: options.cwd ?? PROJECT_ROOT,
        env: ws.env,
        timeoutMs: options.timeoutMs ?? 600_000,
    });
}

/** The stack's state as `pulumi stack export` prints it (a command that takes no --config-file). */
export async function stackExport(ws: StackWorkspace): Promise<{ deployment: { resources: Array<{ urn: string; type: string; protect?: boolean }> } }> {
    const run = await runBounded("pulumi", ["stack", "export", "--stack", ws.stack, "--non-interactive"], { cwd: PROJECT_ROOT, env: ws.env, timeoutMs: 60_000 });
    if (run.code !== 0) throw new Error(`pulumi stack export exited ${run.code}\n${run.stdout}\n${run.stderr}`);
    return JSON.parse(run.stdout);
}

/** Like {@link pulumi}, but throws with the output unless the command exits 0. */
export async function pulumiOk(ws: StackWorkspace, args: string[], options?: { timeoutMs?: number; cwd?: string }): Promise<CliRun> {
    const run = await pulumi(ws, args, options);
    if (run.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${run.code}\n${run.stdout}\n${run.stderr}`);
    return run;
}

/** One config value of the stack. */
export interface ConfigValue {
    /** Key, e.g. `tenancy:tenantsDir`. */
    key: string;
    /** Value (secret ones are encrypted by the CLI). */
    value: string;
    /** Store with --secret. */
    secret?: boolean;
}

// The pack's natsKeys as `tenancy pack-config` derives them from the stack's master key and key generations.
function stackNatsKeys(config: ConfigValue[], registryDir: string): PackSettings {
    const master = config.find((c) => c.key === NATS_MASTER_KEY_CONFIG)?.value;
    const { registry } = validateRegistry(registryDir);
    if (master === undefined || !registry) return {};
    const generations = config.find((c) => c.key === NATS_KEY_GENERATIONS_CONFIG)?.value;
    return natsKeysSetting(master, registry, generations ? (JSON.parse(generations) as Record<string, number>) : {});
}

/**
 * Creates a stack in a new file backend (`pulumi login file://…`, `pulumi stack init`) and sets
 * its config; the passphrase is random per workspace. The pack's `--policy-pack-config` is what
 * `tenancy pack-config` prints: the stack's registry for every rule that reads one, plus `pack`
 * (a shard and its pinned keys).
 */
export async function createStack(config: ConfigValue[], stack = "e2e", pack: PackSettings = {}): Promise<StackWorkspace> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-e2e-stack-"));
    fs.mkdirSync(path.join(dir, "state"));
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: [toolsPath(["pulumi", "pulumi-resource-kubernetes"]), path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        PULUMI_HOME: path.join(dir, "home"),
        PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: randomBytes(24).toString("base64"),
        // What every documented run sets (contract/pulumi-run.ts), so the suite tests what users run.
        ...PULUMI_RUN_ENV,
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        NO_COLOR: "1",
    };
    delete env.PULUMI_ACCESS_TOKEN;
    delete env.PULUMI_STACK;
    const policyConfig = path.join(dir, "policy-config.json");
    const ws: StackWorkspace = { dir, stack, configFile: path.join(dir, `Pulumi.${stack}.yaml`), env, policy: ["--policy-pack", suitePackDir(), "--policy-pack-config", policyConfig] };
    const registryDir = config.find((c) => c.key === "tenancy:tenantsDir")?.value ?? path.join(PROJECT_ROOT, "tenants");
    fs.writeFileSync(policyConfig, JSON.stringify(packConfig({ registryDir, ...stackNatsKeys(config, registryDir), ...pack })));
    // stack init writes the passphrase salt into Pulumi.<stack>.yaml next to Pulumi.yaml: run it in
    // a folder holding only a copy of Pulumi.yaml, so that file is the workspace's config file.
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const init = await runBounded("pulumi", ["stack", "init", stack, "--non-interactive"], { cwd: dir, env, timeoutMs: 60_000 });
    if (init.code !== 0) throw new Error(`pulumi stack init failed (${init.code}):\n${init.stdout}\n${init.stderr}`);
    for (const c of config) await pulumiOk(ws, ["config", "set", ...(c.secret ? ["--secret"] : ["--plaintext"]), c.key, c.value]);
    return ws;
}
