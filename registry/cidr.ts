import { isIPv4, isIPv6 } from "node:net";

/**
 * Explains why a string is not a usable CIDR block (address/prefix with no host bits set),
 * or returns undefined when it is one.
 */
export function cidrProblem(text: string): string | undefined {
    const slash = text.indexOf("/");
    if (slash < 0) return `"${text}" is not a CIDR: write address/prefix, e.g. 203.0.113.0/24`;
    const address = text.slice(0, slash);
    const prefixText = text.slice(slash + 1);
    const bits = isIPv4(address) ? 32 : isIPv6(address) ? 128 : 0;
    if (bits === 0) return `"${text}" is not a CIDR: "${address}" is not an IPv4 or IPv6 address`;
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
        return `"${text}" is not a CIDR: the prefix length must be 0 to ${bits}`;
    }
    const prefix = Number(prefixText);
    const value = bits === 32 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
    const hostMask = (1n << BigInt(bits - prefix)) - 1n;
    if ((value & hostMask) !== 0n) {
        return `"${text}" has host bits set: write the network address with prefix /${prefix}`;
    }
    return undefined;
}

/** True for a /0 block (0.0.0.0/0, ::/0): egress to the whole internet, which tenants may not open. */
export function isCatchAllCidr(text: string): boolean {
    const slash = text.indexOf("/");
    return slash >= 0 && text.slice(slash + 1).replace(/^0+(?=\d)/, "") === "0";
}

function ipv4ToBigInt(address: string): bigint {
    return address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
    let text = address;
    // An embedded IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
        const n = ipv4ToBigInt(v4[1]);
        text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
    const headGroups = head ? head.split(":") : [];
    const tailGroups = tail ? tail.split(":") : [];
    const missing = 8 - headGroups.length - tailGroups.length;
    const groups = tail === undefined ? headGroups : [...headGroups, ...Array(missing).fill("0"), ...tailGroups];
    return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}
