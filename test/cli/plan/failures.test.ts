import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLE_REGISTRY, EXAMPLE_TENANTS } from "../../support/registry-fixture";
import { isolatePlanKey, removeTempDirs, runCli, tempDir } from "./support";

isolatePlanKey();
afterAll(removeTempDirs);

describe("tenancy plan when something else is wrong", () => {
    it("exits 1 with the program's message, without a stack trace", async () => {
        const run = await runCli(["plan", "--tenants", EXAMPLE_REGISTRY, "--program", "test/cli/plan/fixtures/failing-program.ts", "--quiet"]);
        expect(run).toEqual({
            code: 1,
            stdout: "",
            stderr: "tenancy plan: the program failed:\ninvalid stack config: tenancy:nats.port must be a number\n",
        });
    }, 120_000);

    it("exits 2 with the error list when the registry at --base is invalid", async () => {
        const repo = tempDir("bad-base");
        const tenants = path.join(repo, "tenants");
        fs.cpSync(EXAMPLE_REGISTRY, tenants, { recursive: true });
        const acme = path.join(tenants, "acme.yaml");
        const good = EXAMPLE_TENANTS["acme.yaml"];
        fs.writeFileSync(acme, good.replace("plan: standard", "plan: gold"));
        const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
        git("init", "-q");
        git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "empty");
        git("add", "-A");
        git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "bad plan");
        fs.writeFileSync(acme, good);
        const run = await runCli(["plan", "--tenants", tenants, "--base", "HEAD"]);
        expect(run).toEqual({
            code: 2,
            stdout: "",
            stderr:
                `${tenants}@HEAD/acme.yaml:5:7 plan: unknown plan "gold"; allowed: enterprise, free, standard\n` +
                `tenancy plan: 1 problem in ${tenants} at HEAD; nothing was planned\n`,
        });
        // Nothing may be left behind in the temporary directory.
        expect(fs.readdirSync(repo)).toEqual([".git", "tenants"]);
    });
});
