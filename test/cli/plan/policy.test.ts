import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { PolicyConfig, PolicyHost } from "../../../cli/engine/analyzer-types";
import { configurePlanPack, planParseFile } from "../../../cli/plan/policy";
import { readParsedTenants, type Tenant } from "../../../registry";

const ROOT = path.resolve(__dirname, "../../..");

describe("planParseFile: where a plan writes its parse of the registries for its packs", () => {
    it("is a file in a fresh directory only its user can read, for the project's own pack, and is removed with it", () => {
        const share = planParseFile(path.join(ROOT, "policy"), ROOT)!;
        try {
            expect(fs.statSync(path.dirname(share.file)).mode & 0o777).toBe(0o700);
            expect(fs.existsSync(share.file)).toBe(false);
            const parsed = new Map([["id: org_abc\n", { id: "org_abc" } as Tenant]]);
            share.write(parsed);
            expect([...readParsedTenants(share.file)!]).toEqual([...parsed]);
        } finally {
            share.remove();
        }
        expect(fs.existsSync(path.dirname(share.file))).toBe(false);
    });

    it("is none for any other pack, which may read the registry with other code than the CLI's", () => {
        expect(planParseFile(path.join(ROOT, "test", "policy", "fixtures"), ROOT)).toBeUndefined();
    });

    it("leaves the packs to parse the registry themselves when the file cannot be written", () => {
        const share = planParseFile(path.join(ROOT, "policy"), ROOT)!;
        share.remove();
        expect(() => share.write(new Map())).not.toThrow();
        expect(readParsedTenants(share.file)).toBeUndefined();
    });
});

describe("configurePlanPack", () => {
    // A pack of three rules, two of which read the registry: what it is configured with.
    const host = (configured: PolicyConfig[]) =>
        ({
            getAnalyzerInfo: async () => ({
                name: "p", version: "1", supportsConfig: true,
                policies: ["a", "b", "c"].map((name) => ({ name, enforcementLevel: "mandatory", configSchema: name === "c" ? {} : { registryDir: {} } })),
            }),
            configure: async (config: PolicyConfig) => void configured.push(config),
            stop: async () => undefined,
        }) as unknown as PolicyHost;

    it("gives each rule the settings it reads, and with `only` disables every other rule", async () => {
        const configured: PolicyConfig[] = [];
        await configurePlanPack(host(configured), { registryDir: "../tenants" });
        await configurePlanPack(host(configured), { registryDir: "../tenants" }, "b");
        expect(configured).toEqual([
            { a: { registryDir: "../tenants" }, b: { registryDir: "../tenants" } },
            { a: { enforcementLevel: "disabled" }, b: { registryDir: "../tenants" }, c: { enforcementLevel: "disabled" } },
        ]);
    });
});
