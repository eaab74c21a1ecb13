import { decode as libraryDecode, encodeAccount, fromSeed, parseCreds, Types } from "@nats-io/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { credsFile, decodeJwt, JWT_ISSUED_AT, operatorJwt, signJwt, tenantAccountJwt, userJwt } from "../../components/nats-jwt";
import { accountKeys, accountPublicKey, operatorKeys, PLATFORM_KEY_OWNER } from "../../components/nats-keys";
import { platformMaterial, tenantMaterial } from "../../components/nats-material";
import { platformAccountSpec, tenantAccountSpec } from "../../components/nats-spec";
import { examplePlans, MASTER } from "./fixture";

const plans = examplePlans();
const acme = tenantAccountSpec({ id: "org_7f3k2m9q", slug: "acme", plan: "standard" }, plans.standard);
const { operator } = operatorKeys(MASTER);
const keys = accountKeys(MASTER, acme.tenantId, 1);
const platformAccount = accountPublicKey(MASTER, PLATFORM_KEY_OWNER);

afterEach(() => vi.useRealTimers());

describe("NATS JWTs", () => {
    it("are byte for byte what @nats-io/jwt's encodeAccount writes when its clock reads iat 0", async () => {
        const claims = { limits: { conn: 5, subs: 10 }, default_permissions: { pub: { allow: ["a.>"] } } };
        vi.useFakeTimers({ now: JWT_ISSUED_AT * 1000, toFake: ["Date"] });
        const library = await encodeAccount("acme", keys.account.publicKey, structuredClone(claims), { signer: fromSeed(new TextEncoder().encode(operator.seed)) });
        vi.useRealTimers();
        expect(signJwt(Types.Account, "acme", keys.account.publicKey, claims, operator)).toBe(library);
    });

    it("decode only with a valid signature of their issuer", () => {
        const jwt = tenantAccountJwt(acme, { account: keys.account.publicKey, signing: keys.signing.publicKey, platformAccount }, operator);
        expect(decodeJwt(jwt)).toMatchObject({ iss: operator.publicKey, sub: keys.account.publicKey, name: "org_7f3k2m9q", iat: 0, aud: "NATS" });
        const [header, body, signature] = jwt.split(".");
        const forged = Buffer.from(JSON.stringify({ ...decodeJwt(jwt), name: "org_other" })).toString("base64url");
        expect(() => decodeJwt(`${header}.${forged}.${signature}`)).toThrow("sig verification failed");
        expect(() => decodeJwt(`${header}.${body}`)).toThrow("invalid jwt - 2 chunks");
    });

    it("decode with the same verdicts as @nats-io/jwt's own decode, signature checked natively", () => {
        const m = tenantMaterial(acme, MASTER, 1);
        const jwts = [m.accountJwt, m.userJwt, operatorJwt(operator, operatorKeys(MASTER).system.publicKey)];
        for (const jwt of jwts) expect(decodeJwt(jwt)).toEqual(libraryDecode(jwt));
        const [header, body] = m.accountJwt.split(".");
        const otherSignature = m.userJwt.split(".")[2];
        for (const bad of [`${header}.${body}.${otherSignature}`, `${header}.${body}`, `${m.userJwt.split(".")[0]}.${body.slice(0, -2)}.${otherSignature}`]) {
            const verdict = (f: () => unknown) => {
                try {
                    f();
                    return "accepted";
                } catch (error) {
                    return (error as Error).message.split(" - ")[0];
                }
            };
            expect(verdict(() => decodeJwt(bad))).toBe(verdict(() => libraryDecode(bad)));
            expect(verdict(() => decodeJwt(bad))).not.toBe("accepted");
        }
    });

    it("give a tenant's account its imports from PLATFORM, no exports, its plan's limits and a scoped signing key with its permissions", () => {
        const claims = decodeJwt<Record<string, unknown>>(tenantMaterial(acme, MASTER, 1).accountJwt).nats;
        const permissions = { pub: { allow: ["org.acme.>", "_INBOX.acme.>", "platform.status"] }, sub: { allow: ["org.acme.>", "_INBOX.acme.>", "platform.broadcast.>"] } };
        expect(claims).toEqual({
            imports: [
                { name: "platform.broadcast.>", subject: "platform.broadcast.>", account: platformAccount, type: "stream" },
                { name: "platform.status.acme", subject: "platform.status.acme", account: platformAccount, type: "service", local_subject: "platform.status" },
            ],
            exports: [],
            limits: { subs: 2000, data: -1, payload: 1048576, imports: -1, exports: 0, wildcards: true, conn: 50, leaf: 0, disallow_bearer: true },
            signing_keys: [{ kind: "user_scope", key: keys.signing.publicKey, role: "tenant-agents", template: { ...permissions, subs: -1, data: -1, payload: -1 } }],
            default_permissions: permissions,
            type: "account",
            version: 2,
        });
        const suspended = tenantAccountSpec({ id: "org_7f3k2m9q", slug: "acme", plan: "standard", lifecycle: "suspended" }, plans.standard);
        expect(decodeJwt<{ limits: { conn: number } }>(tenantMaterial(suspended, MASTER, 1).accountJwt).nats.limits!.conn).toBe(0);
    });

    it("let the platform's user answer requests, and only under platform. and _INBOX.", () => {
        const p = platformMaterial(platformAccountSpec(), MASTER, 1);
        const claims = decodeJwt<{ exports: unknown; signing_keys: Array<{ template: unknown }> }>(p.accountJwt).nats;
        expect(claims.exports).toEqual([
            { name: "platform.broadcast.>", subject: "platform.broadcast.>", type: "stream" },
            { name: "platform.status.*", subject: "platform.status.*", type: "service", response_type: "Singleton" },
        ]);
        expect(claims.signing_keys![0].template).toEqual({ pub: { allow: ["platform.>"] }, sub: { allow: ["platform.>", "_INBOX.>"] }, resp: { max: 1, ttl: 0 }, subs: -1, data: -1, payload: -1 });
    });

    it("issue the tenant's user from its signing key with no permissions of its own, in a .creds file NATS clients read", async () => {
        const m = tenantMaterial(acme, MASTER, 1);
        expect(decodeJwt(m.userJwt)).toMatchObject({ iss: keys.signing.publicKey, sub: m.userPublicKey, nats: { issuer_account: keys.account.publicKey, type: "user", version: 2 } });
        expect(Object.keys(decodeJwt<object>(m.userJwt).nats).sort()).toEqual(["issuer_account", "type", "version"]);
        const parsed = await parseCreds(new TextEncoder().encode(m.creds));
        expect([parsed.jwt, parsed.key, parsed.aid]).toEqual([m.userJwt, m.userSeed, keys.account.publicKey]);
        expect(credsFile(m.userJwt, m.userSeed)).toBe(m.creds);
        expect(userJwt("org_7f3k2m9q", m.userPublicKey, keys.account.publicKey, keys.signing)).toBe(m.userJwt);
    });

    it("are the same bytes on every run, and change with the generation only where rotation must", () => {
        expect(tenantMaterial(acme, MASTER, 1)).toEqual(tenantMaterial(acme, MASTER, 1));
        const [one, two] = [tenantMaterial(acme, MASTER, 1), tenantMaterial(acme, MASTER, 2)];
        expect(two.accountPublicKey).toBe(one.accountPublicKey);
        expect([two.signingPublicKey, two.userPublicKey, two.accountJwt]).not.toContain(one.signingPublicKey);
        expect(two.userPublicKey).not.toBe(one.userPublicKey);
        expect(two.accountJwt).not.toBe(one.accountJwt);
    });
});
