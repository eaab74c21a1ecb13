import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPolicyPack } from "../../../cli/engine";
import { cachedPack, compiledPack, PACK_SOURCE_DIRS, packCacheKey, packCacheRoot } from "../../../cli/plan/pack-cache";
import { planPackDir, preparePlanPack } from "../../../cli/plan/policy";
import { RULES } from "../../../policy/rules";
import { PROJECT_ROOT } from "../../support/cli";

// A copy of the pack's sources with a node_modules of its own (links to the project's packages), so
// the cache this test fills is the copy's, never the project's.
describe("the compiled pack cache, keyed by the pack's sources and dependencies", () => {
    let root: string;
    const rule = () => path.join(root, "policy", "isolate-tenant-nats.ts");

    beforeAll(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-pack-cache-"));
        for (const entry of [...PACK_SOURCE_DIRS, "tsconfig.json", "package.json", "package-lock.json"]) {
            fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(root, entry), { recursive: true, filter: (source) => path.basename(source) !== "node_modules" });
        }
        fs.mkdirSync(path.join(root, "node_modules"));
        for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, "node_modules"))) {
            if (entry !== ".cache") fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", entry), path.join(root, "node_modules", entry));
        }
    });

    afterAll(() => {
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("compiles the pack once, then starts it from the cache; the real run-policy-pack loads every rule from there", async () => {
        const sources = path.join(root, "policy");
        expect(planPackDir(sources, root)).toBe(sources);
        const first = await compiledPack(root);
        const dir = path.join(packCacheRoot(root), packCacheKey(root), "policy");
        expect(first).toEqual({ dir, compiled: true });
        expect(fs.readFileSync(path.join(dir, ".complete"), "utf8")).toBe(`${packCacheKey(root)}\n`);
        expect(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).main).toBe("index.js");
        expect(await compiledPack(root)).toEqual({ dir, compiled: false });
        expect([planPackDir(sources, root), await preparePlanPack(sources, root)]).toEqual([dir, dir]);
        // Another pack is never replaced by the project's.
        const other = path.join(PROJECT_ROOT, "test", "policy", "fixtures");
        expect(await preparePlanPack(other, root)).toBe(other);
        const host = await startPolicyPack({ packDir: dir, timeoutMs: 60_000 });
        try {
            expect((await host.getAnalyzerInfo()).policies.map((p) => p.name)).toEqual(RULES.map((r) => r.name));
        } finally {
            await host.stop();
        }
    }, 180_000);

    it("misses once a rule's source changes, compiles that version beside the first, and hits the first again once reverted", async () => {
        const before = packCacheKey(root);
        const source = fs.readFileSync(rule(), "utf8");
        fs.writeFileSync(rule(), `${source}\n// edited\n`);
        try {
            const edited = packCacheKey(root);
            expect(edited).not.toBe(before);
            expect(cachedPack(root)).toBeUndefined();
            expect(planPackDir(path.join(root, "policy"), root)).toBe(path.join(root, "policy"));
            expect(await compiledPack(root)).toEqual({ dir: path.join(packCacheRoot(root), edited, "policy"), compiled: true });
            const compiledRule = (key: string) => fs.readFileSync(path.join(packCacheRoot(root), key, "policy", "isolate-tenant-nats.js"), "utf8");
            expect([compiledRule(edited).includes("// edited"), compiledRule(before).includes("// edited")]).toEqual([true, false]);
        } finally {
            fs.writeFileSync(rule(), source);
        }
        expect(packCacheKey(root)).toBe(before);
        expect(await compiledPack(root)).toEqual({ dir: path.join(packCacheRoot(root), before, "policy"), compiled: false });
    }, 180_000);

    it("keys on the dependencies too: another package-lock.json is another key", () => {
        const lock = path.join(root, "package-lock.json");
        const text = fs.readFileSync(lock, "utf8");
        const before = packCacheKey(root);
        fs.writeFileSync(lock, text.replace('"name": "tenancy"', '"name": "tenancy-x"'));
        try {
            expect(packCacheKey(root)).not.toBe(before);
        } finally {
            fs.writeFileSync(lock, text);
        }
        expect(packCacheKey(root)).toBe(before);
    });

    it("caches nothing for a pack that does not type-check, and the plan then starts its sources (which report the error as pulumi preview does)", async () => {
        const source = fs.readFileSync(rule(), "utf8");
        fs.writeFileSync(rule(), `${source}\nconst broken: number = "text";\nvoid broken;\n`);
        try {
            const result = await compiledPack(root);
            expect(result).toEqual({ problem: expect.stringMatching(/^tsc exited 2:\n.*isolate-tenant-nats\.ts\(\d+,7\): error TS2322: Type 'string' is not assignable to type 'number'\./s) });
            expect(cachedPack(root)).toBeUndefined();
            expect(await preparePlanPack(path.join(root, "policy"), root)).toBe(path.join(root, "policy"));
            expect(fs.readdirSync(packCacheRoot(root)).filter((e) => e.startsWith(".build-"))).toEqual([]);
        } finally {
            fs.writeFileSync(rule(), source);
        }
    }, 180_000);
});
