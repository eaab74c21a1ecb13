import { describe, expect, it } from "vitest";
import { cidrRanges, internetCovered, intersect, ipv4View, normalize, parseCidr, reaches, size, subtract } from "../../policy/ip-ranges";

const V4 = 0xffff_0000_0000n;
const r = (lo: bigint, hi: bigint) => ({ lo, hi });

describe("parseCidr", () => {
    it("maps IPv4 into the IPv4-mapped window, ignores host bits and accepts leading zeros, as Kubernetes does", () => {
        expect(parseCidr("10.0.0.0/8")).toEqual(r(V4 + 0x0a00_0000n, V4 + 0x0aff_ffffn));
        expect(parseCidr("10.1.2.3/8")).toEqual(parseCidr("10.0.0.0/8"));
        expect(parseCidr("010.000.000.000/8")).toEqual(parseCidr("10.0.0.0/8"));
        expect(parseCidr("::ffff:10.0.0.0/104")).toEqual(parseCidr("10.0.0.0/8"));
        expect(parseCidr("::ffff:a00:0/104")).toEqual(parseCidr("10.0.0.0/8"));
        expect(parseCidr("::/0")).toEqual(r(0n, (1n << 128n) - 1n));
        expect(parseCidr("FE80::1/10")).toEqual(parseCidr("fe80::/10"));
    });

    it("says why a text is not a CIDR", () => {
        expect(parseCidr("10.0.0.0")).toBe(`"10.0.0.0" is not a CIDR (no prefix length)`);
        expect(parseCidr("10.0.0/8")).toBe(`"10.0.0/8" is not a CIDR ("10.0.0" is not an IP address)`);
        expect(parseCidr("256.0.0.0/8")).toBe(`"256.0.0.0/8" is not a CIDR ("256.0.0.0" is not an IP address)`);
        expect(parseCidr("10.0.0.0/33")).toBe(`"10.0.0.0/33" is not a CIDR (prefix length must be 0 to 32)`);
        expect(parseCidr("2001:db8::/129")).toBe(`"2001:db8::/129" is not a CIDR (prefix length must be 0 to 128)`);
        expect(parseCidr("10.0.0.0/-1")).toBe(`"10.0.0.0/-1" is not a CIDR (prefix length must be 0 to 32)`);
    });
});

describe("range arithmetic", () => {
    it("merges, subtracts, intersects and counts exactly", () => {
        expect(normalize([r(5n, 9n), r(0n, 4n), r(20n, 30n), r(25n, 26n)])).toEqual([r(0n, 9n), r(20n, 30n)]);
        expect(subtract([r(0n, 100n)], [r(10n, 19n), r(50n, 200n)])).toEqual([r(0n, 9n), r(20n, 49n)]);
        expect(intersect([r(0n, 10n), r(20n, 30n)], [r(5n, 25n)])).toEqual([r(5n, 10n), r(20n, 25n)]);
        expect(size(cidrRanges(["10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/16"]))).toBe((1n << 24n) + (1n << 16n));
    });

    it("sees IPv4 through the IPv4-mapped and NAT64 spellings", () => {
        expect(ipv4View(cidrRanges(["64:ff9b::a9fe:a9fe/128"]))).toEqual(cidrRanges(["169.254.169.254/32"]));
        expect(reaches(cidrRanges(["64:ff9b::a00:0/104"]), cidrRanges(["10.244.0.0/16"]))).toBe(true);
        expect(reaches(cidrRanges(["2001:db8::/32"]), cidrRanges(["10.244.0.0/16"]))).toBe(false);
    });

    it("tells when a union covers most of the IPv4 or IPv6 internet, whatever its spelling", () => {
        expect(internetCovered(cidrRanges(["0.0.0.0/0"]))).toBe("IPv4");
        expect(internetCovered(cidrRanges(["0.0.0.0/2", "::ffff:64.0.0.0/98"]))).toBe("IPv4");
        expect(internetCovered(subtract(cidrRanges(["0.0.0.0/0"]), cidrRanges(["8.8.8.8/32", "1.0.0.0/8"])))).toBe("IPv4");
        expect(internetCovered(cidrRanges(["64:ff9b::/96"]))).toBe("IPv4");
        expect(internetCovered(cidrRanges(["2000::/4", "3000::/4"]))).toBe("IPv6");
        expect(internetCovered(cidrRanges(["::/0"]))).toBe("IPv4 and IPv6");
        expect(internetCovered(cidrRanges(["0.0.0.0/2"]))).toBeUndefined();
        expect(internetCovered(cidrRanges(["203.0.113.0/24", "2001:db8::/32"]))).toBeUndefined();
        // Private and special ranges are not the internet, however large.
        expect(internetCovered(cidrRanges(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"]))).toBeUndefined();
    });
});
