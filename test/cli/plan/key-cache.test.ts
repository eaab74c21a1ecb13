import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { natsStackKeys } from "../../../components";
import { keyCacheFingerprint, keyCachePath, openKeyCache } from "../../../cli/plan/key-cache";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-key-cache-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const MASTER = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 8);
const TENANTS = [{ id: "org_acme01", generation: 1 }, { id: "org_globex1", generation: 2 }];
let n = 0;
const fresh = () => path.join(dir, `plan-key-${n++}.public-keys.json`);

describe("the public keys a plan keeps between runs", () => {
    it("lives next to the plan key", () => {
        expect(keyCachePath("/home/u/.config/tenancy/plan-key")).toBe("/home/u/.config/tenancy/plan-key.public-keys.json");
    });

    it("gives the keys natsStackKeys derives, and a second plan reads them instead of deriving (mode 0600)", () => {
        const file = fresh();
        const first = openKeyCache(file, MASTER);
        expect(first.known.size).toBe(0);
        const keys = natsStackKeys(MASTER, TENANTS, undefined, first.known);
        expect(keys).toEqual(natsStackKeys(MASTER, TENANTS));
        first.save();
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        const second = openKeyCache(file, MASTER);
        expect([...second.known.keys()].sort()).toEqual(["PLATFORM:1", "org_acme01:1", "org_globex1:2"]);
        // A kept key is used as it is: only a kept key can give this one.
        const planted = { ...second.known.get("org_acme01:1")!, user: `U${"B".repeat(55)}` };
        second.known.set("org_acme01:1", planted);
        expect(natsStackKeys(MASTER, TENANTS, undefined, second.known).tenants.org_acme01).toEqual(planted);
    });

    it("is written only when keys were added", () => {
        const file = fresh();
        const cache = openKeyCache(file, MASTER);
        natsStackKeys(MASTER, TENANTS, undefined, cache.known);
        cache.save();
        const written = fs.statSync(file).mtimeMs;
        fs.utimesSync(file, new Date(0), new Date(0));
        const again = openKeyCache(file, MASTER);
        natsStackKeys(MASTER, TENANTS, undefined, again.known);
        again.save();
        expect(fs.statSync(file).mtimeMs).toBe(0);
        expect(written).toBeGreaterThan(0);
    });

    it("holds nothing for another master key, and starts over when the file is not one it wrote", () => {
        const file = fresh();
        const cache = openKeyCache(file, MASTER);
        natsStackKeys(MASTER, TENANTS, undefined, cache.known);
        cache.save();
        expect(keyCacheFingerprint(OTHER)).not.toBe(keyCacheFingerprint(MASTER));
        expect(openKeyCache(file, OTHER).known.size).toBe(0);
        const kept = JSON.parse(fs.readFileSync(file, "utf8")) as { fingerprint: string; keys: Record<string, string[]> };
        const rewrite = (value: unknown) => {
            fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
            return openKeyCache(file, MASTER).known.size;
        };
        expect(rewrite("{not json")).toBe(0);
        expect(rewrite({ ...kept, keys: { ...kept.keys, "org_acme01:1": ["A", "B", "C"] } })).toBe(0);
        expect(rewrite({ ...kept, keys: { ...kept.keys, "org_acme01:0": kept.keys["org_acme01:1"] } })).toBe(0);
        expect(rewrite({ ...kept, keys: [] })).toBe(0);
        expect(rewrite(kept)).toBe(3);
    });

    it("leaves a file it cannot write as it was", () => {
        const cache = openKeyCache(path.join(dir, "no-such-dir", "plan-key.public-keys.json"), MASTER);
        natsStackKeys(MASTER, TENANTS, undefined, cache.known);
        expect(() => cache.save()).not.toThrow();
        expect(fs.existsSync(path.join(dir, "no-such-dir"))).toBe(false);
    });
});
