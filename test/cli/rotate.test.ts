import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FRESH_PROD_STACK_HINT } from "../support/cli";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";
import { removeTempDirs, ROOT, runCli, tempDir } from "./plan/support";

// rotate reads the tenant's key generation from the stack file and prints the config change that
// raises it; it runs no program and prints no key.
afterAll(removeTempDirs);
const HINT = 'Run "tenancy rotate --help" for usage.\n';

/** A project of its own whose stack file is `stackYaml`, running the repository's program. */
function project(stack: string, stackYaml: string): string {
    const dir = tempDir("rotate-project");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stackYaml);
    return dir;
}

describe("tenancy rotate", () => {
    it("prints the config change from generation 1 to 2 and the pulumi up that applies it, and no key", async () => {
        const run = await runCli(["rotate", "acme", "--tenants", EXAMPLE_REGISTRY]);
        expect(run).toEqual({
            code: 0,
            stderr: "",
            stdout:
                "To rotate the NATS key of tenant acme (account org_7f3k2m9q) on stack dev, raise its key generation from 1 to 2 and apply:\n\n" +
                "  pulumi config set --stack dev --path 'tenancy:natsKeyGenerations.acme' 2\n" +
                "  pulumi config get tenancy:natsMasterKey --stack dev | npx tenancy pack-config --stack dev --policy-pack dist/policy > pack-config.json\n" +
                "  PULUMI_SKIP_CHECKPOINTS=true PULUMI_NODEJS_TRANSPILE_ONLY=true PULUMI_PARALLEL_DIFF=true PULUMI_SKIP_UPDATE_CHECK=true pulumi up --stack dev --parallel 32 --suppress-progress --non-interactive --yes --policy-pack dist/policy --policy-pack-config pack-config.json\n\n" +
                "The new generation derives a new signing key and user from the stack's tenancy:natsMasterKey: Secret org-acme/nats-credentials (its .creds) " +
                "and the tenant's account JWT (ConfigMap nats-account-org-7f3k2m9q in the NATS namespace) change in the same update; the account itself stays. " +
                "When nats-server reloads, it closes the old user's connections and refuses the old credential; restart the tenant's agents so they read " +
                "the new Secret. Commit Pulumi.dev.yaml: the generation is part of the stack's config.\n",
        });
        expect(run.stdout).not.toMatch(/S[A-Z2-7]{57}|U[A-Z2-7]{55}/);
    });

    it("on a stack without a file in this checkout (--stack prod on a fresh clone), prints what to run first and rotates from generation 1", async () => {
        const dir = tempDir("rotate-fresh");
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        const run = await runCli(["rotate", "acme", "--stack", "prod", "--tenants", EXAMPLE_REGISTRY], { cwd: dir });
        expect([run.code, run.stderr]).toEqual([0, ""]);
        expect(run.stdout.split("\n").slice(0, 10)).toEqual([
            ...FRESH_PROD_STACK_HINT,
            "To rotate the NATS key of tenant acme (account org_7f3k2m9q) on stack prod, raise its key generation from 1 to 2 and apply:",
            "",
            "  pulumi config set --stack prod --path 'tenancy:natsKeyGenerations.acme' 2",
        ]);
    });

    it("reads the current generation from the stack named by --stack", async () => {
        const dir = project("prod-eu", "config:\n  tenancy:natsKeyGenerations:\n    initech: 4\n    acme: 2\n");
        const run = await runCli(["rotate", "initech", "--stack", "prod-eu", "--tenants", EXAMPLE_REGISTRY], { cwd: dir });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain("on stack prod-eu, raise its key generation from 4 to 5 and apply:\n\n");
        expect(run.stdout).toContain(
            "  pulumi config set --stack prod-eu --path 'tenancy:natsKeyGenerations.initech' 5\n" +
                "  pulumi config get tenancy:natsMasterKey --stack prod-eu | npx tenancy pack-config --stack prod-eu --policy-pack dist/policy > pack-config.json\n" +
                "  PULUMI_SKIP_CHECKPOINTS=true PULUMI_NODEJS_TRANSPILE_ONLY=true PULUMI_PARALLEL_DIFF=true PULUMI_SKIP_UPDATE_CHECK=true pulumi up --stack prod-eu --parallel 32 --suppress-progress --non-interactive --yes --policy-pack dist/policy --policy-pack-config pack-config.json\n",
        );
        expect(run.stdout).toContain("Commit Pulumi.prod-eu.yaml");
        const other = await runCli(["rotate", "globex", "--stack", "prod-eu", "--tenants", EXAMPLE_REGISTRY], { cwd: dir });
        expect(other.stdout).toContain("raise its key generation from 1 to 2");
    });

    it("rotates on a shard's stack only the tenants of that shard", async () => {
        // The example tenants over 2 shards: acme in shard 0, globex and initech in shard 1.
        const dir = project("prod-1", "config:\n  tenancy:shard:\n    index: 1\n    count: 2\n");
        expect((await runCli(["rotate", "globex", "--stack", "prod-1", "--tenants", EXAMPLE_REGISTRY], { cwd: dir })).code).toBe(0);
        expect(await runCli(["rotate", "acme", "--stack", "prod-1", "--tenants", EXAMPLE_REGISTRY], { cwd: dir })).toEqual({
            code: 2, stdout: "", stderr: `tenancy rotate: tenant acme belongs to shard 0 of 2, and stack prod-1 is shard 1; give the stack of its shard with --stack\n${HINT}`,
        });
    });

    it("refuses a generation it cannot read", async () => {
        const bad = project("bad", "config:\n  tenancy:natsKeyGenerations:\n    acme: two\n");
        expect(await runCli(["rotate", "acme", "--stack", "bad", "--tenants", EXAMPLE_REGISTRY], { cwd: bad })).toEqual({
            code: 2, stdout: "", stderr: `tenancy rotate: tenancy:natsKeyGenerations.acme in Pulumi.bad.yaml is "two", not a whole number ≥ 1\n${HINT}`,
        });
        const secret = project("sec", "config:\n  tenancy:natsKeyGenerations:\n    acme:\n      secure: v1:AAAA\n");
        expect(await runCli(["rotate", "acme", "--stack", "sec", "--tenants", EXAMPLE_REGISTRY], { cwd: secret })).toEqual({
            code: 2, stdout: "",
            stderr: `tenancy rotate: tenancy:natsKeyGenerations.acme is encrypted in Pulumi.sec.yaml; key generations are plain numbers (set them without --secret)\n${HINT}`,
        });
    });

    it("refuses an unknown tenant, a missing slug and a bad stack name before running anything", async () => {
        expect(await runCli(["rotate", "nope", "--tenants", EXAMPLE_REGISTRY])).toEqual({ code: 2, stdout: "", stderr: `tenancy rotate: no tenant "nope" in the registry (no nope.yaml)\n${HINT}` });
        expect(await runCli(["rotate"])).toEqual({ code: 2, stdout: "", stderr: `tenancy rotate: give the tenant's slug, e.g. tenancy rotate acme\n${HINT}` });
        expect(await runCli(["rotate", "acme", "--stack", "../prod", "--tenants", EXAMPLE_REGISTRY])).toEqual({
            code: 2, stdout: "", stderr: `tenancy rotate: --stack "../prod" is not a stack name (letters, digits, '-', '_', '.')\n${HINT}`,
        });
    });
});
