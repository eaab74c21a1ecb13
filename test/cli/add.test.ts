import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { generateOrgId, tenantFileText } from "../../cli/commands/add";
import { main } from "../../cli/main";
import { loadRegistry } from "../../registry";
import { captureIO } from "../support/cli";
import { exampleRegistry, makeRegistry, tenantYaml } from "../support/registry-fixture";

const HINT = 'Run "tenancy add --help" for usage.\n';

/** Every file of a directory with its content, to show that a refusal wrote nothing. */
function snapshot(dir: string): Record<string, string> {
    return Object.fromEntries(fs.readdirSync(dir).sort().map((name) => [name, fs.readFileSync(path.join(dir, name), "utf8")]));
}

async function add(dir: string, args: string[]) {
    const io = captureIO(dir);
    const code = await main(["add", ...args, "--tenants", dir], io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("tenancy add", () => {
    it("writes tenants/<slug>.yaml from the schema with the plan's defaults and validates the registry", async () => {
        const dir = exampleRegistry();
        const run = await add(dir, ["hooli", "--plan", "standard", "--id", "org_hooli42", "--display-name", "Hooli: XYZ"]);
        expect(run).toEqual({
            code: 0,
            stderr: "",
            stdout:
                `wrote ${dir}/hooli.yaml: hooli (org_hooli42), plan standard, agentLimit 10, lifecycle active\n` +
                `${dir}: 4 tenants valid (1 enterprise, 1 free, 2 standard), 3 plans\n` +
                `next: declare its secrets in ${dir}/hooli.yaml if its agents need any, run \`npx tenancy secrets hooli\`, then open a pull request\n`,
        });
        expect(fs.readFileSync(path.join(dir, "hooli.yaml"), "utf8")).toBe(
            [
                "# yaml-language-server: $schema=./schema.json",
                "id: org_hooli42",
                "slug: hooli",
                'displayName: "Hooli: XYZ"',
                "plan: standard",
                "lifecycle: active",
                "agentLimit: 10",
                '# quota: optional overrides below the plan\'s ceilings, e.g. requestsCpu: "8" (pods follow agentLimit)',
                "# Secrets the agents read, e.g. - {name: openai-api, keys: [apiKey]}. Their values never go in this",
                "# file: `npx tenancy secrets hooli` prints the commands that set them in the stack config.",
                "secrets: []",
                "# CIDRs the agents may reach besides DNS and NATS, e.g. 203.0.113.0/24; 0.0.0.0/0 is refused.",
                "network:",
                "  egress: []",
                "",
            ].join("\n"),
        );
        const entry = loadRegistry(dir).entries.find((e) => e.tenant.slug === "hooli")!;
        expect(entry.tenant).toEqual({
            id: "org_hooli42", slug: "hooli", displayName: "Hooli: XYZ", plan: "standard", lifecycle: "active", agentLimit: 10, secrets: [], network: { egress: [] },
        });
    });

    it("generates an opaque id no tenant uses when --id is not given, and takes --agent-limit", async () => {
        const dir = exampleRegistry();
        const run = await add(dir, ["pied-piper", "--plan", "free", "--agent-limit", "1"]);
        expect(run.code).toBe(0);
        const [, id] = /^wrote \S+: pied-piper \((org_[a-z0-9]{10})\), plan free, agentLimit 1, lifecycle active\n/.exec(run.stdout)!;
        expect(loadRegistry(dir).entries.find((e) => e.tenant.slug === "pied-piper")!.tenant).toMatchObject({ id, displayName: "pied-piper", agentLimit: 1 });
    });

    it("draws again when a generated id is taken", () => {
        // A random source that yields "a" ten times, then "b" ten times.
        let calls = 0;
        const random = () => (calls++ < 10 ? 0 : 1);
        expect(generateOrgId(new Set(["org_aaaaaaaaaa"]), random)).toBe("org_bbbbbbbbbb");
        expect(calls).toBe(20);
    });

    it("writes a file the registry reads back exactly, whatever the display name", () => {
        const text = tenantFileText({ id: "org_abc123", slug: "q", displayName: "#1 'quoted' \"name\": - [x]", plan: "free", lifecycle: "active", agentLimit: 2 });
        const dir = makeRegistry({ "q.yaml": text });
        expect(loadRegistry(dir).entries[0].tenant.displayName).toBe("#1 'quoted' \"name\": - [x]");
    });

    it.each([
        [["acme", "--plan", "free"], 'add: slug "acme" is taken: {dir}/acme.yaml already exists; choose another slug (nothing was written)'],
        [["hooli", "--plan", "free", "--id", "org_7f3k2m9q"], "add: --id org_7f3k2m9q is already used by {dir}/acme.yaml; org ids must be unique (omit --id to generate one; nothing was written)"],
        [["hooli", "--plan", "gold"], "add: --plan gold: unknown plan; plans: enterprise, free, standard"],
        [["Hooli_Inc", "--plan", "free"], 'add: <slug> "Hooli_Inc": must be a DNS label: lowercase letters, digits and \'-\', starting and ending alphanumeric'],
        [["h".repeat(60), "--plan", "free"], `add: <slug> "${"h".repeat(60)}": must be at most 59 characters so that the namespace "org-<slug>" fits in 63`],
        [["hooli", "--plan", "free", "--id", "hooli"], 'add: --id "hooli": must be an opaque org id like org_abc123 (org_ then 3-40 of a-z0-9)'],
        [["hooli", "--plan", "free", "--display-name", ""], "add: --display-name needs a value"],
        [["hooli", "--plan", "free", "--agent-limit", "3"], "add: --agent-limit 3 exceeds the free plan's limit of 2; lower it or choose another plan"],
        [["hooli", "--plan", "free", "--agent-limit", "two"], "add: --agent-limit two: must be a whole number"],
        [["hooli"], "add: --plan is required, e.g. tenancy add hooli --plan standard"],
        [["--plan", "free"], "add: give the new tenant's slug, e.g. tenancy add acme --plan standard"],
        [["hooli", "extra", "--plan", "free"], 'add: unexpected argument "extra"'],
    ])("refuses %j with a message naming the problem, writing nothing", async (args, message) => {
        const dir = exampleRegistry();
        const before = snapshot(dir);
        const run = await add(dir, args);
        expect(run).toEqual({ code: 2, stdout: "", stderr: `tenancy ${message.replaceAll("{dir}", dir)}\n${HINT}` });
        expect(snapshot(dir)).toEqual(before);
    });

    it("refuses to add to a registry that is already invalid, listing its problems and writing nothing", async () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme").replace("plan: standard", "plan: gold") });
        const before = snapshot(dir);
        const run = await add(dir, ["hooli", "--plan", "free"]);
        expect(run).toEqual({
            code: 2,
            stdout: "",
            stderr: `${dir}/acme.yaml:5:7 plan: unknown plan "gold"; allowed: enterprise, free, standard\ntenancy add: 1 problem in ${dir}; fix them first; nothing was written\n`,
        });
        expect(snapshot(dir)).toEqual(before);
    });

    it("names a registry directory that does not exist", async () => {
        const io = captureIO();
        expect(await main(["add", "hooli", "--plan", "free", "--tenants", "no-such-dir"], io)).toBe(2);
        expect(io.stderr()).toBe(`tenancy add: --tenants no-such-dir: directory not found\n${HINT}`);
    });
});
