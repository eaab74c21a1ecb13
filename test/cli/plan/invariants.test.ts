import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_TENANTS } from "../../support/registry-fixture";
import { commitTwoTenants, gitIn, isolatePlanKey, removeTempDirs, runCli, tempDir } from "./support";

// A git repository with acme and globex committed; each test edits the working tree, plans with
// --base HEAD, and restores it.
isolatePlanKey();
afterAll(removeTempDirs);
const repo = tempDir("invariants-repo");
const tenants = path.join(repo, "tenants");
const git = (...args: string[]) => gitIn(repo, ...args);
const plan = () => runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--format", "json", "--quiet"]);

beforeAll(() => {
    commitTwoTenants(repo);
});

const restore = () => {
    git("checkout", "-q", "--", ".");
    git("clean", "-qfd");
};

describe("tenancy plan --base: a tenant's id and slug never change", () => {
    it("refuses an id change of an existing tenant at the line of id, naming both ids and the fix (exit 2)", async () => {
        fs.writeFileSync(path.join(tenants, "acme.yaml"), EXAMPLE_TENANTS["acme.yaml"].replace("id: org_7f3k2m9q", "id: org_newid0001"));
        const run = await plan();
        restore();
        expect(run.code).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr).toBe(
            `${tenants}/acme.yaml:2:5 id: changed from org_7f3k2m9q (at HEAD) to org_newid0001; ids are opaque and immutable (every object's tenant label and the NATS account derive from it); ` +
                "restore id: org_7f3k2m9q; to replace the tenant, remove it and add a new slug in two PRs\n" +
                `tenancy plan: 1 problem in ${tenants} against HEAD; nothing was planned\n`,
        );
    }, 60_000);

    it("refuses two tenants swapping their ids, one message each", async () => {
        fs.writeFileSync(path.join(tenants, "acme.yaml"), EXAMPLE_TENANTS["acme.yaml"].replace("id: org_7f3k2m9q", "id: org_k4x8p2wn"));
        fs.writeFileSync(path.join(tenants, "globex.yaml"), EXAMPLE_TENANTS["globex.yaml"].replace("id: org_k4x8p2wn", "id: org_7f3k2m9q"));
        const run = await plan();
        restore();
        expect(run.code).toBe(2);
        expect(run.stderr.split("\n").map((l) => l.split(";")[0])).toEqual([
            `${tenants}/acme.yaml:2:5 id: changed from org_7f3k2m9q (at HEAD) to org_k4x8p2wn`,
            `${tenants}/globex.yaml:2:5 id: changed from org_k4x8p2wn (at HEAD) to org_7f3k2m9q`,
            `tenancy plan: 2 problems in ${tenants} against HEAD`,
            "",
        ]);
    }, 60_000);

    it("refuses a slug rename (same id, new slug and file) with a message of its own (exit 2)", async () => {
        fs.rmSync(path.join(tenants, "acme.yaml"));
        fs.writeFileSync(path.join(tenants, "acme-robotics.yaml"), EXAMPLE_TENANTS["acme.yaml"].replace("slug: acme", "slug: acme-robotics"));
        const run = await plan();
        restore();
        expect(run.code).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr).toBe(
            `${tenants}/acme-robotics.yaml:3:7 slug: tenant org_7f3k2m9q was "acme" at HEAD (${tenants}/acme.yaml); a slug is immutable like the id: it names the namespace, ` +
                "so renaming it deletes org-acme with its data and creates an empty org-acme-robotics; " +
                `restore slug: acme in ${tenants}/acme.yaml (git mv ${tenants}/acme-robotics.yaml ${tenants}/acme.yaml); ` +
                'to move the tenant to a new slug, add the new slug with a new id and off-board "acme" in two steps\n' +
                `tenancy plan: 1 problem in ${tenants} against HEAD; nothing was planned\n`,
        );
    }, 60_000);
});
