import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, main } from "../../cli/main";
import { captureIO, PROJECT_ROOT } from "../support/cli";
import { EXAMPLE_REGISTRY, makeRegistry, tenantYaml } from "../support/registry-fixture";

describe("tenancy validate", () => {
    it("prints a one-line summary and exits 0 for a valid registry", async () => {
        const io = captureIO();
        expect(await main(["validate", "--tenants", EXAMPLE_REGISTRY], io)).toBe(0);
        expect(io.stdout()).toBe(`${EXAMPLE_REGISTRY}: 3 tenants valid (1 enterprise, 1 free, 1 standard), 3 plans\n`);
        expect(io.stderr()).toBe("");
    });

    it("finds the committed registry valid, whatever tenants it holds", async () => {
        const io = captureIO();
        expect(await main(["validate"], io)).toBe(0);
        expect(io.stdout()).toMatch(/^tenants: \d+ tenants? valid \([^)]*\), \d+ plans\n$/);
        expect(io.stderr()).toBe("");
    });

    it("prints every problem and exits 2 for a bad registry", async () => {
        const dir = makeRegistry({
            "acme.yaml": tenantYaml("acme").replace("plan: standard", "plna: standard"),
            "beta.yaml": tenantYaml("beta", "lifecycle: gone\n"),
        });
        const io = captureIO();
        expect(await main(["validate", "--tenants", dir], io)).toBe(2);
        expect(io.stdout()).toBe("");
        expect(io.stderr()).toBe(
            [
                `${dir}/acme.yaml:2:1 plan: is required (string)`,
                `${dir}/acme.yaml:5:1 plna: unknown field; did you mean "plan"? Allowed: id, slug, displayName, plan, lifecycle, agentLimit, quota, secrets, network`,
                `${dir}/beta.yaml:7:12 lifecycle: must be one of active, suspended, decommissioned`,
                `tenancy validate: 3 problems in ${dir}; nothing was changed`,
                "",
            ].join("\n"),
        );
    });

    it("resolves --tenants against the working directory", async () => {
        const io = captureIO(EXAMPLE_REGISTRY);
        expect(await main(["validate", "--tenants", "."], io)).toBe(0);
        expect(io.stdout()).toBe(`${EXAMPLE_REGISTRY}: 3 tenants valid (1 enterprise, 1 free, 1 standard), 3 plans\n`);
    });
});

describe("tenancy --version", () => {
    it("prints the version of package.json", async () => {
        const io = captureIO();
        expect(await main(["--version"], io)).toBe(0);
        const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
        expect(io.stdout()).toBe(`tenancy ${version}\n`);
        expect(version).toMatch(/^\d+\.\d+\.\d+/);
    });
});

describe("usage", () => {
    it("has --help for every verb", async () => {
        for (const command of COMMANDS) {
            const io = captureIO();
            expect(await main([command.name, "--help"], io), command.name).toBe(0);
            expect(io.stdout(), command.name).toMatch(new RegExp(`^Usage: tenancy ${command.name} `));
        }
    });

    it("lists the verbs with --help and exits 2 without a verb", async () => {
        const help = captureIO();
        expect(await main(["--help"], help)).toBe(0);
        expect(COMMANDS.map((c) => c.name)).toEqual(["validate", "add", "secrets", "plan", "pack-config", "rotate", "schema"]);
        for (const command of COMMANDS) expect(help.stdout()).toContain(`  ${command.name.padEnd(13)}${command.summary}`);
        const none = captureIO();
        expect(await main([], none)).toBe(2);
        expect(none.stderr()).toBe(help.stdout());
    });

    it("names an unknown verb, an unknown flag and a missing value", async () => {
        const verb = captureIO();
        expect(await main(["deploy"], verb)).toBe(2);
        expect(verb.stderr()).toBe('tenancy: unknown command "deploy"; commands: validate, add, secrets, plan, pack-config, rotate, schema\n');
        const flag = captureIO();
        expect(await main(["validate", "--tenant", "x"], flag)).toBe(2);
        expect(flag.stderr()).toBe('tenancy validate: unknown flag --tenant; known flags: --tenants\nRun "tenancy validate --help" for usage.\n');
        const value = captureIO();
        expect(await main(["validate", "--tenants"], value)).toBe(2);
        expect(value.stderr()).toBe('tenancy validate: --tenants needs a value\nRun "tenancy validate --help" for usage.\n');
    });
});

describe("tenancy schema", () => {
    it("finds the committed schemas current", async () => {
        const io = captureIO();
        expect(await main(["schema", "--check"], io)).toBe(0);
        expect(io.stderr()).toBe("");
    });

    it("reports a stale schema with --check and writes it without", async () => {
        const dir = makeRegistry({});
        const check = captureIO(dir);
        expect(await main(["schema", "--check", "--tenants", "."], check)).toBe(1);
        expect(check.stderr()).toBe("schema.json is out of date; run: npx tenancy schema\nplans.schema.json is out of date; run: npx tenancy schema\n");
        const write = captureIO(dir);
        expect(await main(["schema", "--tenants", "."], write)).toBe(0);
        expect(write.stdout()).toBe("wrote schema.json\nwrote plans.schema.json\n");
        expect(await main(["schema", "--check", "--tenants", "."], captureIO(dir))).toBe(0);
    });
});

describe("the installed bin", () => {
    it("runs `tenancy validate` as a real process", () => {
        const out = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "bin/tenancy.js"), "validate", "--tenants", EXAMPLE_REGISTRY], { cwd: PROJECT_ROOT, encoding: "utf8" });
        expect(out).toBe(`${EXAMPLE_REGISTRY}: 3 tenants valid (1 enterprise, 1 free, 1 standard), 3 plans\n`);
    });

    it("exits 2 with no stack trace on a bad registry", () => {
        const dir = makeRegistry({ "acme.yaml": "- not a mapping\n" });
        const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "bin/tenancy.js"), "validate", "--tenants", dir], { encoding: "utf8" });
        expect(result.status).toBe(2);
        expect(result.stderr).toBe(
            `${dir}/acme.yaml:1:1 (file): top level is a list; it must be a mapping of fields (see tenants/schema.json)\ntenancy validate: 1 problem in ${dir}; nothing was changed\n`,
        );
    });
});
