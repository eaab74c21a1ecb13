import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as v8 from "node:v8";
import { afterAll, describe, expect, it } from "vitest";
import { readParsedTenants, validateRegistry, writeParsedTenants, type ParsedTenants } from "../../registry";
import { makeRegistry, tenantYaml } from "../support/registry-fixture";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-parse-share-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the plan's parse of the registry, written for its packs", () => {
    it("reads back as the same Map, in a file only its user can read", () => {
        const parsed: ParsedTenants = new Map();
        validateRegistry(makeRegistry({ "acme.yaml": tenantYaml("acme") }), [], parsed);
        const file = path.join(dir, "parsed");
        writeParsedTenants(file, parsed);
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        const read = readParsedTenants(file)!;
        expect(read).toBeInstanceOf(Map);
        expect([...read]).toEqual([...parsed]);
    });

    it("is none when there is no file, or the file is not a parse (the reader then parses every file itself)", () => {
        expect(readParsedTenants(undefined)).toBeUndefined();
        expect(readParsedTenants("")).toBeUndefined();
        expect(readParsedTenants(path.join(dir, "missing"))).toBeUndefined();
        const write = (name: string, bytes: Buffer) => {
            fs.writeFileSync(path.join(dir, name), bytes);
            return path.join(dir, name);
        };
        expect(readParsedTenants(write("text", Buffer.from("not v8")))).toBeUndefined();
        expect(readParsedTenants(write("object", v8.serialize({ a: 1 })))).toBeUndefined();
        expect(readParsedTenants(write("number-key", v8.serialize(new Map([[1, { id: "org_x" }]]))))).toBeUndefined();
        expect(readParsedTenants(write("string-value", v8.serialize(new Map([["id: x", "org_x"]]))))).toBeUndefined();
    });
});
