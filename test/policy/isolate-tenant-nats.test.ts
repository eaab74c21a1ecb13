import { describe, expect, it } from "vitest";
import { CREDENTIAL_ACCOUNT_KEY as PROGRAM_ACCOUNT_KEY, NATS_AUTHORIZATION_CONFIGMAP, PERMISSIONS_JSON_KEY } from "../../contract";
import { type NatsPermissionStructure } from "../../components/nats-authorization";
import { permissionStructure, renderJson, tenantAccountSpec } from "../../components/nats-spec";
import { CREDENTIAL_ACCOUNT_KEY, isolateTenantNats, subjectWithin, type NatsStructure } from "../../policy/isolate-tenant-nats";
import { ACME, GLOBEX, meta, tenantStack, type TenantFixture } from "./fixtures";
import { fixture, runStackRule, type Fixture } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const NATS_LIMITS = { nats: { maxConnections: 50, maxSubscriptions: 2000, maxPayload: 1048576 } };

// Compile-time check: the program's structure is what the rule reads.
const _compatible: NatsStructure = {} as NatsPermissionStructure;
void _compatible;

function structure(): NatsPermissionStructure {
    return permissionStructure([tenantAccountSpec(ACME, NATS_LIMITS), tenantAccountSpec(GLOBEX, NATS_LIMITS)]);
}

function configMap(s: unknown): Fixture {
    const auth = fixture("tenancy:nats:NatsAuthorization", "nats", {});
    // auth.json is unknown during a preview that adds a tenant: its new key does not exist yet.
    return fixture("kubernetes:core/v1:ConfigMap", "nats-authorization", {
        metadata: { name: NATS_AUTHORIZATION_CONFIGMAP, namespace: "nats" },
        data: { "auth.json": UNKNOWN, [PERMISSIONS_JSON_KEY]: typeof s === "string" ? s : renderJson(s) },
    }, auth);
}

// The tenant's NatsAccount component (under its Tenant) and the credential Secret it creates.
function credentials(t: TenantFixture, parentOf: Fixture[], namespace = `org-${t.slug}`, account = t.id): Fixture[] {
    const tenant = parentOf.find((f) => f.type === "tenancy:tenant:Tenant")!;
    const natsAccount = fixture("tenancy:nats:NatsAccount", t.slug, {}, tenant);
    return [natsAccount, fixture("kubernetes:core/v1:Secret", `${t.slug}-credentials`, {
        metadata: { ...meta(t, "nats-credentials"), namespace },
        type: "Opaque",
        stringData: { [CREDENTIAL_ACCOUNT_KEY]: account, NATS_NKEY_SEED: UNKNOWN },
    }, natsAccount)];
}

function world(s: unknown = structure()) {
    const acme = tenantStack(ACME);
    const globex = tenantStack(GLOBEX);
    return [...acme, ...credentials(ACME, acme), ...globex, ...credentials(GLOBEX, globex), configMap(s)];
}

const ACME_ALLOWED = "tenant acme may use only org.acme.>, _INBOX.acme.>, platform.broadcast.>, platform.status, platform.status.acme.";

async function messages(resources: Fixture[]) {
    return (await runStackRule(isolateTenantNats, resources)).map((r) => r.message);
}

function mutate(change: (acme: NatsPermissionStructure["tenants"][number], s: NatsPermissionStructure) => void) {
    const s = structure();
    change(s.tenants.find((t) => t.slug === "acme")!, s);
    return world(s);
}

describe("subjectWithin", () => {
    it.each([
        ["org.acme.tasks.a.inbox", "org.acme.>", true],
        ["org.acme.>", "org.acme.>", true],
        ["org.acme", "org.acme.>", false],
        ["org.*.>", "org.acme.>", false],
        ["org.acme.*", "org.acme.>", true],
        ["platform.status", "platform.status", true],
        ["platform.status.acme", "platform.status.*", true],
        ["platform.status.*", "platform.status.acme", false],
        [">", "org.acme.>", false],
        ["org.acme.a.b", "org.acme.*", false],
    ])("%s within %s is %s", (subject, pattern, expected) => {
        expect(subjectWithin(subject, pattern)).toBe(expected);
    });
});

