import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineResource, PolicyConfig, PolicyHost } from "../../../cli/engine";
import { renderMarkdown } from "../../../cli/plan/markdown";
import { analyzeStackWide } from "../../../cli/plan/sharded";
import { STACK_WIDE_RULE } from "../../../cli/plan/stack-union";
import type { PlanReport } from "../../../cli/plan/report";
import { shardOf } from "../../../registry";
import { EXAMPLE_REGISTRY, EXAMPLE_TENANTS, LIVE_REGISTRY, tenantYaml } from "../../support/registry-fixture";
import { isolatePlanKey, removeTempDirs, runCli, tempDir, type CliRun } from "./support";

// A plan in shards (--shard-size) must print exactly the report of the plan in one pass. Each case
// plans one registry in one pass and in shards of 1 and 2 tenants (three shards and two: the
// example's acme, globex and initech hash to shards 2, 1, 2 of 3 and 0, 1, 1 of 2, so shard 0 of 3,
// which alone declares the shared objects, has no tenant) and compares report.json and the PR comment.
isolatePlanKey();
afterAll(removeTempDirs);

const VIOLATIONS = "test/cli/plan/fixtures/sharded-violations-program.ts";
const PLAN_TIMEOUT = 900_000;

interface Planned {
    run: CliRun;
    report: PlanReport;
}

async function plan(args: string[]): Promise<Planned> {
    const run = await runCli(["plan", "--format", "json", ...args]);
    expect(run.stderr).not.toContain("internal error");
    return { run, report: JSON.parse(run.stdout) as PlanReport };
}

// The one pass and the shards of 1 and 2, compared byte for byte (JSON as printed, and the comment).
async function compare(args: string[]): Promise<{ whole: Planned; shards: Planned[] }> {
    const whole = await plan(args);
    expect(whole.run.stderr).not.toContain("planning shard");
    const shards: Planned[] = [];
    for (const size of ["1", "2"]) {
        const sharded = await plan([...args, "--shard-size", size]);
        expect(sharded.run.code).toBe(whole.run.code);
        expect(sharded.run.stdout).toBe(whole.run.stdout);
        expect(renderMarkdown(sharded.report)).toBe(renderMarkdown(whole.report));
        expect(renderMarkdown(sharded.report, 60_000)).toBe(renderMarkdown(whole.report, 60_000));
        shards.push(sharded);
    }
    return { whole, shards };
}

