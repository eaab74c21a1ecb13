import { describe, expect, it } from "vitest";
import { parseNatsConf } from "../../policy/nats-conf";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("parseNatsConf: the server's configuration format", () => {
    it("reads JSON as it is", () => {
        expect(parseNatsConf(`{"accounts": {"A": {"users": [{"nkey": "UA"}]}}}`)).toEqual({ value: { accounts: { A: { users: [{ nkey: "UA" }] } } }, includes: [], unresolved: [] });
    });

    it("reads bare keys and values, every separator, comments, quoting and nested blocks", () => {
        const text = `# server\nlisten: 0.0.0.0:4222 // inline\nmax_payload = 8MB\naccounts {\n  A: {\n    users = [\n      {nkey: UA, permissions: {publish: "a.>", subscribe: ['a.>', "b.*"]}}\n    ]\n    exports: [{stream: a.>}, {service: "a.req"}]; imports [ {stream: {account: B, subject: "b.>"}, prefix: from_b} ]\n  }\n  "B" { users: [] }\n}\n`;
        expect(parseNatsConf(text).value).toEqual({
            listen: "0.0.0.0:4222",
            max_payload: "8MB",
            accounts: {
                A: {
                    users: [{ nkey: "UA", permissions: { publish: "a.>", subscribe: ["a.>", "b.*"] } }],
                    exports: [{ stream: "a.>" }, { service: "a.req" }],
                    imports: [{ stream: { account: "B", subject: "b.>" }, prefix: "from_b" }],
                },
                B: { users: [] },
            },
        });
    });

    it("resolves variables from the same or an enclosing block and reports the rest and every include", () => {
        const parsed = parseNatsConf(`ACME_KEY: UACME\ninclude ./extra.conf\naccounts: { A: { users: [ {nkey: $ACME_KEY}, {nkey: $OTHER} ] } }\n`);
        expect(parsed).toEqual({ value: { ACME_KEY: "UACME", accounts: { A: { users: [{ nkey: "UACME" }, { nkey: UNKNOWN }] } } }, includes: ["./extra.conf"], unresolved: ["OTHER"] });
    });

    it("names the line of what it cannot read", () => {
        expect(() => parseNatsConf("accounts {\n  A: { users: [\n")).toThrow('missing "]" at line 3');
        expect(() => parseNatsConf('accounts: { A: "unterminated }')).toThrow("unterminated string at line 1");
        expect(() => parseNatsConf("a: b\n}")).toThrow('expected a key, found "}" at line 2');
    });
});
