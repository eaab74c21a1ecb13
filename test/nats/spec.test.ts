import { agentStatusSubject, natsAccountName, NatsSpecError, statusSender, taskInboxSubject, tenantSubjects } from "../../contract";
import { describe, expect, it } from "vitest";
import { operatorMaterial, platformMaterial, tenantMaterial } from "../../components/nats-material";
import { operatorConfSize, parseAccountConf, permissionStructure, platformAccountSpec, renderAccountConf, renderOperatorConf, tenantAccountSpec, tenantUserPermissions } from "../../components/nats-spec";
import { examplePlans, MASTER } from "./fixture";

const plans = examplePlans();
const acme = tenantAccountSpec({ id: "org_7f3k2m9q", slug: "acme", plan: "standard" }, plans.standard);
const globex = tenantAccountSpec({ id: "org_k4x8p2wn", slug: "globex", plan: "enterprise" }, plans.enterprise);
const initech = tenantAccountSpec({ id: "org_q9d5t1ze", slug: "initech", plan: "free" }, plans.free);

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
    it("sorts tenants by slug whatever the input order", () => {
        const a = permissionStructure([initech, acme, globex]);
        expect(a.tenants.map((t) => t.slug)).toEqual(["acme", "globex", "initech"]);
        expect(permissionStructure([globex, initech, acme])).toEqual(a);
        expect(a.platform).toEqual(platformAccountSpec());
    });

    it("rejects two tenants sharing a slug, account or prefix", () => {
        const twin = { ...globex, slug: "acme2", account: acme.account };
        expect(() => permissionStructure([acme, twin])).toThrow(`tenants org_7f3k2m9q and org_k4x8p2wn share the NATS account "org_7f3k2m9q"; every tenant needs its own`);
    });
});

describe("operator.conf and the account files", () => {
    const op = operatorMaterial(MASTER);
    const platform = platformMaterial(platformAccountSpec(), MASTER, 1);
    const input = (ids: string[]) => ({ operatorJwt: op.operatorJwt, system: op.system, platform: { publicKey: platform.accountPublicKey, jwt: platform.accountJwt }, tenantIds: ids });

    it("name the operator, the system account and a memory resolver preloaded with SYS, PLATFORM and an include per tenant, in org id order", () => {
        expect(renderOperatorConf(input(["org_q9d5t1ze", "org_7f3k2m9q"]))).toBe(
            [
                "# Generated by tenancy (NATS operator mode); do not edit.",
                `operator: "${op.operatorJwt}"`,
                `system_account: "${op.system.publicKey}"`,
                "resolver: MEMORY",
                "resolver_preload: {",
                `  "${op.system.publicKey}": "${op.system.jwt}"`,
                `  "${platform.accountPublicKey}": "${platform.accountJwt}"`,
                '  include "org_7f3k2m9q.conf"',
                '  include "org_q9d5t1ze.conf"',
                "}",
                "",
            ].join("\n"),
        );
        expect(() => renderOperatorConf(input(["org_a1", "org_a1"]))).toThrow("operator.conf would include a tenant's account file twice");
    });

    it("write one account per file, read back exactly, and refuse what is not an account key and a JWT", () => {
        const m = tenantMaterial(acme, MASTER, 1);
        const text = renderAccountConf(m.accountPublicKey, m.accountJwt);
        expect(text).toBe(`# Generated by tenancy (NATS operator mode); do not edit.\n"${m.accountPublicKey}": "${m.accountJwt}"\n`);
        expect(parseAccountConf(text)).toEqual({ publicKey: m.accountPublicKey, jwt: m.accountJwt });
        expect(parseAccountConf(`${text}include "other.conf"\n`)).toBeUndefined();
        expect(() => renderAccountConf(m.userPublicKey, m.accountJwt)).toThrow(`"${m.userPublicKey}" is not an account public key (A followed by 55 base32 characters)`);
        expect(() => renderAccountConf(m.accountPublicKey, "a.b")).toThrow(`the JWT of account ${m.accountPublicKey} is not three base64url parts`);
    });

    it("have an exact size before any key exists, from stand-in keys of the same lengths", () => {
        const ids = Array.from({ length: 50 }, (_, i) => `org_t${i}`);
        expect(operatorConfSize(platformAccountSpec(), ids)).toBe(Buffer.byteLength(renderOperatorConf(input(ids))));
        expect(operatorConfSize(platformAccountSpec(), [])).toBe(Buffer.byteLength(renderOperatorConf(input([]))));
    });

    it("hold no seed: only public keys and signed JWTs", () => {
        const text = renderOperatorConf(input([acme.tenantId])) + renderAccountConf(tenantMaterial(acme, MASTER, 1).accountPublicKey, tenantMaterial(acme, MASTER, 1).accountJwt);
        expect(text).not.toMatch(/S[OAU][A-Z2-7]{56}/);
        expect(text).not.toContain(MASTER.toString("hex"));
    });
});
