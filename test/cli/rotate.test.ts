import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";
import { isolatePlanKey, removeTempDirs, ROOT, runCli, tempDir } from "./plan/support";

// rotate runs the real program (as plan does) to find the URN the engine gives the tenant's key.
isolatePlanKey();
afterAll(removeTempDirs);
const HINT = 'Run "tenancy rotate --help" for usage.\n';

describe("tenancy rotate", () => {
    it("prints the exact pulumi up --replace of the tenant's NATS key, and no secret", async () => {
        const run = await runCli(["rotate", "acme", "--tenants", EXAMPLE_REGISTRY]);
        expect(run).toEqual({
            code: 0,
            stderr: "",
            stdout:
                "To rotate the NATS key of tenant acme (account org_7f3k2m9q) on stack dev, run:\n\n" +
                "  pulumi up --stack dev --policy-pack policy --replace 'urn:pulumi:dev::tenancy::tenancy:tenant:Tenant$tenancy:nats:NatsAccount$random:index/randomBytes:RandomBytes::acme-nats-key'\n\n" +
                "The new random bytes give a new nkey: Secret org-acme/nats-credentials and the server's auth.json (ConfigMap nats-accounts) change in the same update. " +
                "The old key stops working when nats-server reloads auth.json; restart the tenant's agents so they read the new Secret.\n",
        });
        expect(run.stdout).not.toMatch(/S[A-Z2-7]{57}|U[A-Z2-7]{55}/);
    }, 120_000);

    it("uses the stack named by --stack in the command and the URN", async () => {
        const project = tempDir("rotate-project");
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").replace("main: infra/index.ts", `main: ${path.join(ROOT, "infra", "index.ts")}`));
        fs.writeFileSync(path.join(project, "Pulumi.prod-eu.yaml"), "config:\n  tenancy:kubeContext: prod-eu\n");
        const run = await runCli(["rotate", "initech", "--stack", "prod-eu", "--tenants", EXAMPLE_REGISTRY], { cwd: project });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(
            "  pulumi up --stack prod-eu --policy-pack policy --replace 'urn:pulumi:prod-eu::tenancy::tenancy:tenant:Tenant$tenancy:nats:NatsAccount$random:index/randomBytes:RandomBytes::initech-nats-key'\n",
        );
    }, 120_000);

    it("refuses an unknown tenant, a missing slug and an unknown stack before running anything", async () => {
        expect(await runCli(["rotate", "nope", "--tenants", EXAMPLE_REGISTRY])).toEqual({ code: 2, stdout: "", stderr: `tenancy rotate: no tenant "nope" in the registry (no nope.yaml)\n${HINT}` });
        expect(await runCli(["rotate"])).toEqual({ code: 2, stdout: "", stderr: `tenancy rotate: give the tenant's slug, e.g. tenancy rotate acme\n${HINT}` });
        expect(await runCli(["rotate", "acme", "--stack", "prod", "--tenants", EXAMPLE_REGISTRY])).toEqual({
            code: 2, stdout: "", stderr: `tenancy rotate: --stack prod: stack file Pulumi.prod.yaml not found in ${ROOT}; pass an existing stack or create it with pulumi stack init prod\n${HINT}`,
        });
    });
});
