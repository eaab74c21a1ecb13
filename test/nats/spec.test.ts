import { fromPublic, fromSeed } from "nkeys.js";
import { agentStatusSubject, natsAccountName, NatsSpecError, PLATFORM_ACCOUNT, statusSender, taskInboxSubject, tenantSubjects } from "../../contract";
import { describe, expect, it } from "vitest";
import { authorizationDocument, authorizationSize, parsePermissionStructure, permissionStructure, placeholderUserNkey, platformAccountSpec, renderAuthorization, renderJson, serverPlatformAccount, serverTenantAccount, tenantAccountSpec, tenantUserPermissions, userNkeyFromBase64 } from "../../components/nats-spec";
import { examplePlans } from "./fixture";

const plans = examplePlans();
const acme = tenantAccountSpec({ id: "org_7f3k2m9q", slug: "acme", plan: "standard" }, plans.standard);
const globex = tenantAccountSpec({ id: "org_k4x8p2wn", slug: "globex", plan: "enterprise" }, plans.enterprise);
const initech = tenantAccountSpec({ id: "org_q9d5t1ze", slug: "initech", plan: "free" }, plans.free);
const ZERO_BYTES = Buffer.alloc(32).toString("base64");
const ONES = Buffer.alloc(32, 1).toString("base64");

describe("subject scheme", () => {
    it("puts everything of a tenant under org.<slug>. and its inboxes under _INBOX.<slug>.", () => {
        expect(tenantSubjects("acme")).toEqual({
            prefix: "org.acme",
            all: "org.acme.>",
            inboxPrefix: "_INBOX.acme",
            inboxes: "_INBOX.acme.>",
            taskInboxes: "org.acme.tasks.*.inbox",
            agentStatuses: "org.acme.agents.*.status",
            platformStatus: "platform.status.acme",
        });
        expect(taskInboxSubject("acme", "planner-1")).toBe("org.acme.tasks.planner-1.inbox");
        expect(agentStatusSubject("acme", "planner_1")).toBe("org.acme.agents.planner_1.status");
    });

    it("refuses agent names and slugs that would add tokens or wildcards", () => {
        for (const bad of ["a.b", "*", ">", "", "a b"]) {
            expect(() => taskInboxSubject("acme", bad)).toThrow(new NatsSpecError(`agent name "${bad}" is not a valid NATS subject token (letters, digits, '-' and '_' only)`));
        }
        expect(() => tenantSubjects("ac.me")).toThrow(`tenant slug "ac.me" is not a valid NATS subject token`);
    });

    it("reads the sender from a platform status subject and nothing else", () => {
        expect(statusSender("platform.status.acme")).toBe("acme");
        expect(statusSender("platform.status")).toBeUndefined();
        expect(statusSender("platform.status.acme.x")).toBeUndefined();
        expect(statusSender("org.acme.agents.a.status")).toBeUndefined();
    });
});

describe("account name", () => {
    it("is the opaque org id, never the slug or display name", () => {
        expect(natsAccountName({ id: "org_7f3k2m9q" })).toBe("org_7f3k2m9q");
        expect(() => natsAccountName({ id: "PLATFORM" })).toThrow(`tenant id "PLATFORM" is not an opaque org id like org_abc123`);
    });
});

describe("tenant account spec", () => {
    it("allows the tenant's subjects, inbox, status and broadcasts only, with the plan's limits", () => {
        expect(acme).toEqual({
            tenantId: "org_7f3k2m9q",
            slug: "acme",
            plan: "standard",
            account: "org_7f3k2m9q",
            subjectPrefix: "org.acme",
            inboxPrefix: "_INBOX.acme",
            permissions: {
                publish: { allow: ["org.acme.>", "_INBOX.acme.>", "platform.status"], allowResponses: false },
                subscribe: { allow: ["org.acme.>", "_INBOX.acme.>", "platform.broadcast.>"] },
            },
            imports: [
                { kind: "stream", account: "PLATFORM", subject: "platform.broadcast.>", to: "platform.broadcast.>" },
                { kind: "service", account: "PLATFORM", subject: "platform.status.acme", to: "platform.status" },
            ],
            exports: [],
            limits: { maxConnections: 50, maxSubscriptions: 2000, maxPayload: 1048576 },
        });
        expect(initech.limits).toEqual({ maxConnections: 10, maxSubscriptions: 200, maxPayload: 262144 });
        expect(globex.limits).toEqual({ maxConnections: 500, maxSubscriptions: 20000, maxPayload: 8388608 });
    });

    it("gives two tenants disjoint permissions", () => {
        const a = tenantUserPermissions("acme");
        const g = tenantUserPermissions("globex");
        const own = (p: typeof a) => [...p.publish.allow, ...p.subscribe.allow].filter((s) => !s.startsWith("platform."));
        expect(own(a).filter((s) => own(g).includes(s))).toEqual([]);
    });
});

