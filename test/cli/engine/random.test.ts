import { describe, expect, it } from "vitest";
import { emulateRandom, isEmulatedRandom } from "../../../cli/engine/random";
import { SECRET_SIG, SIG_KEY, UNKNOWN, unwrapSecrets } from "../../../cli/engine/wire";

const key = Buffer.alloc(32, 1);
const urn = "urn:pulumi:dev::tenancy::random:index/randomString:RandomString::x";
const T = (name: string) => `random:index/random${name}:Random${name}`;
const out = (type: string, inputs: Record<string, unknown>, secrets: string[] = [], k = key, u = urn) =>
    unwrapSecrets(emulateRandom(k, type, u, inputs, secrets).outputs) as Record<string, unknown>;

describe("emulated random provider", () => {
    it("knows the random types and nothing else", () => {
        expect(["Bytes", "Id", "String", "Password", "Integer", "Uuid", "Uuid4", "Uuid7", "Shuffle"].every((n) => isEmulatedRandom(T(n)))).toBe(true);
        expect(isEmulatedRandom("random:index/randomPet:RandomPet")).toBe(false);
        expect(() => emulateRandom(key, "random:index/randomPet:RandomPet", urn, {}, [])).toThrow("no emulation for random:index/randomPet:RandomPet");
    });

    it("derives bytes from key, URN and inputs only", () => {
        const a = out(T("Bytes"), { length: 32 });
        expect(a.hex).toMatch(/^[0-9a-f]{64}$/);
        expect(Buffer.from(a.base64 as string, "base64").toString("hex")).toBe(a.hex);
        expect(out(T("Bytes"), { length: 32 })).toEqual(a);
        expect(out(T("Bytes"), { length: 32 }, [], Buffer.alloc(32, 2)).hex).not.toBe(a.hex);
        expect(out(T("Bytes"), { length: 32 }, [], key, `${urn}2`).hex).not.toBe(a.hex);
        expect(out(T("Bytes"), { length: 32, keepers: { v: "2" } }).hex).not.toBe(a.hex);
    });

    it("wraps the provider's secret outputs as secrets and lists what it computed", () => {
        const state = emulateRandom(key, T("Bytes"), urn, { length: 4 }, ["base64", "hex"]);
        expect(state.computed).toEqual(["base64", "hex"]);
        expect(state.outputs.length).toBe(4);
        expect(state.outputs.hex).toEqual({ [SIG_KEY]: SECRET_SIG, value: (unwrapSecrets(state.outputs) as { hex: string }).hex });
        expect(state.id).toBe("none");
    });

    it("honours length, character classes and minimum counts of strings and passwords", () => {
        const s = out(T("String"), { length: 40, special: false, upper: false, minNumeric: 10 }).result as string;
        expect(s).toMatch(/^[a-z0-9]{40}$/);
        expect(s.replace(/[^0-9]/g, "").length).toBeGreaterThanOrEqual(10);
        const p = out(T("Password"), { length: 12, overrideSpecial: "!", minSpecial: 3, minUpper: 2 });
        expect(p.result).toMatch(/^[A-Za-z0-9!]{12}$/);
        expect((p.result as string).replace(/[^!]/g, "").length).toBeGreaterThanOrEqual(3);
        expect((p.result as string).replace(/[^A-Z]/g, "").length).toBeGreaterThanOrEqual(2);
        // No bcrypt is installed: the hash stays unknown, as in a real preview.
        expect(p.bcryptHash).toBe(UNKNOWN);
    });

    it("emulates ids, integers, uuids and shuffles", () => {
        const id = out(T("Id"), { byteLength: 4, prefix: "p-" });
        const hex = (id.hex as string).slice(2);
        expect(id.hex).toMatch(/^p-[0-9a-f]{8}$/);
        expect(id.dec).toBe(`p-${BigInt(`0x${hex}`).toString(10)}`);
        expect(id.b64Url).toBe(`p-${Buffer.from(hex, "hex").toString("base64url")}`);
        const n = out(T("Integer"), { min: 5, max: 7 }).result as number;
        expect([5, 6, 7]).toContain(n);
        expect(out(T("Uuid"), {}).result).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(out(T("Uuid7"), {}).result).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        const shuffled = out(T("Shuffle"), { inputs: ["a", "b", "c", "d"], resultCount: 3 }).results as string[];
        expect(shuffled).toHaveLength(3);
        expect(new Set(shuffled).size).toBe(3);
        for (const v of shuffled) expect(["a", "b", "c", "d"]).toContain(v);
    });
});
