import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLE_TENANTS, LIVE_REGISTRY } from "../support/registry-fixture";
import { expand, invocations, ROOT } from "./support";

// A newcomer's pull request, as CI sees it: a copy of this repository whose main branch holds a
// registry, a branch that adds one tenant with `tenancy add`, and the workflow's own
// `npx tenancy …` commands run on it through the copy's bin, exactly as the plan job runs them.
const temporary: string[] = [];
afterAll(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const home = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-pr-home-"));
temporary.push(home);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { composeComment, COMMENT_LIMIT } = require(path.join(ROOT, ".github/scripts/pr-comment.cjs"));

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

async function tenancy(cwd: string, args: string[]): Promise<Run> {
    return promisify(execFile)(process.execPath, [path.join(cwd, "bin", "tenancy.js"), ...args], {
        cwd, env: { ...process.env, XDG_CONFIG_HOME: home, CI: "true" }, timeout: 240_000, maxBuffer: 64 << 20,
    }).then((r) => ({ code: 0, ...r }), (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }));
}

/** The parts of this repository CI needs to plan: the program, the pack, the command and the project files. */
const PROJECT = ["bin", "cli", "components", "contract", "infra", "policy", "registry", "package.json", "tsconfig.json", "Pulumi.yaml", "Pulumi.dev.yaml"];

/** A copy of this repository (node_modules linked, as `npm ci` would install them) whose main branch holds `tenants`. */
function repository(tenants: (dir: string) => void): string {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-pr-"));
    temporary.push(repo);
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" }).toString();
    for (const entry of PROJECT) fs.cpSync(path.join(ROOT, entry), path.join(repo, entry), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"));
    fs.mkdirSync(path.join(repo, "tenants"));
    tenants(path.join(repo, "tenants"));
    git("init", "-q", "-b", "main");
    git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "add", "-A");
    git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-q", "-m", "registry");
    // What actions/checkout with fetch-depth 0 leaves: the base branch as origin/main.
    git("update-ref", "refs/remotes/origin/main", "main");
    git("checkout", "-q", "-b", "add-tenant");
    return repo;
}

/** Runs every `npx tenancy` command of the pull-request workflow in `repo`; returns what each printed. */
async function runWorkflow(repo: string): Promise<Run[]> {
    // The preview job's `tenancy pack-config` reads the master key from the Pulumi backend: only the plan job runs here.
    const calls = invocations("npx tenancy").filter((c) => c.where.startsWith("pull-request.yml ") && c.args[0] === "plan");
    expect(calls.length).toBe(1);
    const runs: Run[] = [];
    for (const call of calls) runs.push(await tenancy(repo, expand(call, { "github.base_ref": "main" })));
    return runs;
}

describe("a pull request that adds a tenant", () => {
    it("posts this comment for a small registry (snapshot), within GitHub's limit", async () => {
        const repo = repository((dir) => {
            for (const [name, text] of Object.entries(EXAMPLE_TENANTS)) fs.writeFileSync(path.join(dir, name), text);
            fs.copyFileSync(path.join(LIVE_REGISTRY, "plans.yaml"), path.join(dir, "plans.yaml"));
        });
        const added = await tenancy(repo, ["add", "hooli", "--plan", "free", "--id", "org_hooli42", "--display-name", "Hooli"]);
        expect(added.code).toBe(0);
        const [plan] = await runWorkflow(repo);
        expect(plan.code).toBe(0);
        const base = execFileSync("git", ["rev-parse", "main"], { cwd: repo }).toString().trim();
        const body: string = composeComment({ plan: plan.stdout, planResult: "success", previewResult: "skipped", runUrl: "https://github.com/acme/tenancy/actions/runs/1" });
        expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
        await expect(body.replaceAll(base.slice(0, 12), "<base-commit>")).toMatchFileSnapshot("__snapshots__/new-tenant-comment.md");
        // The artifact holds the full report next to the comment's markdown.
        expect(JSON.parse(fs.readFileSync(path.join(repo, "plan-out", "report.json"), "utf8")).base).toMatchObject({ tenantsAdded: ["hooli"], tenantsRemoved: [], errors: [] });
    }, 300_000);

    it("passes CI on a copy of the repository's own registry, whatever it holds", async () => {
        const repo = repository((dir) => fs.cpSync(LIVE_REGISTRY, dir, { recursive: true }));
        const taken = new Set(fs.readdirSync(path.join(repo, "tenants")));
        let slug = "new-tenant";
        for (let i = 2; taken.has(`${slug}.yaml`); i++) slug = `new-tenant-${i}`;
        const plan = Object.keys((parse(fs.readFileSync(path.join(repo, "tenants", "plans.yaml"), "utf8")) as { plans: object }).plans)[0];
        expect((await tenancy(repo, ["add", slug, "--plan", plan])).code).toBe(0);
        expect((await tenancy(repo, ["validate"])).code).toBe(0);
        expect((await tenancy(repo, ["schema", "--check"])).code).toBe(0);
        const [run] = await runWorkflow(repo);
        expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
        expect(run.code).toBe(0);
        expect(run.stdout.startsWith("## tenancy plan: ✅ OK\n")).toBe(true);
        expect(run.stdout).toContain(`<b>${slug}</b> · ${plan} · active · org-${slug} · added</summary>`);
        const report = JSON.parse(fs.readFileSync(path.join(repo, "plan-out", "report.json"), "utf8"));
        expect(report.base).toMatchObject({ tenantsAdded: [slug], tenantsChanged: [], tenantsRemoved: [], errors: [] });
        // Only the new tenant and the shared NATS authorization change.
        for (const t of report.tenants) if (t.slug !== slug) expect(t.changes, t.slug).toEqual({ added: [], changed: [], removed: [] });
    }, 300_000);
});
