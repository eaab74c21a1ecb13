import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatePlanKey, removeTempDirs, ROOT, runCli, tempDir } from "./support";

// A registry of exactly 100 tenants: the size from which plan reports progress on a terminal.
isolatePlanKey();
afterAll(removeTempDirs);
const dir = tempDir("hundred");

beforeAll(() => {
    fs.copyFileSync(path.join(ROOT, "tenants", "plans.yaml"), path.join(dir, "plans.yaml"));
    for (let i = 0; i < 100; i++) {
        const slug = `t${String(i).padStart(3, "0")}`;
        fs.writeFileSync(path.join(dir, `${slug}.yaml`), `id: org_${slug}x\nslug: ${slug}\ndisplayName: Tenant ${i}\nplan: free\nagentLimit: 1\n`);
    }
});

describe("progress on stderr", () => {
    it("is shown for 100 tenants when stderr is a terminal", async () => {
        const run = await runCli(["plan", "--tenants", dir, "--format", "json"], { errIsTTY: true });
        expect(run.code).toBe(0);
        expect(JSON.parse(run.stdout).totals.tenants).toBe(100);
        const lines = run.stderr.split("\n").filter((l) => l.startsWith("tenancy plan: ") && !/ resources in /.test(l));
        expect(lines[0]).toBe("tenancy plan: recording the program over 100 tenants…");
        expect(lines[1]).toMatch(/^tenancy plan: analyzing \d+ resources with the policy pack…$/);
        const total = Number(/(\d+)/.exec(lines[1])![1]);
        const step = Math.ceil(total / 10);
        const steps = Array.from({ length: Math.ceil(total / step) - 1 }, (_, i) => `tenancy plan: analyzed ${(i + 1) * step}/${total} resources`);
        expect(lines.slice(2)).toEqual([...steps, expect.stringMatching(/^tenancy plan: validating \d+ Kubernetes objects…$/)]);
    }, 180_000);

    it("is not shown with --quiet, nor when stderr is not a terminal", async () => {
        const quiet = await runCli(["plan", "--tenants", dir, "--quiet", "--format", "json"], { errIsTTY: true });
        expect(quiet.code).toBe(0);
        expect(quiet.stderr).toBe("");
        const piped = await runCli(["plan", "--tenants", dir, "--format", "json"], { errIsTTY: false });
        expect(piped.stderr).toMatch(/^tenancy plan: \d+ resources in [\d.]+ s [^\n]*\n$/);
    }, 240_000);
});
