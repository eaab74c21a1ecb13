import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLE_REGISTRY } from "../../support/registry-fixture";
import { isolatePlanKey, removeTempDirs, ROOT, runCli, tempDir } from "./support";

// Every failure here is detected before the program or the policy pack start, so these are fast.
isolatePlanKey();
afterAll(removeTempDirs);
const HINT = 'Run "tenancy plan --help" for usage.\n';

async function usage(args: string[], message: string) {
    const run = await runCli(["plan", ...args]);
    expect(run).toEqual({ code: 2, stdout: "", stderr: `tenancy plan: ${message}\n${HINT}` });
}

describe("tenancy plan: bad flags and missing files", () => {
    it("rejects an unknown flag, naming the known ones", async () => {
        await usage(["--outdir", "x"], "unknown flag --outdir; known flags: --tenants, --stack, --out, --format, --reveal-secrets, --base, --full, --quiet, --program, --policy-pack, --shard-size");
    });

    it("rejects a flag without its value", async () => {
        await usage(["--base"], "--base needs a value");
        await usage(["--out", "--quiet"], "--out needs a value");
    });

    it("rejects a positional argument", async () => {
        await usage(["tenants"], 'unexpected argument "tenants"');
    });

    it("rejects an unknown format", async () => {
        await usage(["--format", "yaml"], '--format must be one of text, json, markdown, not "yaml"');
    });

    it("refuses --reveal-secrets without --out, so secrets never go to the terminal", async () => {
        await usage(["--reveal-secrets"], "--reveal-secrets only affects the files of --out; pass --out DIR as well");
    });

    it("names a missing registry directory, program, policy pack or stack file", async () => {
        await usage(["--tenants", "no-such-dir"], "--tenants no-such-dir: directory not found");
        await usage(["--program", "infra/nope.ts"], "--program infra/nope.ts: file not found");
        await usage(["--policy-pack", "test"], "policy pack test not found (no PulumiPolicy.yaml); pass --policy-pack DIR");
        await usage(["--stack", "prod"], `--stack prod: stack file Pulumi.prod.yaml not found in ${ROOT}; pass an existing stack or create it with pulumi stack init prod`);
        await usage(["--stack", "../x"], '--stack "../x" is not a stack name (letters, digits, \'-\', \'_\', \'.\')');
    });

    it("rejects --out pointing at a file", async () => {
        const file = path.join(tempDir("out-file"), "report.txt");
        fs.writeFileSync(file, "");
        await usage(["--out", file], `--out ${file} exists and is not a directory`);
    });

    it("finds the project from a subdirectory, as the Pulumi CLI does", async () => {
        const run = await runCli(["plan", "--stack", "prod"], { cwd: path.join(ROOT, "tenants") });
        expect(run.stderr).toBe(`tenancy plan: --stack prod: stack file Pulumi.prod.yaml not found in ${ROOT}; pass an existing stack or create it with pulumi stack init prod\n${HINT}`);
    });

    it("rejects an unknown --base revision", async () => {
        await usage(["--base", "no-such-ref-xyz"], '--base: unknown git revision "no-such-ref-xyz"; give a branch, tag or commit (e.g. --base origin/main)');
    });

    it("rejects --base when the registry did not exist at that revision, naming its commit", async () => {
        const repo = tempDir("late-registry");
        const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: repo, stdio: "pipe" });
        git("init", "-q");
        fs.writeFileSync(path.join(repo, "README.md"), "before the registry\n");
        git("add", "-A");
        git("commit", "-qm", "first");
        fs.cpSync(EXAMPLE_REGISTRY, path.join(repo, "tenants"), { recursive: true });
        const commit = git("rev-parse", "HEAD").toString("utf8").trim();
        await usage(["--tenants", path.join(repo, "tenants"), "--base", "HEAD"], `--base: tenants does not exist at HEAD, or is not a directory there (commit ${commit.slice(0, 12)})`);
    });

    it("rejects --base when the registry is not in a git repository", async () => {
        const dir = tempDir("no-git");
        fs.cpSync(EXAMPLE_REGISTRY, dir, { recursive: true });
        await usage(["--tenants", dir, "--base", "HEAD"], `--base needs the registry in a git repository, and ${dir} is not in one`);
    });

    it("explains a plan key that cannot be created", async () => {
        const notADir = path.join(tempDir("key-home"), "file");
        fs.writeFileSync(notADir, "");
        const saved = process.env.XDG_CONFIG_HOME;
        process.env.XDG_CONFIG_HOME = notADir;
        try {
            expect(await runCli(["plan", "--tenants", EXAMPLE_REGISTRY])).toEqual({
                code: 1,
                stdout: "",
                stderr: `tenancy plan: cannot create the plan key ${notADir}/tenancy/plan-key (ENOTDIR); set XDG_CONFIG_HOME to a writable directory\n`,
            });
        } finally {
            process.env.XDG_CONFIG_HOME = saved;
        }
    });

    it("exits 2 with the registry's error list on a bad registry, planning nothing", async () => {
        const dir = tempDir("bad-registry");
        fs.cpSync(EXAMPLE_REGISTRY, dir, { recursive: true });
        const acme = path.join(dir, "acme.yaml");
        fs.writeFileSync(acme, fs.readFileSync(acme, "utf8").replace("agentLimit: 10", "agentLimit: 1.5"));
        fs.writeFileSync(path.join(dir, "globex.yml"), "slug: globex\n");
        const run = await runCli(["plan", "--tenants", dir]);
        expect(run).toEqual({
            code: 2,
            stdout: "",
            stderr:
                `${dir}/acme.yaml:7:13 agentLimit: must be a whole number\n` +
                `${dir}/globex.yml:1:1 (file): rename to globex.yaml; registry files end in .yaml\n` +
                `tenancy plan: 2 problems in ${dir}; nothing was planned\n`,
        });
    });
});