describe("platform account spec", () => {
    it("exports the broadcast stream and the status service and imports nothing", () => {
        expect(platformAccountSpec()).toEqual({
            account: "PLATFORM",
            permissions: { publish: { allow: ["platform.>"], allowResponses: true }, subscribe: { allow: ["platform.>", "_INBOX.>"] } },
            exports: [
                { kind: "stream", subject: "platform.broadcast.>" },
                { kind: "service", subject: "platform.status.*" },
            ],
            imports: [],
        });
    });
});

describe("permission structure", () => {
    it("sorts tenants by slug whatever the input order, so the same registry gives the same bytes", () => {
        const a = permissionStructure([initech, acme, globex]);
        const b = permissionStructure([globex, initech, acme]);
        expect(a.tenants.map((t) => t.slug)).toEqual(["acme", "globex", "initech"]);
        expect(renderJson(a)).toBe(renderJson(b));
        expect(a.version).toBe(1);
        expect(a.platform).toEqual(platformAccountSpec());
    });

    it("rejects two tenants sharing a slug, account or prefix", () => {
        const twin = { ...globex, slug: "acme2", account: acme.account };
        expect(() => permissionStructure([acme, twin])).toThrow(`tenants org_7f3k2m9q and org_k4x8p2wn share the NATS account "org_7f3k2m9q"; every tenant needs its own`);
    });

    it("round-trips through permissions.json and reports bad documents without throwing", () => {
        const s = permissionStructure([acme, globex]);
        expect(parsePermissionStructure(renderJson(s))).toEqual({ structure: s, problems: [] });
        expect(parsePermissionStructure("{")).toEqual({ problems: [expect.stringMatching(/^\(document\): not JSON: /)] });
        const bad = JSON.parse(renderJson(s));
        bad.tenants[0].imports[0].subject = "platform broadcast";
        bad.tenants[1].exports = [{ kind: "stream", subject: "org.globex.>", extra: 1 }];
        expect(parsePermissionStructure(JSON.stringify(bad)).problems).toEqual([
            "tenants.0.imports.0.subject: must be a NATS subject",
            'tenants.1.exports.0: Unrecognized key: "extra"',
        ]);
    });
});

describe("user nkeys", () => {
    it("derive the same valid user key from the same 32 bytes, and a different one from other bytes", () => {
        const a = userNkeyFromBase64(ONES);
        expect(userNkeyFromBase64(ONES)).toEqual(a);
        expect(a.seed).toMatch(/^SU[A-Z2-7]{56}$/);
        expect(a.publicKey).toMatch(/^U[A-Z2-7]{55}$/);
        expect(fromSeed(new TextEncoder().encode(a.seed)).getPublicKey()).toBe(a.publicKey);
        expect(fromPublic(a.publicKey).getPublicKey()).toBe(a.publicKey);
        expect(userNkeyFromBase64(ZERO_BYTES).publicKey).not.toBe(a.publicKey);
    });

    it("need exactly 32 bytes", () => {
        expect(() => userNkeyFromBase64(Buffer.alloc(16).toString("base64"))).toThrow("an nkey needs exactly 32 random bytes, got 16");
    });

    it("placeholders are distinct, valid-looking and as long as real keys", () => {
        const keys = [0, 1, 31, 32, 1000, 99999].map(placeholderUserNkey);
        expect(new Set(keys).size).toBe(keys.length);
        for (const k of keys) expect(k).toMatch(/^U[A-Z2-7]{55}$/);
    });
});

