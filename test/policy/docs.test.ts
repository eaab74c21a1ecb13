import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { exampleViolations, renderPoliciesMarkdown } from "../../policy/docs";
import { EXAMPLES } from "../../policy/examples";
import { RULES } from "../../policy/rules";

const POLICIES_MD = path.resolve(__dirname, "../../policy/POLICIES.md");

describe("policy/POLICIES.md", () => {
    it("is current (regenerate with: npx tsx policy/generate-docs.ts)", async () => {
        expect(fs.readFileSync(POLICIES_MD, "utf8")).toBe(await renderPoliciesMarkdown());
    });

    it("lists every rule of the pack, each with its name, level and description", async () => {
        const text = await renderPoliciesMarkdown();
        const rows = text.split("\n").filter((line) => line.startsWith("| `"));
        expect(rows.map((row) => row.split("`")[1])).toEqual(RULES.map((r) => r.name));
        for (const rule of RULES) expect(text).toContain(`| \`${rule.name}\` | ${rule.enforcementLevel} |`);
    });

    it("has an example for exactly the pack's rules, and each example is a real violation", async () => {
        expect(Object.keys(EXAMPLES).sort()).toEqual(RULES.map((r) => r.name).sort());
        for (const rule of RULES) expect((await exampleViolations(rule)).length, rule.name).toBeGreaterThan(0);
    });

    it("changes when a rule's metadata changes", async () => {
        const changed = RULES.map((r) => (r.name === "restrict-cluster-roles" ? { ...r, description: "Checks that nothing at all." } : r));
        const text = await renderPoliciesMarkdown(changed);
        expect(text).toContain("| Checks that nothing at all. |");
        expect(text).not.toBe(fs.readFileSync(POLICIES_MD, "utf8"));
    });
});

describe("rule metadata", () => {
    it.each(RULES.map((r) => [r.name, r] as const))("%s follows the pack's conventions", (name, rule) => {
        expect(name).toMatch(/^[a-z]+(-[a-z]+)+$/);
        expect(rule.description).toMatch(/^Checks that [^\n]+\.$/);
        expect(rule.enforcementLevel).toBe("mandatory");
        // One rule per kebab-case file, exporting a verb-first camelCase const.
        const file = path.resolve(__dirname, "../../policy", `${name}.ts`);
        expect(fs.existsSync(file)).toBe(true);
        const camel = name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
        expect(fs.readFileSync(file, "utf8")).toContain(`export const ${camel}: `);
    });

    it("the entry point only constructs the pack", () => {
        const index = fs.readFileSync(path.resolve(__dirname, "../../policy/index.ts"), "utf8");
        expect(index).not.toMatch(/^export /m);
        expect(index.match(/new PolicyPack\(/g)).toHaveLength(1);
    });
});
