import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main";
import { captureIO, FRESH_PROD_STACK_HINT, PROJECT_ROOT } from "../support/cli";
import { EXAMPLE_REGISTRY, makeRegistry, tenantYaml } from "../support/registry-fixture";

const PLAIN = "sk-plain-value-never-printed";
const HINT = 'Run "tenancy secrets --help" for usage.\n';

const projects: string[] = [];
afterAll(() => projects.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A project of its own: Pulumi.yaml and Pulumi.ci.yaml with acme's openai-api set in clear and globex's value encrypted. */
function project(stackFile = stackText()): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-secrets-project-"));
    projects.push(dir);
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.ci.yaml"), stackFile);
    return dir;
}

function stackText(extra = ""): string {
    return [
        "config:",
        "  tenancy:secrets:",
        "    acme:",
        "      openai-api:",
        `        apiKey: ${PLAIN}`,
        "    globex:",
        "      anthropic-api:",
        "        apiKey:",
        "          secure: v1:AAAAencrypted",
        extra,
    ].join("\n");
}

async function secrets(cwd: string, args: string[]) {
    const io = captureIO(cwd);
    const code = await main(["secrets", ...args], io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("tenancy secrets", () => {
    it("lists every declared value missing from the stack file with the command that sets it, and never a value", async () => {
        const cwd = project();
        const run = await secrets(cwd, ["--stack", "ci", "--tenants", EXAMPLE_REGISTRY]);
        expect(run).toEqual({
            code: 0,
            stderr: "",
            stdout: [
                "tenancy secrets: 2 of 4 declared secret values of 3 tenants are not set in Pulumi.ci.yaml (stack ci)",
                "",
                `acme (${EXAMPLE_REGISTRY}/acme.yaml): Secret github-app waits for:`,
                "  pulumi config set --stack ci --secret --path 'tenancy:secrets.acme.github-app.appId'",
                "  pulumi config set --stack ci --secret --path 'tenancy:secrets.acme.github-app.privateKey'",
                "",
                "Each command prompts for its value. Commit the updated stack file; the next pulumi up creates the Secrets.",
                "",
            ].join("\n"),
        });
        expect(run.stdout).not.toContain(PLAIN);
    });

    it("narrows to one tenant, and says so when its values are all set or it declares none", async () => {
        const cwd = project();
        const globex = await secrets(cwd, ["globex", "--stack", "ci", "--tenants", EXAMPLE_REGISTRY]);
        expect(globex).toEqual({ code: 0, stderr: "", stdout: "tenancy secrets: all 1 declared secret value of tenant globex are set in Pulumi.ci.yaml (stack ci)\n" });
        const initech = await secrets(cwd, ["initech", "--stack", "ci", "--tenants", EXAMPLE_REGISTRY]);
        expect(initech).toEqual({ code: 0, stderr: "", stdout: "tenancy secrets: tenant initech declares no secrets\n" });
    });

    it("uses the default stack's file, and names a stack that has none yet", async () => {
        const cwd = project();
        const run = await secrets(cwd, ["acme", "--tenants", EXAMPLE_REGISTRY]);
        expect(run.stdout).toBe(
            [
                "Pulumi.dev.yaml does not exist in this checkout yet. The commands below need the stack's state backend, its secrets provider and the stack itself; first:",
                "",
                '  export PATH="$(node tools/build.mjs --path pulumi):$PATH"  # the Pulumi CLI npm run tools builds (or any Pulumi CLI 3.248)',
                "  pulumi login file://$HOME/.pulumi-state                    # or the team's backend: s3://…, gs://…, azblob://…, Pulumi Cloud",
                "  export PULUMI_CONFIG_PASSPHRASE='…'                        # the stack's passphrase (not with a KMS or Pulumi Cloud secrets provider)",
                "  pulumi stack select dev --create                           # creates Pulumi.dev.yaml here when the stack is new",
                "",
                "tenancy secrets: 3 of 3 declared secret values of tenant acme are not set in Pulumi.dev.yaml (not created yet) (stack dev)",
                "",
                `acme (${EXAMPLE_REGISTRY}/acme.yaml): Secrets openai-api, github-app wait for:`,
                "  pulumi config set --stack dev --secret --path 'tenancy:secrets.acme.openai-api.apiKey'",
                "  pulumi config set --stack dev --secret --path 'tenancy:secrets.acme.github-app.appId'",
                "  pulumi config set --stack dev --secret --path 'tenancy:secrets.acme.github-app.privateKey'",
                "",
                "Each command prompts for its value. Commit the updated stack file; the next pulumi up creates the Secrets.",
                "",
            ].join("\n"),
        );
    });

    it("writes secret names and keys that contain dots in brackets, as pulumi config --path reads them", async () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme", "secrets:\n  - name: db.main\n    keys: [pass.word, user]\n") });
        const run = await secrets(project(), ["--stack", "ci", "--tenants", dir]);
        expect(run.stdout).toContain(
            "  pulumi config set --stack ci --secret --path 'tenancy:secrets.acme[\"db.main\"][\"pass.word\"]'\n" +
                "  pulumi config set --stack ci --secret --path 'tenancy:secrets.acme[\"db.main\"].user'\n",
        );
        // Set as the printed path says, the value is found.
        const set = project(`config:\n  tenancy:secrets:\n    acme:\n      db.main:\n        pass.word:\n          secure: v1:AA\n        user: app\n`);
        expect((await secrets(set, ["--stack", "ci", "--tenants", dir])).stdout).toBe("tenancy secrets: all 2 declared secret values of 1 tenant are set in Pulumi.ci.yaml (stack ci)\n");
    });

    it("on a stack without a file in this checkout (--stack prod on a fresh clone), prints what to run first, then every command", async () => {
        const cwd = project();
        expect(await secrets(cwd, ["globex", "--stack", "prod", "--tenants", EXAMPLE_REGISTRY])).toEqual({
            code: 0,
            stderr: "",
            stdout: [
                ...FRESH_PROD_STACK_HINT,
                "tenancy secrets: 1 of 1 declared secret value of tenant globex are not set in Pulumi.prod.yaml (not created yet) (stack prod)",
                "",
                `globex (${EXAMPLE_REGISTRY}/globex.yaml): Secret anthropic-api waits for:`,
                "  pulumi config set --stack prod --secret --path 'tenancy:secrets.globex.anthropic-api.apiKey'",
                "",
                "Each command prompts for its value. Commit the updated stack file; the next pulumi up creates the Secrets.",
                "",
            ].join("\n"),
        });
    });

    it("refuses an unknown tenant, an invalid registry and a malformed tenancy:secrets", async () => {
        const cwd = project();
        expect(await secrets(cwd, ["nope", "--stack", "ci", "--tenants", EXAMPLE_REGISTRY])).toEqual({
            code: 2, stdout: "", stderr: `tenancy secrets: no tenant "nope" in the registry (no nope.yaml); add one with tenancy add nope --plan PLAN\n${HINT}`,
        });
        const bad = makeRegistry({ "acme.yaml": tenantYaml("acme").replace("plan: standard", "plan: gold") });
        expect(await secrets(cwd, ["--stack", "ci", "--tenants", bad])).toEqual({
            code: 2, stdout: "", stderr: `${bad}/acme.yaml:5:7 plan: unknown plan "gold"; allowed: enterprise, free, standard\ntenancy secrets: 1 problem in ${bad}; nothing was changed\n`,
        });
        const malformed = project("config:\n  tenancy:secrets: [1, 2]\n");
        expect(await secrets(malformed, ["--stack", "ci", "--tenants", EXAMPLE_REGISTRY])).toEqual({
            code: 2, stdout: "", stderr: "tenancy secrets: tenancy:secrets in Pulumi.ci.yaml (stack ci) is not an object of values; set each with pulumi config set --stack ci --secret --path 'tenancy:secrets.<slug>.<secret>.<key>'\n",
        });
    });
});

describe("tenancy secrets on a shard's stack", () => {
    it("compares only the tenants of the stack's shard, and names the shard of a tenant that is not its own", async () => {
        const dir = project(stackText("  tenancy:shard:\n    index: 1\n    count: 2\n"));
        // The example tenants over 2 shards: acme in shard 0, globex and initech in shard 1.
        expect((await secrets(dir, ["--stack", "ci", "--tenants", EXAMPLE_REGISTRY])).stdout).toBe(
            "tenancy secrets: all 1 declared secret value of 2 tenants are set in Pulumi.ci.yaml (stack ci)\n",
        );
        expect(await secrets(dir, ["acme", "--stack", "ci", "--tenants", EXAMPLE_REGISTRY])).toEqual({
            code: 2, stdout: "",
            stderr: `tenancy secrets: tenant acme belongs to shard 0 of 2, and stack ci is shard 1; give the stack of its shard with --stack\n${HINT}`,
        });
    });
});
