import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shardOf } from "../../../registry";
import { makeRegistry, tenantYaml } from "../../support/registry-fixture";
import { isolatePlanKey, removeTempDirs, ROOT, runCli, tempDir } from "./support";

// Plans narrower than the registry, through the real CLI, program and pack: a shard's stack
// (tenancy:shard) and a --base plan of the tenants a registry-only change touches. Each is checked
// against the plan of the whole registry: the same objects, with the same inputs.
isolatePlanKey();
afterAll(removeTempDirs);

const COUNT = 12;
const files = () => Object.fromEntries(Array.from({ length: COUNT }, (_, i) => [`t${i}.yaml`, tenantYaml(`t${i}`, "", `org_scope${i.toString().padStart(3, "0")}`)]));

interface Row { urn: string; type: string; name: string; custom: boolean; tenant: string | null; inputs: unknown; options: unknown }
const rows = (dir: string): Row[] => JSON.parse(fs.readFileSync(path.join(dir, "resources.json"), "utf8"));
// A row without its stack's name, so the objects of stacks can be compared.
const comparable = (r: Row, stack: string) => JSON.stringify({ ...r, urn: undefined }).split(`urn:pulumi:${stack}::`).join("urn:pulumi:STACK::");
const objects = (dir: string, stack: string) => rows(dir).filter((r) => r.custom && r.type.startsWith("kubernetes:")).map((r) => comparable(r, stack)).sort();

/** A project of its own whose stack files are the given config blocks, planning `tenantsDir`. */
function project(stacks: Record<string, string[]>): string {
    const dir = tempDir("scope-project");
    const main = path.join(ROOT, "infra", "main.js");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").replace("main: infra/main.js", `main: ${main}`));
    for (const [stack, lines] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), ["config:", ...lines, ""].join("\n"));
    return dir;
}

async function plan(cwd: string, args: string[]) {
    const out = tempDir("scope-out");
    const run = await runCli(["plan", ...args, "--out", out, "--format", "json", "--quiet", "--policy-pack", path.join(ROOT, "policy")], { cwd });
    return { ...run, out, report: run.stdout ? JSON.parse(run.stdout) : undefined };
}

describe("tenancy plan of a shard's stack", () => {
    const registry = makeRegistry(files());
    const ids = Array.from({ length: COUNT }, (_, i) => `org_scope${i.toString().padStart(3, "0")}`);
    const shard = (index: number) => [`  tenancy:shard:`, `    index: ${index}`, `    count: 3`];
    const cwd = project({ whole: [], s0: shard(0), s1: shard(1), s2: shard(2), bad: [`  tenancy:shard:`, `    index: 3`, `    count: 3`] });
    let whole: Awaited<ReturnType<typeof plan>>;
    let shards: Awaited<ReturnType<typeof plan>>[];

    beforeAll(async () => {
        whole = await plan(cwd, ["--stack", "whole", "--tenants", registry]);
        shards = [];
        for (const index of [0, 1, 2]) shards.push(await plan(cwd, ["--stack", `s${index}`, "--tenants", registry]));
    }, 180_000);

    it("passes the policy pack in every shard, each pinned to the same operator and PLATFORM account", () => {
        expect(whole.code).toBe(0);
        expect(shards.map((s) => [s.code, s.report.totals.mandatoryViolations, s.report.totals.invalidObjects])).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    });

    it("declares over its shards exactly the objects of the whole registry's stack", () => {
        const union = shards.flatMap((s, index) => objects(s.out, `s${index}`)).sort();
        expect(union).toEqual(objects(whole.out, "whole"));
    });

    it("lists each tenant in the report of its shard only, and says so", () => {
        for (const [index, s] of shards.entries()) {
            const expected = ids.filter((id) => shardOf(id, 3) === index).map((id) => `t${Number(id.slice(-3))}`).sort();
            expect(s.report.tenants.map((t: { slug: string }) => t.slug).sort()).toEqual(expected);
            expect(s.report.scope).toEqual({
                tenantsPlanned: expected.length, registryTenants: COUNT, shard: { index, count: 3 }, partial: false,
                note: `shard ${index} of 3 (tenancy:shard): the ${expected.length} of ${COUNT} tenants its org ids hash to; ${index === 0 ? "it also declares" : "shard 0 declares"} the shared objects.`,
            });
        }
    });

    it("refuses a bad shard setting as a usage error naming the stack file", async () => {
        const run = await plan(cwd, ["--stack", "bad", "--tenants", registry]);
        expect(run.code).toBe(2);
        expect(run.stderr).toBe(`tenancy plan: Pulumi.bad.yaml: tenancy:shard.index: index must be less than count (shards are numbered from 0)\nRun "tenancy plan --help" for usage.\n`);
    });
});

