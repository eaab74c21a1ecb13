import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inShard, shardOf, shardSchema } from "../../registry";

const ids = (n: number, prefix = "org_") => Array.from({ length: n }, (_, i) => `${prefix}${i.toString(36).padStart(6, "0")}`);
const orgId = fc.stringMatching(/^org_[a-z0-9]{6,12}$/);

describe("shardOf", () => {
    it("assigns every tenant to exactly one shard of the count", () => {
        fc.assert(
            fc.property(fc.uniqueArray(orgId, { maxLength: 60 }), fc.integer({ min: 1, max: 16 }), (list, count) => {
                for (const id of list) {
                    const owners = Array.from({ length: count }, (_, index) => index).filter((index) => inShard(id, { index, count }));
                    expect(owners).toEqual([shardOf(id, count)]);
                }
            }),
        );
    });

    it("moves only the tenants the new shard wins when the count grows by one", () => {
        fc.assert(
            fc.property(fc.uniqueArray(orgId, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 15 }), (list, count) => {
                for (const id of list) {
                    const after = shardOf(id, count + 1);
                    if (after !== count) expect(after).toBe(shardOf(id, count));
                }
            }),
        );
    });

    it("spreads 3,000 tenants evenly: each of 4 shards within 3 standard deviations of 750, and a fifth shard takes about a fifth", () => {
        const all = ids(3000);
        const sizes = [0, 0, 0, 0];
        for (const id of all) sizes[shardOf(id, 4)]++;
        for (const size of sizes) expect(Math.abs(size - 750)).toBeLessThan(72);
        const moved = all.filter((id) => shardOf(id, 5) !== shardOf(id, 4)).length;
        expect(Math.abs(moved - 600)).toBeLessThan(66);
    });

    it("keeps one shard for a count of 1", () => {
        expect(ids(50).map((id) => shardOf(id, 1))).toEqual(Array(50).fill(0));
    });
});

describe("shardSchema", () => {
    it("accepts index < count and names what is wrong otherwise", () => {
        expect(shardSchema.parse({ index: 2, count: 3 })).toEqual({ index: 2, count: 3 });
        const problems = (value: unknown) => shardSchema.safeParse(value).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
        expect(problems({ index: 3, count: 3 })).toEqual(["index: index must be less than count (shards are numbered from 0)"]);
        expect(problems({ index: -1, count: 0 })).toEqual(["index: must be 0 or more", "count: must be 1 or more"]);
        expect(problems({ index: 0, count: 257 })).toEqual(["count: must be at most 256"]);
        expect(problems({ index: "0", count: 2 })).toEqual(["index: must be a whole number"]);
    });
});
