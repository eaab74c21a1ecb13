import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLE_REGISTRY } from "../../support/registry-fixture";
import { isolatePlanKey, removeTempDirs, runCli } from "./support";

isolatePlanKey();
afterAll(removeTempDirs);

describe("tenancy plan with a hand-wired cross-tenant RoleBinding", () => {
    it("exits 1, naming the mandatory rule, the object and the tenants", async () => {
        const run = await runCli(["plan", "--tenants", EXAMPLE_REGISTRY, "--program", "test/cli/plan/fixtures/cross-tenant-program.ts", "--quiet"]);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain(
            "  policies: 1 mandatory violation, 0 advisories\n" +
                "    ✗ [mandatory] restrict-role-binding-subjects on RoleBinding acme-lets-globex-read: " +
                'RoleBinding "org-acme/globex-reads-acme" of tenant acme binds ServiceAccount "org-globex/agent-worker-sa" of tenant globex; ' +
                'every subject must be in namespace "org-acme" or be a platform principal (ServiceAccount platform-system/agent-orchestrator).\n',
        );
        expect(run.stdout).toMatch(/1 mandatory policy violation, 0 advisories, 0 invalid objects → BLOCKED\n$/);
        // Only acme is affected; the other tenants still pass.
        expect(run.stdout.match(/^ {2}policies: pass$/gm)?.length).toBe(3);
        expect(run.stderr).toBe("");
    }, 120_000);
});