describe("tenancy plan in shards (--shard-size)", () => {
    beforeAll(() => {
        // The shard assignment the cases rely on (see the module comment).
        expect(["org_7f3k2m9q", "org_k4x8p2wn", "org_q9d5t1ze"].map((id) => [shardOf(id, 3), shardOf(id, 2)])).toEqual([[2, 0], [1, 1], [2, 1]]);
    });

    it("prints the one pass's report for a compliant registry, planning each shard in turn", async () => {
        const { whole, shards } = await compare(["--tenants", EXAMPLE_REGISTRY]);
        expect(whole.run.code).toBe(0);
        expect(whole.report.ok).toBe(true);
        expect(whole.report.totals.tenants).toBe(3);
        const [ones, twos] = shards;
        expect(ones.run.stderr).toContain("in 3 shards of at most 1 tenants");
        for (const line of ["planning shard 1 of 3 (0 tenants)…", "planning shard 2 of 3 (1 tenant)…", "planning shard 3 of 3 (2 tenants)…"]) {
            expect(ones.run.stderr).toContain(`tenancy plan: ${line}\n`);
        }
        expect(twos.run.stderr).toContain("tenancy plan: planning shard 1 of 2 (1 tenant)…\n");
        expect(twos.run.stderr).toContain("tenancy plan: planning shard 2 of 2 (2 tenants)…\n");
        expect(ones.run.stderr).toMatch(/tenancy plan: analyzing the stack-wide NATS checks over \d+ resources of 3 shards…\n/);
    }, PLAN_TIMEOUT);

    it("prints the one pass's findings: a tenant's bad binding, a namespace's second quota, a NATS file held twice across shards", async () => {
        const log = path.join(tempDir("pids"), "pids.log");
        process.env.TENANCY_TEST_PID_LOG = log;
        process.env.TENANCY_PLAN_PIPELINES = "2";
        let whole: Planned;
        try {
            ({ whole } = await compare(["--tenants", EXAMPLE_REGISTRY, "--program", VIOLATIONS]));
        } finally {
            delete process.env.TENANCY_TEST_PID_LOG;
            delete process.env.TENANCY_PLAN_PIPELINES;
        }
        expect(whole.run.code).toBe(1);
        const rules = (slug: string) => [...new Set(whole.report.tenants.find((t) => t.slug === slug)!.policy.map((d) => d.rule))].sort();
        expect(rules("globex")).toEqual(["restrict-role-binding-subjects"]);
        expect(rules("initech")).toEqual(["require-tenant-baseline"]);
        // The copy is reported on acme's own account file too, which only the union of the shards shows.
        expect(rules("acme")).toEqual(["isolate-tenant-nats"]);
        expect(whole.report.tenants.find((t) => t.slug === "acme")!.policy.map((d) => d.message).join("\n")).toContain("2 objects hold the file org_7f3k2m9q.conf");

        // One recording process per shard (the one pass 1, shards of 1: 3, of 2: 2), each gone once
        // the plan is done, never more than two at once (TENANCY_PLAN_PIPELINES).
        const events = fs.readFileSync(log, "utf8").trim().split("\n").map((line) => line.split(" ")).map(([pid, what, at]) => ({ pid: Number(pid), what, at: Number(at) }));
        const pids = [...new Set(events.map((e) => e.pid))];
        expect(pids.length).toBe(1 + 3 + 2);
        expect(pids).not.toContain(process.pid);
        for (const pid of pids) {
            expect(events.filter((e) => e.pid === pid).map((e) => e.what)).toEqual(["start", "end"]);
            expect(() => process.kill(pid, 0)).toThrow();
        }
        let alive = 0;
        let most = 0;
        for (const e of [...events].sort((a, b) => a.at - b.at || (a.what === "end" ? -1 : 1))) {
            alive += e.what === "start" ? 1 : -1;
            most = Math.max(most, alive);
        }
        expect(most).toBe(2);
    }, PLAN_TIMEOUT);

    it("prints the one pass's --base report: a tenant changed, one added, a suspended one removed (an error)", async () => {
        const repo = tempDir("sharded-base");
        const tenants = path.join(repo, "tenants");
        fs.mkdirSync(tenants);
        fs.copyFileSync(path.join(LIVE_REGISTRY, "plans.yaml"), path.join(tenants, "plans.yaml"));
        for (const name of ["acme.yaml", "globex.yaml", "initech.yaml"]) fs.writeFileSync(path.join(tenants, name), EXAMPLE_TENANTS[name]);
        const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
        git("init", "-q");
        git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A");
        git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "three tenants");
        const acme = path.join(tenants, "acme.yaml");
        fs.writeFileSync(acme, fs.readFileSync(acme, "utf8").replace("agentLimit: 10", "agentLimit: 8"));
        fs.writeFileSync(path.join(tenants, "hooli.yaml"), tenantYaml("hooli"));
        fs.rmSync(path.join(tenants, "initech.yaml"));

        const { whole } = await compare(["--tenants", tenants, "--base", "HEAD", "--full"]);
        expect(whole.run.code).toBe(1);
        expect(whole.report.base!.tenantsAdded).toEqual(["hooli"]);
        expect(whole.report.base!.tenantsRemoved).toEqual(["initech"]);
        expect(whole.report.base!.tenantsChanged).toEqual(["acme"]);
        expect(whole.report.removedTenants![0].removed.length).toBeGreaterThan(10);
        expect(whole.report.tenants.find((t) => t.slug === "hooli")!.grantChanges!.removed).toEqual([]);
    }, PLAN_TIMEOUT);

    it("refuses a --shard-size that is not a whole number of tenants, at least 1 (exit 2)", async () => {
        for (const size of ["0", "-3", "2.5", "many"]) {
            const run = await runCli(["plan", "--shard-size", size]);
            expect(run).toEqual({
                code: 2,
                stdout: "",
                stderr: `tenancy plan: --shard-size must be a whole number of tenants, at least 1, not "${size}" (a size at least the registry's plans it in one pass)\nRun "tenancy plan --help" for usage.\n`,
            });
        }
    });
});

describe("the stack-wide check over the shards' union", () => {
    it("configures the pack as the whole stack with every other rule disabled, analyzes the union, and stops the pack", async () => {
        const calls: unknown[] = [];
        const host = {
            getAnalyzerInfo: async () => ({
                name: "p", version: "1", supportsConfig: true,
                policies: ["require-tenant-baseline", STACK_WIDE_RULE].map((name) => ({ name, enforcementLevel: "mandatory", configSchema: { registryDir: {} } })),
            }),
            configure: async (config: PolicyConfig) => void calls.push({ configure: config }),
            analyzeStack: async (resources: EngineResource[]) => (calls.push({ analyzeStack: resources.length }), []),
            stop: async () => void calls.push("stop"),
        } as unknown as PolicyHost;
        const union = [{ urn: "urn:pulumi:s::p::kubernetes:core/v1:Namespace::a" }] as EngineResource[];
        const { info } = await analyzeStackWide(host, { registryDir: "../tenants" }, union);
        expect(info.name).toBe("p");
        expect(calls).toEqual([
            { configure: { "require-tenant-baseline": { enforcementLevel: "disabled" }, [STACK_WIDE_RULE]: { registryDir: "../tenants" } } },
            { analyzeStack: 1 },
            "stop",
        ]);
    });
});
