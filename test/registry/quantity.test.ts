import { describe, expect, it } from "vitest";
import { compareQuantities, isQuantity, parseExactQuantity, parseQuantity } from "../../registry";

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

describe("parseExactQuantity and compareQuantities", () => {
    const q = (text: string | number) => parseExactQuantity(text)!;
    const cmp = (a: string | number, b: string | number) => compareQuantities(q(a), q(b));

    it("holds decimal fractions exactly, where floats do not: 700m is 0.7", () => {
        expect(700 * 0.001).not.toBe(0.7);
        expect(cmp("700m", "0.7")).toBe(0);
        expect(cmp("0.1", "100m")).toBe(0);
        expect(cmp("300m", "0.3")).toBe(0);
        expect(parseQuantity("700m")).toBe(0.7);
    });

    it("tells binary from decimal suffixes and reads exponents, signs and bare points", () => {
        expect(cmp("1Ki", "1k")).toBe(1);
        expect(cmp("1Ki", "1024")).toBe(0);
        expect(cmp("1e3", "1k")).toBe(0);
        expect(cmp("1E3", "1000")).toBe(0);
        expect(cmp("1E", "1e18")).toBe(0);
        expect(cmp("2.5e-3", "2500u")).toBe(0);
        expect(cmp(".5", "500m")).toBe(0);
        expect(cmp("5.", "5")).toBe(0);
        expect(cmp("+1", "1")).toBe(0);
        expect(cmp("-1", "0")).toBe(-1);
        expect(cmp(15, "15")).toBe(0);
        expect(cmp(0.7, "700m")).toBe(0);
    });

    it("orders values one unit apart at any scale", () => {
        expect(cmp("10000000001m", "10000000")).toBe(1);
        expect(cmp("4000m", "4")).toBe(0);
        expect(cmp("4001m", "4")).toBe(1);
        expect(cmp("40Gi", "42949672961")).toBe(-1);
    });

    it("rejects what is not a quantity, and exponents no cluster uses", () => {
        for (const text of ["", ".", "lots", "1e", "1e1000", "Gi", "1..2", "0x10", "1 Gi"]) expect(parseExactQuantity(text), text).toBeUndefined();
        expect(parseExactQuantity(Number.NaN)).toBeUndefined();
        expect(parseExactQuantity(Number.POSITIVE_INFINITY)).toBeUndefined();
    });
});
