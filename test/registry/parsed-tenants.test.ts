import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { formatIssue, validateRegistry, type ParsedTenants } from "../../registry";
import { validateTenantRegistry } from "../../cli/registry-checks";
import { makeRegistry, tenantYaml } from "../support/registry-fixture";

const shown = (dir: string, issues: { file: string }[]) => issues.map((i) => formatIssue(i as Parameters<typeof formatIssue>[0]).split(dir).join("tenants"));

describe("validateRegistry with the files a plan validated before (ParsedTenants)", () => {
    it("keeps each file valid on its own by its text and reuses its parse for the same text in another registry", () => {
        const parsed: ParsedTenants = new Map();
        const head = makeRegistry({ "acme.yaml": tenantYaml("acme"), "globex.yaml": tenantYaml("globex").replace("agentLimit: 5", "agentLimit: 3") });
        const first = validateRegistry(head, [], parsed).registry!;
        expect([...parsed.keys()].sort()).toEqual([tenantYaml("acme"), tenantYaml("globex").replace("agentLimit: 5", "agentLimit: 3")].sort());
        // The --base registry: acme unchanged, globex edited.
        const base = makeRegistry({ "acme.yaml": tenantYaml("acme"), "globex.yaml": tenantYaml("globex").replace("agentLimit: 5", "agentLimit: 4") });
        const second = validateRegistry(base, [], parsed).registry!;
        expect(second.entries[0].tenant).toBe(first.entries[0].tenant);
        expect(second.entries[1].tenant).not.toBe(first.entries[1].tenant);
        expect(second.entries[1].tenant.agentLimit).toBe(4);
        expect(parsed.size).toBe(3);
    });

    it("still checks across files, at the line of the field, when every file was parsed before", () => {
        const parsed: ParsedTenants = new Map();
        const one = tenantYaml("acme", "", "org_same0001");
        const other = tenantYaml("globex", "", "org_same0001");
        validateRegistry(makeRegistry({ "acme.yaml": one }), [], parsed);
        validateRegistry(makeRegistry({ "globex.yaml": other }), [], parsed);
        const dir = makeRegistry({ "acme.yaml": one, "globex.yaml": other });
        const again = validateRegistry(dir, [], parsed);
        expect(shown(dir, again.issues)).toEqual(shown(dir, validateRegistry(dir).issues));
        expect(shown(dir, again.issues)).toEqual([`tenants/globex.yaml:${other.split("\n").findIndex((l) => l.startsWith("id:")) + 1}:5 id: "org_same0001" is already used by tenants/acme.yaml; org ids must be unique`]);
    });

    it("runs the CLI's checks on a reused file and reports at the line of the CIDR", () => {
        const parsed: ParsedTenants = new Map();
        const text = tenantYaml("acme", "network:\n  egress:\n    - 169.254.0.0/16\n");
        // Valid on its own (the schema's), refused by the egress check.
        validateRegistry(makeRegistry({ "acme.yaml": text }), [], parsed);
        expect(parsed.has(text)).toBe(true);
        const dir = makeRegistry({ "acme.yaml": text });
        const reused = validateTenantRegistry(dir, parsed);
        expect(shown(dir, reused.issues)).toEqual(shown(dir, validateTenantRegistry(dir).issues));
        expect(shown(dir, reused.issues)[0]).toMatch(new RegExp(`^tenants/acme\\.yaml:${text.split("\n").indexOf("    - 169.254.0.0/16") + 1}:7 network\\.egress\\[0\\]: 169\\.254\\.0\\.0/16 reaches `));
    });

    it("keeps no file with a problem of its own, and reports it again the next time", () => {
        const parsed: ParsedTenants = new Map();
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme").replace("plan: standard", "plna: standard") });
        const first = validateRegistry(dir, [], parsed);
        expect(parsed.size).toBe(0);
        expect(validateRegistry(dir, [], parsed).issues).toEqual(first.issues);
    });

    it("reads an edited file again instead of its old parse", () => {
        const parsed: ParsedTenants = new Map();
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme") });
        validateRegistry(dir, [], parsed);
        fs.writeFileSync(path.join(dir, "acme.yaml"), tenantYaml("acme").replace("plan: standard", "plan: gold"));
        expect(shown(dir, validateRegistry(dir, [], parsed).issues)).toEqual(['tenants/acme.yaml:5:7 plan: unknown plan "gold"; allowed: enterprise, free, standard']);
    });
});
