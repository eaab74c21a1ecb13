import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../cli/main";
import { PULUMI_POLICY_PACK, PULUMI_PREVIEW_FLAGS, PULUMI_RUN_ENV, PULUMI_UP_FLAGS } from "../../contract";
import { PROJECT_ROOT } from "../support/cli";

// Every command the docs tell a newcomer to run must exist, with every flag it is given.
const DOCS = ["README.md", "CONTRIBUTING.md"];

/** Each `npx tenancy …` in a document: the words up to the end of the line, a backtick, a comment or a shell operator. */
function tenancyCommands(text: string): string[][] {
    return [...text.matchAll(/npx tenancy((?: [^`#\n|&;>)]+)?)/g)].map((m) => m[1].trim().replace(/[[\]]/g, " ").split(/\s+/).filter(Boolean));
}

describe("the commands in README.md and CONTRIBUTING.md", () => {
    it.each(DOCS)("%s names only tenancy verbs and flags that exist", (doc) => {
        const commands = tenancyCommands(fs.readFileSync(path.join(PROJECT_ROOT, doc), "utf8"));
        expect(commands.length, doc).toBeGreaterThan(5);
        for (const words of commands) {
            const [verb, ...rest] = words;
            if (verb === undefined || verb === "--version" || verb === "--help") continue;
            const command = COMMANDS.find((c) => c.name === verb);
            expect(command, `${doc}: npx tenancy ${words.join(" ")}`).toBeDefined();
            for (const flag of rest.filter((w) => w.startsWith("--"))) {
                expect(command!.help, `${doc}: npx tenancy ${words.join(" ")}`).toMatch(new RegExp(`\\s${flag.replace(/[=].*$/, "")}[ \\n]`));
            }
        }
    });

    it.each(DOCS)("%s runs only npm scripts and files that exist", (doc) => {
        const text = fs.readFileSync(path.join(PROJECT_ROOT, doc), "utf8");
        const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts);
        for (const [, name] of text.matchAll(/npm run ([\w:-]+)/g)) expect(scripts, `${doc}: npm run ${name}`).toContain(name);
        for (const [, file] of text.matchAll(/npx tsx ([\w./-]+)/g)) expect(fs.existsSync(path.join(PROJECT_ROOT, file)), `${doc}: npx tsx ${file}`).toBe(true);
    });

    it("README's full pulumi preview and pulumi up commands run with the documented defaults (contract/pulumi-run.ts)", () => {
        const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        const commands = [...readme.matchAll(/^pulumi (up|preview) (.*--policy-pack-config.*)$/gm)];
        expect(commands.map((m) => m[1])).toEqual(["preview", "up", "up"]);
        for (const [line, verb, rest] of commands) {
            expect(` ${rest} `, line).toContain(` ${(verb === "up" ? PULUMI_UP_FLAGS : PULUMI_PREVIEW_FLAGS).join(" ")} `);
            expect(rest, line).toContain(`--policy-pack ${PULUMI_POLICY_PACK} `);
            expect(rest, line).not.toContain("--skip-preview");
        }
        expect(readme).toContain(`export ${Object.entries(PULUMI_RUN_ENV).map(([k, v]) => `${k}=${v}`).join(" ")} `);
        expect(readme).toContain(`npx tenancy pack-config --stack dev --policy-pack ${PULUMI_POLICY_PACK} > pack-config.json`);
    });

    it("cover each step of a tenant's life in CONTRIBUTING.md", () => {
        const headings = [...fs.readFileSync(path.join(PROJECT_ROOT, "CONTRIBUTING.md"), "utf8").matchAll(/^## (.+)$/gm)].map((m) => m[1]);
        expect(headings).toEqual([
            "Add a tenant", "Set its secret values", "Change its plan", "Suspend it", "Off-board it in two steps", "Rotate its NATS key",
            "Remote state and CI credentials", "Review a policy change", "Run everything locally",
        ]);
    });
});