describe("authorization document", () => {
    const structure = permissionStructure([acme, globex, initech]);
    const keys = {
        platform: userNkeyFromBase64(ZERO_BYTES).publicKey,
        tenants: {
            [acme.account]: userNkeyFromBase64(ONES).publicKey,
            [globex.account]: userNkeyFromBase64(Buffer.alloc(32, 2).toString("base64")).publicKey,
            [initech.account]: userNkeyFromBase64(Buffer.alloc(32, 3).toString("base64")).publicKey,
        },
    };

    it("has one account per tenant with its nkey user, imports and limits, and PLATFORM with the exports", () => {
        const doc = authorizationDocument(structure, keys);
        expect(Object.keys(doc.accounts)).toEqual([PLATFORM_ACCOUNT, acme.account, globex.account, initech.account]);
        expect(doc.accounts[PLATFORM_ACCOUNT]).toEqual({
            users: [{ nkey: keys.platform, permissions: { publish: { allow: ["platform.>"] }, subscribe: { allow: ["platform.>", "_INBOX.>"] }, allow_responses: true } }],
            exports: [{ stream: "platform.broadcast.>" }, { service: "platform.status.*" }],
        });
        expect(doc.accounts[acme.account]).toEqual({
            users: [
                {
                    nkey: keys.tenants[acme.account],
                    permissions: {
                        publish: { allow: ["org.acme.>", "_INBOX.acme.>", "platform.status"] },
                        subscribe: { allow: ["org.acme.>", "_INBOX.acme.>", "platform.broadcast.>"] },
                    },
                },
            ],
            imports: [
                { stream: { account: "PLATFORM", subject: "platform.broadcast.>" } },
                { service: { account: "PLATFORM", subject: "platform.status.acme" }, to: "platform.status" },
            ],
            limits: { max_connections: 50, max_subscriptions: 2000, max_payload: 1048576 },
        });
    });

    it("builds each server account on its own exactly as the document holds it", () => {
        const doc = authorizationDocument(structure, keys);
        expect(serverTenantAccount(globex, keys.tenants[globex.account])).toEqual(doc.accounts[globex.account]);
        expect(serverPlatformAccount(platformAccountSpec(), keys.platform)).toEqual(doc.accounts[PLATFORM_ACCOUNT]);
        expect(serverTenantAccount(initech, keys.tenants[initech.account]).limits).toEqual({ max_connections: 10, max_subscriptions: 200, max_payload: 262144 });
    });

    it("renders to the same bytes every time and its size is known before the keys", () => {
        const text = renderAuthorization(structure, keys);
        expect(renderAuthorization(permissionStructure([initech, globex, acme]), { platform: keys.platform, tenants: { ...keys.tenants } })).toBe(text);
        expect(text.endsWith("}\n")).toBe(true);
        expect(JSON.parse(text)).toEqual(authorizationDocument(structure, keys));
        expect(authorizationSize(structure)).toBe(Buffer.byteLength(text));
        expect(text).not.toMatch(/"S[A-Z2-7]{57}"/);
    });

    it("keeps the account of a suspended or decommissioned tenant but loads no user for it", () => {
        for (const lifecycle of ["suspended", "decommissioned"] as const) {
            const paused = tenantAccountSpec({ id: "org_7f3k2m9q", slug: "acme", plan: "standard", lifecycle }, plans.standard);
            expect(paused).toEqual({ ...acme, lifecycle });
            const doc = authorizationDocument(permissionStructure([paused, globex, initech]), keys);
            expect(doc.accounts[acme.account]).toEqual({ ...(authorizationDocument(structure, keys).accounts[acme.account] as object), users: [] });
            expect(doc.accounts[globex.account]).toEqual(authorizationDocument(structure, keys).accounts[globex.account]);
            // Its key still counts: it comes back with the tenant, so no other account may take it.
            expect(() => authorizationDocument(permissionStructure([paused, globex]), { platform: keys.platform, tenants: { [acme.account]: keys.tenants[globex.account], [globex.account]: keys.tenants[globex.account] } })).toThrow(
                "the user nkey of tenant org_k4x8p2wn is already used by another account",
            );
        }
        expect(tenantAccountSpec({ id: "org_7f3k2m9q", slug: "acme", plan: "standard", lifecycle: "active" }, plans.standard)).toEqual(acme);
        expect(acme).not.toHaveProperty("lifecycle");
    });

    it("refuses missing, malformed, shared or unknown keys with a message naming the tenant", () => {
        const { [initech.account]: _dropped, ...missing } = keys.tenants;
        expect(() => authorizationDocument(structure, { ...keys, tenants: missing })).toThrow("no user nkey for tenant org_q9d5t1ze");
        expect(() => authorizationDocument(structure, { ...keys, tenants: { ...keys.tenants, [acme.account]: userNkeyFromBase64(ONES).seed } })).toThrow(
            "the user nkey of tenant org_7f3k2m9q is not a public user nkey (U followed by 55 base32 characters)",
        );
        expect(() => authorizationDocument(structure, { ...keys, tenants: { ...keys.tenants, [globex.account]: keys.tenants[acme.account] } })).toThrow(
            "the user nkey of tenant org_k4x8p2wn is already used by another account",
        );
        expect(() => authorizationDocument(structure, { ...keys, tenants: { ...keys.tenants, org_ghost: keys.platform } })).toThrow("user nkeys given for unknown accounts: org_ghost");
    });
});
