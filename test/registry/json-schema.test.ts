import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { registryJsonSchemas } from "../../registry";
import { LIVE_REGISTRY } from "../support/registry-fixture";

describe("the committed JSON Schemas", () => {
    it("are exactly what the zod schemas generate (run `npx tenancy schema` after changing the schema)", () => {
        for (const [name, text] of Object.entries(registryJsonSchemas())) {
            expect(fs.readFileSync(path.join(LIVE_REGISTRY, name), "utf8"), name).toBe(text);
        }
    });

    it("forbid unknown keys and mark the required fields", () => {
        const schema = JSON.parse(registryJsonSchemas()["schema.json"]);
        expect(schema.additionalProperties).toBe(false);
        expect(schema.required).toEqual(["id", "slug", "displayName", "plan", "agentLimit"]);
        expect(schema.properties.lifecycle).toMatchObject({ default: "active", enum: ["active", "suspended", "decommissioned"] });
    });
});