describe("isolate-tenant-nats", () => {
    it("accepts the program's structure and credentials while auth.json and seeds are unknown (preview)", async () => {
        expect(await messages(world())).toEqual([]);
    });

    it("uses the program's credential key and ConfigMap names by default", () => {
        expect(CREDENTIAL_ACCOUNT_KEY).toBe(PROGRAM_ACCOUNT_KEY);
    });

    it("reports a subscription to another tenant's subjects", async () => {
        expect(await messages(mutate((a) => a.permissions.subscribe.allow.push("org.globex.>")))).toEqual([
            `NATS account "org_7f3k2m9q" of tenant acme may subscribe to "org.globex.>" (tenant globex's subjects); ${ACME_ALLOWED}`,
        ]);
    });

    it("reports publishing to every tenant's inboxes", async () => {
        expect(await messages(mutate((a) => a.permissions.publish.allow.push("_INBOX.>")))).toEqual([
            `NATS account "org_7f3k2m9q" of tenant acme may publish to "_INBOX.>", which includes every tenant's subjects; ${ACME_ALLOWED}`,
        ]);
    });

    it("reports an import from another tenant's account", async () => {
        const changed = mutate((a) => a.imports.push({ kind: "stream", account: GLOBEX.id, subject: "org.globex.>", to: "org.globex.>" }));
        expect(await messages(changed)).toEqual([
            `NATS account "org_7f3k2m9q" of tenant acme imports stream "org.globex.>" from tenant globex's account "org_k4x8p2wn"; tenants may import only from PLATFORM.`,
        ]);
    });

    it("reports importing another tenant's status service from the platform", async () => {
        const changed = mutate((a) => {
            a.imports[1].subject = "platform.status.globex";
        });
        expect(await messages(changed)).toEqual([
            `NATS account "org_7f3k2m9q" of tenant acme imports service "platform.status.globex" from PLATFORM; tenant acme may import only platform.broadcast.>, platform.status, platform.status.acme.`,
        ]);
    });

    it("reports an import mapped into another tenant's subjects", async () => {
        const changed = mutate((a) => {
            a.imports[0].to = "org.globex.broadcast.>";
        });
        expect(await messages(changed)).toEqual([
            `NATS account "org_7f3k2m9q" of tenant acme maps import "platform.broadcast.>" to "org.globex.broadcast.>" (tenant globex's subjects); ${ACME_ALLOWED}`,
        ]);
    });

    it("reports any export of a tenant account", async () => {
        expect(await messages(mutate((a) => a.exports.push({ kind: "stream", subject: "org.acme.>" })))).toEqual([
            `NATS account "org_7f3k2m9q" of tenant acme exports stream "org.acme.>"; a tenant account must export nothing, since any account could import it.`,
        ]);
    });

    it("reports an account shared by two tenants", async () => {
        const changed = mutate((a) => {
            a.account = GLOBEX.id;
        });
        expect(await messages(changed)).toEqual([
            `NATS account "org_k4x8p2wn" is used by tenants acme and globex; every tenant needs its own account.`,
            `NATS account "org_k4x8p2wn" of tenant acme is not named after its tenant id org_7f3k2m9q; a tenant's account must be its org id.`,
        ]);
    });

    it("reports an account whose tenant id disagrees with the tenant's namespace", async () => {
        const changed = mutate((a) => {
            a.tenantId = "org_zzz999";
            a.account = "org_zzz999";
        });
        expect(await messages(changed)).toEqual([
            `NATS account "org_zzz999" of tenant acme belongs to tenant id org_zzz999, but namespace "org-acme" carries tenancy.io/tenant-id=org_7f3k2m9q; both must name the same tenant.`,
        ]);
    });

    it("reports foreign subject and inbox prefixes", async () => {
        const changed = mutate((a) => {
            a.inboxPrefix = "_INBOX.globex";
        });
        expect(await messages(changed)).toEqual([
            `NATS account "org_7f3k2m9q" of tenant acme uses subject prefix "org.acme" and inbox prefix "_INBOX.globex"; they must be "org.acme" and "_INBOX.acme".`,
        ]);
    });

    it("reports a NATS credential Secret moved into another tenant's namespace", async () => {
        const acme = tenantStack(ACME);
        const resources = [...acme, ...credentials(ACME, acme, "org-globex"), ...tenantStack(GLOBEX), configMap(structure())];
        expect(await messages(resources)).toEqual([
            `Secret "org-globex/nats-credentials" holds tenant acme's NATS credential in tenant globex's namespace; it must exist only in "org-acme".`,
        ]);
    });

    it("reports a NATS credential Secret outside tenant namespaces", async () => {
        const acme = tenantStack(ACME);
        const resources = [...acme, ...credentials(ACME, acme, "default"), configMap(structure())];
        expect(await messages(resources)).toEqual([
            `Secret "default/nats-credentials" of tenant acme is a tenant NATS credential outside tenant namespaces; it must exist only in its tenant's own namespace.`,
        ]);
    });

    it("reports a credential of another tenant's account", async () => {
        const acme = tenantStack(ACME);
        const resources = [...acme, ...credentials(ACME, acme, "org-acme", GLOBEX.id), configMap(structure())];
        expect(await messages(resources)).toEqual([
            `Secret "org-acme/nats-credentials" of tenant acme holds the credential of NATS account "org_k4x8p2wn"; it must hold tenant acme's own account "org_7f3k2m9q".`,
        ]);
    });

    it("reports a permission structure that cannot be read", async () => {
        expect(await messages(world("{not json"))).toEqual([
            `ConfigMap "nats/nats-authorization" key permissions.json is not valid JSON; it must hold the NATS permission structure.`,
        ]);
        expect(await messages(world({ accounts: {} }))).toEqual([
            `ConfigMap "nats/nats-authorization" key permissions.json does not hold a permission structure with "platform" and "tenants"; it must, so tenant isolation can be checked.`,
        ]);
    });
});
