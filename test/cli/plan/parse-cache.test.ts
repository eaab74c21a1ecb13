import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CachedParse, openParseCache, parseCacheDir, parseCacheFile, saveParseCache } from "../../../cli/plan/parse-cache";
import { formatIssue, readParsedTenants, validateRegistry } from "../../../registry";
import { makeRegistry, tenantYaml } from "../../support/registry-fixture";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-parse-cache-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(dir, `${n++}`, "digest.v8");
const ACME = tenantYaml("acme");
const GLOBEX = tenantYaml("globex");

describe("the registry parses a plan keeps between runs", () => {
    it("reuses a kept parse for a file of the same text, and parses the others", () => {
        const file = fresh();
        const first = openParseCache(file);
        const registry = makeRegistry({ "acme.yaml": ACME, "globex.yaml": GLOBEX });
        validateRegistry(registry, [], first);
        expect(first.changed).toBe(true);
        saveParseCache(file, first);
        const kept = readParsedTenants(file)!;
        // Another parse than the file's own: only a kept parse can show it.
        kept.set(ACME, { ...kept.get(ACME)!, agentLimit: 7 });
        const seeded = new CachedParse(kept);
        const entries = validateRegistry(registry, [], seeded).registry!.entries;
        expect(entries.map((e) => [e.tenant.slug, e.tenant.agentLimit])).toEqual([["acme", 7], ["globex", 5]]);
        expect(seeded.changed).toBe(false);
    });

    it("keeps only the texts the plan read, and no file with problems", () => {
        const file = fresh();
        const first = openParseCache(file);
        validateRegistry(makeRegistry({ "acme.yaml": ACME, "globex.yaml": GLOBEX }), [], first);
        saveParseCache(file, first);
        const second = openParseCache(file);
        const broken = GLOBEX.replace("agentLimit: 5", "agentLimit: lots");
        const result = validateRegistry(makeRegistry({ "acme.yaml": ACME, "globex.yaml": broken }), [], second);
        expect(result.issues.map((i) => formatIssue(i).replace(/^.*globex\.yaml/, "globex.yaml"))).toEqual([
            "globex.yaml:6:13 agentLimit: must be a whole number",
        ]);
        expect(second.changed).toBe(true);
        saveParseCache(file, second);
        expect([...readParsedTenants(file)!.keys()]).toEqual([ACME]);
        // The problem is found again, with its line, on the next run.
        const third = openParseCache(file);
        expect(validateRegistry(makeRegistry({ "acme.yaml": ACME, "globex.yaml": broken }), [], third).issues).toHaveLength(1);
    });

    it("is written only when it changed, and replaces the files of other digests", () => {
        const file = fresh();
        const stale = path.join(path.dirname(file), "stale.v8");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(stale, "");
        const registry = makeRegistry({ "acme.yaml": ACME });
        const first = openParseCache(file);
        validateRegistry(registry, [], first);
        saveParseCache(file, first);
        expect(fs.readdirSync(path.dirname(file))).toEqual(["digest.v8"]);
        fs.utimesSync(file, new Date(0), new Date(0));
        const second = openParseCache(file);
        validateRegistry(registry, [], second);
        saveParseCache(file, second);
        expect(fs.statSync(file).mtimeMs).toBe(0);
    });

    it("is named by the digest of registry/, contract/ and package-lock.json, under node_modules/.cache", () => {
        const root = path.join(dir, "root");
        for (const sub of ["registry", "contract", "cli"]) fs.mkdirSync(path.join(root, sub), { recursive: true });
        fs.writeFileSync(path.join(root, "registry", "schema.ts"), "export const a = 1;\n");
        fs.writeFileSync(path.join(root, "contract", "names.ts"), "export const b = 1;\n");
        fs.writeFileSync(path.join(root, "package-lock.json"), "{}\n");
        const before = parseCacheFile(root);
        expect(path.dirname(before)).toBe(path.join(root, "node_modules", ".cache", "tenancy-parse"));
        expect(parseCacheDir(root)).toBe(path.dirname(before));
        fs.writeFileSync(path.join(root, "cli", "other.ts"), "export const c = 1;\n");
        expect(parseCacheFile(root)).toBe(before);
        for (const changed of [path.join("registry", "schema.ts"), path.join("contract", "names.ts"), "package-lock.json"]) {
            const text = fs.readFileSync(path.join(root, changed), "utf8");
            fs.writeFileSync(path.join(root, changed), `${text} `);
            expect(parseCacheFile(root)).not.toBe(before);
            fs.writeFileSync(path.join(root, changed), text);
        }
        expect(parseCacheFile(root)).toBe(before);
    });

    it("is empty when its file is missing or unreadable, and a cache that cannot be written is left alone", () => {
        expect(openParseCache(path.join(dir, "missing.v8")).changed).toBe(false);
        const blocked = path.join(dir, "file");
        fs.writeFileSync(blocked, "");
        const cache = openParseCache(path.join(blocked, "digest.v8"));
        validateRegistry(makeRegistry({ "acme.yaml": ACME }), [], cache);
        expect(() => saveParseCache(path.join(blocked, "digest.v8"), cache)).not.toThrow();
        expect(fs.readFileSync(blocked, "utf8")).toBe("");
    });
});
