import { describe, expect, it } from "vitest";
import { isQuantity, parseQuantity } from "../../registry";

describe("parseQuantity", () => {
    it("reads plain, decimal-suffixed, binary-suffixed and exponent quantities", () => {
        expect(parseQuantity("10")).toBe(10);
        expect(parseQuantity("500m")).toBe(0.5);
        expect(parseQuantity("2k")).toBe(2000);
        expect(parseQuantity("40Gi")).toBe(40 * 2 ** 30);
        expect(parseQuantity("512Mi")).toBe(512 * 2 ** 20);
        expect(parseQuantity("1.5")).toBe(1.5);
        expect(parseQuantity("1e3")).toBe(1000);
        expect(parseQuantity("2Ti")).toBe(2 * 2 ** 40);
    });

    it("compares across units: 40960Mi equals 40Gi", () => {
        expect(parseQuantity("40960Mi")).toBe(parseQuantity("40Gi"));
    });

    it("rejects text that is not a quantity", () => {
        for (const text of ["", "lots", "10 Gi", "10GB", "Gi", " 10", "1.2.3"]) expect(parseQuantity(text), text).toBeUndefined();
    });

    it("treats negative quantities as invalid for the registry", () => {
        expect(parseQuantity("-1")).toBe(-1);
        expect(isQuantity("-1")).toBe(false);
        expect(isQuantity("0")).toBe(true);
    });
});
