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
        expect(parsed).toEqual({ value: { ACME_KEY: "UACME", accounts: { A: { users: [{ nkey: "UACME" }, { nkey: UNKNOWN }] } } }, includes: ['"./extra.conf", which the pack cannot read'], unresolved: ["OTHER"] });
    });

    it("reads an include through the resolver where it stands, inside a map as nats-server does, and reports the rest", () => {
        const files: Record<string, string> = { "a.conf": '"AKEY1": "jwt1"\n', "b.conf": 'include "a.conf"\n"AKEY2": "jwt2"\n', "bad.conf": "x: [" };
        const resolve = (path: string) => (files[path] !== undefined ? { text: files[path] } : { problem: "which is nowhere" });
        const parsed = parseNatsConf('resolver: MEMORY\nresolver_preload: {\n  "ASYS": "jwt0"\n  include "b.conf"\n  include "gone.conf"\n  include "bad.conf"\n}\n', resolve);
        expect(parsed.value).toEqual({ resolver: "MEMORY", resolver_preload: { ASYS: "jwt0", AKEY1: "jwt1", AKEY2: "jwt2" } });
        expect(parsed.includes).toEqual(['"gone.conf", which is nowhere', '"bad.conf", which does not parse (missing "]" at line 1)']);
    });

    it("names the line of what it cannot read", () => {
        expect(() => parseNatsConf("accounts {\n  A: { users: [\n")).toThrow('missing "]" at line 3');
        expect(() => parseNatsConf('accounts: { A: "unterminated }')).toThrow("unterminated string at line 1");
        expect(() => parseNatsConf("a: b\n}")).toThrow('expected a key, found "}" at line 2');
    });
});
