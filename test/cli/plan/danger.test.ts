import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderMarkdown } from "../../../cli/plan/markdown";
import { renderText } from "../../../cli/plan/render";
import type { PlanReport } from "../../../cli/plan/report";
import { EXAMPLE_TENANTS, LIVE_REGISTRY } from "../../support/registry-fixture";
import { isolatePlanKey, removeTempDirs, ROOT, runCli, tempDir } from "./support";

// A repository holding a project of its own (the project's program and pack), its stack file and
// the registry, so that a pull request may change both the registry and the stack file. Each test
// edits the working tree, plans with --base HEAD, checks the ⚠️ section and commits.
isolatePlanKey();
afterAll(removeTempDirs);
const repo = tempDir("danger-repo");
const tenants = path.join(repo, "tenants");
const stackFile = path.join(repo, "Pulumi.ci.yaml");
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" }).toString();
const write = (file: string, text: string) => fs.writeFileSync(path.join(tenants, file), text);
const edit = (file: string, from: string, to: string) => {
    const text = fs.readFileSync(path.join(tenants, file), "utf8");
    expect(text).toContain(from);
    write(file, text.replace(from, to));
};
const commitAll = () => {
    git("add", "-A");
    git("commit", "-q", "-m", "step");
};
const STACK = ["config:", "  tenancy:nats:", "    namespace: nats", ""].join("\n");

async function plan(): Promise<{ code: number; stderr: string; report: PlanReport }> {
    const run = await runCli(["plan", "--stack", "ci", "--tenants", "tenants", "--base", "HEAD", "--format", "json", "--quiet", "--policy-pack", path.join(ROOT, "policy")], { cwd: repo });
    expect(run.stdout, run.stderr).not.toBe("");
    return { code: run.code, stderr: run.stderr, report: JSON.parse(run.stdout) as PlanReport };
}

/** The ⚠️ section of the text report: from its heading to the blank line after it. */
function textSection(report: PlanReport): string[] {
    const lines = renderText(report).split("\n");
    const start = lines.findIndex((l) => l.startsWith("⚠️"));
    return start < 0 ? [] : lines.slice(start, lines.indexOf("", start));
}

/** The title and the ⚠️ section of the PR comment. */
function markdownSection(report: PlanReport): string[] {
    const lines = renderMarkdown(report).split("\n");
    const start = lines.findIndex((l) => l.startsWith("### ⚠️"));
    return [lines[0], ...(start < 0 ? [] : lines.slice(start, lines.indexOf("", start + 2)))];
}

beforeAll(() => {
    fs.mkdirSync(tenants);
    fs.writeFileSync(path.join(repo, "Pulumi.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").replace("main: infra/main.js", `main: ${path.join(ROOT, "infra", "main.js")}`));
    fs.writeFileSync(stackFile, STACK);
    fs.copyFileSync(path.join(LIVE_REGISTRY, "plans.yaml"), path.join(tenants, "plans.yaml"));
    for (const name of ["acme.yaml", "globex.yaml", "initech.yaml"]) write(name, EXAMPLE_TENANTS[name]);
    git("init", "-q");
    git("config", "user.email", "plan-test@example.com");
    git("config", "user.name", "plan test");
    commitAll();
});

