import { describe, expect, it } from "vitest";
import { cidrProblem, isCatchAllCidr } from "../../registry";

describe("cidrProblem", () => {
    it("accepts IPv4 and IPv6 network addresses", () => {
        for (const cidr of ["203.0.113.0/24", "10.0.0.0/8", "192.0.2.1/32", "2001:db8::/32", "2001:db8:40::/48", "::1/128"]) {
            expect(cidrProblem(cidr), cidr).toBeUndefined();
        }
    });

    it("explains each kind of bad CIDR", () => {
        expect(cidrProblem("10.0.0.0")).toBe('"10.0.0.0" is not a CIDR: write address/prefix, e.g. 203.0.113.0/24');
        expect(cidrProblem("10.0.0/8")).toBe('"10.0.0/8" is not a CIDR: "10.0.0" is not an IPv4 or IPv6 address');
        expect(cidrProblem("2001:db8::/129")).toBe('"2001:db8::/129" is not a CIDR: the prefix length must be 0 to 128');
        expect(cidrProblem("10.0.0.0/x")).toBe('"10.0.0.0/x" is not a CIDR: the prefix length must be 0 to 32');
        expect(cidrProblem("2001:db8::1/64")).toBe('"2001:db8::1/64" has host bits set: write the network address with prefix /64');
    });

    it("flags catch-all ranges", () => {
        expect(isCatchAllCidr("0.0.0.0/0")).toBe(true);
        expect(isCatchAllCidr("::/0")).toBe(true);
        expect(isCatchAllCidr("0.0.0.0/00")).toBe(true);
        expect(isCatchAllCidr("10.0.0.0/8")).toBe(false);
    });
});