describe("tenancy plan --base of a registry-only change", () => {
    const repo = tempDir("scope-repo");
    const tenants = path.join(repo, "tenants");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" }).toString();
    const cwd = project({ ci: [] });
    let partial: Awaited<ReturnType<typeof plan>>;
    let full: Awaited<ReturnType<typeof plan>>;
    const touched = ["t12", "t3"];

    beforeAll(async () => {
        fs.cpSync(makeRegistry(files()), tenants, { recursive: true });
        git("init", "-q");
        git("config", "user.email", "plan-test@example.com");
        git("config", "user.name", "plan test");
        git("add", "-A");
        git("commit", "-q", "-m", "registry");
        // One tenant edited, one added.
        fs.writeFileSync(path.join(tenants, "t3.yaml"), fs.readFileSync(path.join(tenants, "t3.yaml"), "utf8").replace("agentLimit: 5", "agentLimit: 7"));
        fs.writeFileSync(path.join(tenants, "t12.yaml"), tenantYaml("t12", "", "org_scope012"));
        partial = await plan(cwd, ["--stack", "ci", "--tenants", tenants, "--base", "HEAD"]);
        full = await plan(cwd, ["--stack", "ci", "--tenants", tenants, "--base", "HEAD", "--full"]);
    }, 180_000);

    it("plans only the changed tenants, and its objects are exactly that slice of the full plan", () => {
        expect([partial.code, full.code]).toEqual([0, 0]);
        expect(partial.report.tenants.map((t: { slug: string }) => t.slug)).toEqual(touched);
        // Every resource but the stack itself, whose outputs list the namespaces it declares.
        const slice = (r: Row) => r.type !== "pulumi:pulumi:Stack" && (r.tenant === null || touched.includes(r.tenant));
        const partialRows = rows(partial.out).filter((r) => r.type !== "pulumi:pulumi:Stack");
        expect(partialRows.map((r) => comparable(r, "ci")).sort()).toEqual(rows(full.out).filter(slice).map((r) => comparable(r, "ci")).sort());
        const namespaces = (dir: string) => (rows(dir).find((r) => r.type === "pulumi:pulumi:Stack") as unknown as { outputs: { namespaces: Record<string, string> } }).outputs.namespaces;
        expect(namespaces(partial.out)).toEqual({ t12: "org-t12", t3: "org-t3" });
        expect(Object.keys(namespaces(full.out))).toHaveLength(COUNT + 1);
        expect(rows(partial.out).length).toBeLessThan(rows(full.out).length / 3);
    });

    it("reports the same changes, NATS account changes and findings for those tenants as the full plan", () => {
        const of = (report: { tenants: Array<{ slug: string }> }) => report.tenants.filter((t) => touched.includes(t.slug));
        expect(of(partial.report)).toEqual(of(full.report));
        expect(partial.report.shared).toEqual(full.report.shared);
        expect(partial.report.base).toEqual(full.report.base);
    });

    it("plans every tenant when anything but tenant entries changed: the catalog, or a file outside the registry", async () => {
        const plans = path.join(tenants, "plans.yaml");
        const catalog = fs.readFileSync(plans, "utf8");
        fs.writeFileSync(plans, catalog.replace(/maxConnections: (\d+)/, (_, n) => `maxConnections: ${Number(n) + 1}`));
        const changedCatalog = await plan(cwd, ["--stack", "ci", "--tenants", tenants, "--base", "HEAD"]);
        fs.writeFileSync(plans, catalog);
        expect(changedCatalog.report.scope.note).toBe("every tenant is planned: the plan catalog changed since HEAD, which may change every tenant.");
        expect(changedCatalog.report.tenants).toHaveLength(COUNT + 1);

        fs.writeFileSync(path.join(repo, "component.ts"), "// a change to the program\n");
        const changedCode = await plan(cwd, ["--stack", "ci", "--tenants", tenants, "--base", "HEAD"]);
        fs.rmSync(path.join(repo, "component.ts"));
        expect(changedCode.report.scope.note).toBe("every tenant is planned: files outside the registry changed since HEAD (component.ts), and every tenant is checked under them.");
        expect(changedCode.report.tenants).toHaveLength(COUNT + 1);
    }, 180_000);

    it("refuses --full without --base", async () => {
        const run = await runCli(["plan", "--full"], { cwd });
        expect(run.code).toBe(2);
        expect(run.stderr).toBe('tenancy plan: --full only applies to --base (without --base, every tenant is planned)\nRun "tenancy plan --help" for usage.\n');
    });
});