describe("tenancy plan --base: the ⚠️ section of destructive or weakening changes", () => {
    it("flags a suspend (agents stopped) and a decommission (protection lifted, agents stopped)", async () => {
        edit("acme.yaml", "lifecycle: active", "lifecycle: suspended");
        edit("globex.yaml", "agentLimit: 40", "lifecycle: decommissioned\nagentLimit: 40");
        const { code, stderr, report } = await plan();
        expect([code, stderr, report.base!.errors]).toEqual([0, "", []]);
        expect(report.dangers).toEqual([
            {
                kind: "stopped", tenant: "acme",
                message: "agents stopped (lifecycle active → suspended): ResourceQuota org-acme/quota pods 15 → 0, the platform controller scales running agents to zero, and the NATS account admits no connection (limits.conn 50 → 0; its user and credential stay, and so do its data and Secrets)",
            },
            {
                kind: "protection-lifted", tenant: "globex",
                message: `protection lifted from Namespace org-globex (lifecycle active → decommissioned; protect true → false): removing ${tenants}/globex.yaml in a later change deletes the namespace with its data`,
            },
            {
                kind: "stopped", tenant: "globex",
                message: "agents stopped (lifecycle active → decommissioned): ResourceQuota org-globex/quota pods 50 → 0, the platform controller scales running agents to zero, and the NATS account admits no connection (limits.conn 500 → 0; its user and credential stay, and so do its data and Secrets)",
            },
        ]);
        expect(textSection(report)).toEqual([
            "⚠️ 3 destructive or weakening changes since HEAD:",
            `  - acme: ${report.dangers![0].message}`,
            `  - globex: ${report.dangers![1].message}`,
            `  - globex: ${report.dangers![2].message}`,
        ]);
        // Above the tenants and the verdict.
        expect(renderText(report).indexOf("⚠️")).toBeLessThan(renderText(report).indexOf("acme (org_7f3k2m9q)"));
        expect(markdownSection(report)).toEqual([
            "## tenancy plan: ✅ OK · ⚠️ 3 destructive or weakening changes since HEAD",
            "### ⚠️ 3 destructive or weakening changes since HEAD",
            "",
            `- **acme**: ${report.dangers![0].message}`,
            `- **globex**: ${report.dangers![1].message}`,
            `- **globex**: ${report.dangers![2].message}`,
        ]);
        commitAll();
    }, 240_000);

    it("flags a removal (data loss), a resume and a NATS key rotation set in the stack file, planning only those tenants", async () => {
        edit("acme.yaml", "lifecycle: suspended", "lifecycle: active");
        fs.rmSync(path.join(tenants, "globex.yaml"));
        fs.writeFileSync(stackFile, `${STACK}  tenancy:natsKeyGenerations:\n    initech: 2\n`);
        const { code, stderr, report } = await plan();
        expect([code, stderr, report.base!.errors]).toEqual([0, "", []]);
        expect(report.scope).toMatchObject({ partial: true, tenantsPlanned: 2, registryTenants: 2 });
        expect(report.base!.errors).toEqual([]);
        expect(report.dangers).toEqual([
            {
                kind: "tenant-removed", tenant: "globex",
                message: `tenant removed (tenants/globex.yaml deleted, was decommissioned): pulumi up deletes Namespace org-globex and everything in it — its volumes and their data, its Secrets, its NATS account and credential (${report.removedTenants![0].removed.length} resources); this cannot be undone`,
            },
            {
                kind: "resumed", tenant: "acme",
                message: "agents resumed (lifecycle suspended → active): ResourceQuota org-acme/quota pods 0 → 15, and the NATS account admits connections again (limits.conn 0 → 50) with the same credential",
            },
            {
                kind: "nats-key-rotated", tenant: "initech",
                message: "NATS key rotation (tenancy:natsKeyGenerations.initech 1 → 2): replaces the account's signing key and its user, so Secret org-initech/nats-credentials gets a new credential; on the server's reload the old user's connections are closed and its credential refused; restart initech's agents to read the new Secret (the account's identity stays)",
            },
        ]);
        expect(report.removedTenants![0].removed.length).toBeGreaterThan(10);
        // The rotation is planned as what it replaces: the signing key and the user.
        const initech = report.tenants.find((t) => t.slug === "initech")!;
        expect(initech.natsChange?.fields.map((f) => f.path)).toEqual(expect.arrayContaining(["signing_keys.0.key"]));
        expect(textSection(report)[0]).toBe("⚠️ 3 destructive or weakening changes since HEAD:");
        commitAll();
    }, 240_000);

    it("flags quota and NATS limits lowered by a plan downgrade", async () => {
        edit("acme.yaml", "plan: standard", "plan: free");
        edit("acme.yaml", "agentLimit: 10", "agentLimit: 2");
        const { code, stderr, report } = await plan();
        expect([code, stderr, report.base!.errors]).toEqual([0, "", []]);
        expect(report.dangers).toEqual([
            {
                kind: "quota-lowered", tenant: "acme",
                message: "quota lowered: ResourceQuota org-acme/quota limits.cpu 20 → 4, limits.memory 80Gi → 16Gi, persistentvolumeclaims 20 → 4, pods 15 → 3, requests.cpu 10 → 2, requests.memory 40Gi → 8Gi, requests.storage 200Gi → 20Gi (pods and claims already above it keep running; new ones beyond it are refused)",
            },
            {
                kind: "nats-limits-lowered", tenant: "acme",
                message: "NATS limits lowered on account org_7f3k2m9q: limits.conn 50 → 10, limits.payload 1048576 → 262144, limits.subs 2000 → 200 (-1 is unlimited; clients beyond a limit are refused on the server's reload)",
            },
        ]);
        commitAll();
    }, 240_000);

    it("keeps a one-tenant plan, with nothing dangerous, when the pull request sets a tenant's secret value in the stack file", async () => {
        fs.writeFileSync(stackFile, `${fs.readFileSync(stackFile, "utf8")}  tenancy:secrets:\n    acme:\n      openai-api:\n        apiKey:\n          secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBB\n`);
        const { code, stderr, report } = await plan();
        expect([code, stderr, report.base!.errors]).toEqual([0, "", []]);
        expect(report.scope).toMatchObject({ partial: true, tenantsPlanned: 1, registryTenants: 2 });
        expect(report.tenants.map((t) => t.slug)).toEqual(["acme"]);
        expect(report.scope!.note).toContain("those whose entries or per-tenant stack config (secret values, key generations) changed since HEAD");
        expect(report.dangers).toEqual([]);
        expect(textSection(report)).toEqual([]);
        expect(markdownSection(report)).toEqual(["## tenancy plan: ✅ OK"]);
    }, 240_000);
});
