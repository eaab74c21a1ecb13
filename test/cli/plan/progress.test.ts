import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PlanProgress } from "../../../cli/plan/progress";
import { EXAMPLE_REGISTRY } from "../../support/registry-fixture";
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

    it("is not shown with --quiet", async () => {
        const quiet = await runCli(["plan", "--tenants", dir, "--quiet", "--format", "json"], { errIsTTY: true });
        expect(quiet.code).toBe(0);
        expect(quiet.stderr).toBe("");
    }, 240_000);
});

describe("progress in a log (stderr not a terminal, as in CI)", () => {
    it("shows every phase of any plan and a still-working line whenever nothing was printed for a while", async () => {
        const run = await runCli(["plan", "--tenants", EXAMPLE_REGISTRY, "--format", "json"], { errIsTTY: false, heartbeatMs: 200 });
        expect(run.code).toBe(0);
        const lines = run.stderr.split("\n").filter((l) => l.startsWith("tenancy plan: "));
        const phases = lines.filter((l) => !l.startsWith("tenancy plan: still "));
        expect(phases.slice(0, 3)).toEqual([
            "tenancy plan: recording the program over 3 tenants…",
            expect.stringMatching(/^tenancy plan: analyzing \d+ resources with the policy pack…$/),
            expect.stringMatching(/^tenancy plan: validating \d+ Kubernetes objects…$/),
        ]);
        expect(phases[3]).toMatch(/^tenancy plan: \d+ resources in [\d.]+ s /);
        const still = lines.filter((l) => l.startsWith("tenancy plan: still "));
        expect(still.length).toBeGreaterThan(0);
        for (const line of still) expect(line).toMatch(/^tenancy plan: still (recording the program|analyzing \(\d+\/\d+ resources\)|analyzing|validating), \d+ s so far…$/);
    }, 240_000);
});

describe("PlanProgress", () => {
    it("prints a line at least every heartbeat plus a quarter of it, however long a phase lasts", () => {
        vi.useFakeTimers();
        try {
            const printed: Array<[number, string]> = [];
            const progress = new PlanProgress({ emit: (line) => printed.push([Date.now(), line]), always: true, heartbeatMs: 8_000, now: Date.now });
            const start = Date.now();
            progress.begin(3);
            progress.enter("recording the program", " over 3 tenants…");
            vi.advanceTimersByTime(25_000);
            progress.enter("analyzing", " 80 resources with the policy pack…");
            progress.note("40/80 resources");
            vi.advanceTimersByTime(12_000);
            progress.end();
            vi.advanceTimersByTime(60_000);
            expect(printed.map(([at, line]) => `${at - start} ${line}`)).toEqual([
                "0 tenancy plan: recording the program over 3 tenants…",
                "8000 tenancy plan: still recording the program, 8 s so far…",
                "16000 tenancy plan: still recording the program, 16 s so far…",
                "24000 tenancy plan: still recording the program, 24 s so far…",
                "25000 tenancy plan: analyzing 80 resources with the policy pack…",
                "34000 tenancy plan: still analyzing (40/80 resources), 34 s so far…",
            ]);
        } finally {
            vi.useRealTimers();
        }
    });

    it("shows phases on a terminal only from 100 tenants on, and never a heartbeat without one configured", () => {
        const printed: string[] = [];
        const small = new PlanProgress({ emit: (line) => printed.push(line), always: false });
        small.begin(99);
        small.enter("recording the program", " over 99 tenants…");
        small.step("tenancy plan: analyzed 8/80 resources");
        expect(printed).toEqual([]);
        const large = new PlanProgress({ emit: (line) => printed.push(line), always: false });
        large.begin(100);
        large.enter("recording the program", " over 100 tenants…");
        large.end();
        expect(printed).toEqual(["tenancy plan: recording the program over 100 tenants…"]);
    });
});
