import { describe, expect, it } from "vitest";
import { isolateTenantNats, subjectWithin } from "../../policy/isolate-tenant-nats";
import { byName, CONFIG, idOf, nkeyOf, world } from "./fixtures";
import { fixture, runStackRule, type Fixture } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ACME = idOf("acme");
const GLOBEX = idOf("globex");
const AUTH = `ConfigMap "nats/nats-accounts" key auth.json`;
const STRUCTURE = `ConfigMap "nats/nats-authorization" key permissions.json`;
const ACME_ALLOWED = "tenant acme may use only org.acme.>, _INBOX.acme.>, platform.broadcast.>, platform.status, platform.status.acme.";
const run = (resources: Fixture[]) => runStackRule(isolateTenantNats, resources, CONFIG);
const messages = async (resources: Fixture[]) => (await run(resources)).map((r) => r.message);

// Edits the server's auth.json (what nats-server includes) in a fresh compliant stack.
function editAuth(change: (doc: any) => void, slugs = ["acme", "globex"]): Fixture[] {
    const resources = world(slugs);
    const cm = byName(resources, "nats-accounts");
    const doc = JSON.parse(cm.props.data["auth.json"]);
    change(doc);
    cm.props.data["auth.json"] = JSON.stringify(doc);
    return resources;
}

function editStructure(change: (acme: any, doc: any) => void): Fixture[] {
    const resources = world(["acme", "globex"]);
    const cm = byName(resources, "nats-authorization");
    const doc = JSON.parse(cm.props.data["permissions.json"]);
    change(doc.tenants.find((t: { slug: string }) => t.slug === "acme"), doc);
    cm.props.data["permissions.json"] = JSON.stringify(doc);
    return resources;
}

const secret = (name: string, namespace: string, body: Record<string, unknown>) =>
    fixture("kubernetes:core/v1:Secret", name, { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, ...body });

describe("subjectWithin", () => {
    it.each([
        ["org.acme.tasks.a.inbox", "org.acme.>", true],
        ["org.acme.>", "org.acme.>", true],
        ["org.acme", "org.acme.>", false],
        ["org.*.>", "org.acme.>", false],
        ["org.acme.*", "org.acme.>", true],
        ["platform.status", "platform.status", true],
        ["platform.status.acme", "platform.status", false],
        [">", "org.acme.>", false],
    ])("%s within %s is %s", (subject, pattern, expected) => {
        expect(subjectWithin(subject, pattern)).toBe(expected);
    });
});

describe("isolate-tenant-nats: the configuration the server loads", () => {
    it("accepts the compliant stack: one account per tenant with its own nkey, a suspended tenant's account without user", async () => {
        expect(await run(world())).toEqual([]);
    });

    it("reports tenants without any NATS server configuration", async () => {
        const resources = world(["acme"]).filter((f) => f.name !== "nats-accounts");
        expect(await run(resources)).toEqual([
            {
                message: `The stack declares tenants (acme) but no NATS server configuration (an accounts document in a ConfigMap or Secret) the pack can read; the configuration the server loads must be declared and known during preview so every tenant's account can be checked.`,
                urn: byName(resources, "acme-namespace").urn.replace(/\$tenancy:tenant:TenantNamespace\$kubernetes:core\/v1:Namespace::acme-namespace$/, "::acme"),
            },
        ]);
    });

    it("reports auth.json unknown during preview, and stays quiet about the platform's seed unknown in a Secret", async () => {
        const resources = world(["acme"]);
        byName(resources, "nats-accounts").props.data["auth.json"] = UNKNOWN;
        byName(resources, "nats-platform-credentials").props.stringData.NATS_NKEY_SEED = UNKNOWN;
        expect(await messages(resources)).toEqual([
            `${AUTH} is unknown during preview; what the NATS server may load must be known so every tenant's account can be checked.`,
            `The stack declares tenants (acme) but no NATS server configuration (an accounts document in a ConfigMap or Secret) the pack can read; the configuration the server loads must be declared and known during preview so every tenant's account can be checked.`,
        ].reverse());
    });

    it.each([
        ["subscribes to another tenant's subjects", (d: any) => d.accounts[ACME].users[0].permissions.subscribe.allow.push("org.globex.>"), `NATS account "${ACME}" of tenant acme may subscribe to "org.globex.>" (tenant globex's subjects); ${ACME_ALLOWED}`],
        ["publishes anywhere (no allow list)", (d: any) => (d.accounts[ACME].users[0].permissions.publish = { deny: ["org.globex.>"] }), `NATS account "${ACME}" of tenant acme may publish to every subject (no publish allow list); ${ACME_ALLOWED}`],
        ["has no permissions at all", (d: any) => delete d.accounts[ACME].users[0].permissions, `NATS account "${ACME}" of tenant acme may publish to every subject (no publish allow list); ${ACME_ALLOWED}`],
        ["imports a stream from globex", (d: any) => d.accounts[ACME].imports.push({ stream: { account: GLOBEX, subject: "org.globex.>" }, prefix: "stolen" }), `NATS account "${ACME}" of tenant acme imports stream "org.globex.>" from tenant globex's account "${GLOBEX}"; tenants may import only from PLATFORM.`],
        ["imports globex's status service", (d: any) => d.accounts[ACME].imports.push({ service: { account: "PLATFORM", subject: "platform.status.globex" }, to: "platform.status" }), `NATS account "${ACME}" of tenant acme imports service "platform.status.globex" from PLATFORM (tenant globex's status subject); tenant acme may import only platform.broadcast.>, platform.status, platform.status.acme.`],
        ["exports its subjects", (d: any) => (d.accounts[ACME].exports = [{ stream: "org.acme.>" }]), `NATS account "${ACME}" of tenant acme exports stream "org.acme.>"; a tenant account must export nothing, since any account could import it.`],
        ["holds globex's nkey user", (d: any) => d.accounts[ACME].users.push({ nkey: nkeyOf("globex").publicKey, permissions: d.accounts[ACME].users[0].permissions }), `NATS account "${ACME}" of tenant acme (user 2) has the nkey user ${nkeyOf("globex").publicKey}, which is tenant globex's; a tenant account holds only the nkey user of the tenant's own credential.`],
        ["holds a password user", (d: any) => (d.accounts[ACME].users = [{ user: "shared", password: "x", permissions: d.accounts[ACME].users[0].permissions }]), `NATS account "${ACME}" of tenant acme has a user authenticated by password (user "shared"); a tenant account holds only the tenant's own nkey user.`],
        ["is missing", (d: any) => delete d.accounts[ACME], `it has no account "${ACME}" for tenant acme; every tenant's account must be in the configuration the server loads.`],
        ["lends acme's key to PLATFORM", (d: any) => d.accounts.PLATFORM.users.push({ nkey: nkeyOf("acme").publicKey }), `NATS account "PLATFORM" lets tenant acme's nkey user ${nkeyOf("acme").publicKey} connect; a tenant's nkey may authenticate only into its own account.`],
        ["lets acme's key in globally", (d: any) => (d.authorization = { users: [{ nkey: nkeyOf("acme").publicKey }] }), `the global authorization lets tenant acme's nkey user ${nkeyOf("acme").publicKey} connect outside its account; a tenant's nkey may authenticate only into its own account.`],
        ["makes anonymous clients a tenant's user", (d: any) => { d.accounts[ACME].users.push({ user: "anon", permissions: d.accounts[ACME].users[0].permissions }); d.no_auth_user = "anon"; }, `no_auth_user "anon" makes every client without credentials a user of tenant acme's account; unauthenticated clients must never reach a tenant's account.`],
        ["makes acme the system account", (d: any) => (d.system_account = ACME), `system_account "${ACME}" is tenant acme's account, which would see every account's traffic; the system account must belong to the platform.`],
        ["reads its accounts from JWTs", (d: any) => (d.operator = "/etc/nats/operator.jwt"), `it sets operator: its accounts come from JWTs the pack cannot read; the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`],
    ])("reports an auth.json whose acme account %s", async (_what, change, problem) => {
        expect(await messages(editAuth(change))).toContain(`${AUTH}: ${problem}`);
    });

    it("reads nats-server's own format, wherever it is declared, and reports what it cannot read", async () => {
        const conf = `# hand-written\naccounts {\n  ${ACME}: {\n    users: [ {nkey: ${nkeyOf("acme").publicKey}, permissions: {publish: "org.acme.>", subscribe: ["org.acme.>", "org.globex.>"]}} ]\n    imports: [ {stream: {account: ${GLOBEX}, subject: "org.globex.>"}} ]\n  }\n  ${GLOBEX}: { users: [ {nkey: ${nkeyOf("globex").publicKey}, permissions: {publish: "org.globex.>", subscribe: "org.globex.>"}} ] }\n}\ninclude ./more.conf\nsystem_account: $SYS_ACCOUNT\n`;
        const resources = [...world(["acme", "globex"]), secret("edge-nats", "edge", { stringData: { "nats.conf": conf } })];
        const where = `Secret "edge/edge-nats" key nats.conf`;
        expect((await messages(resources)).filter((m) => m.startsWith(where))).toEqual([
            `${where}: it includes "./more.conf", which the pack cannot read; the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`,
            `${where}: it uses $SYS_ACCOUNT, which it does not define; the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`,
            `${where}: NATS account "${ACME}" of tenant acme may subscribe to "org.globex.>" (tenant globex's subjects); ${ACME_ALLOWED}`,
            `${where}: NATS account "${ACME}" of tenant acme imports stream "org.globex.>" from tenant globex's account "${GLOBEX}"; tenants may import only from PLATFORM.`,
        ]);
        const broken = [...world(["acme"]), fixture("kubernetes:core/v1:ConfigMap", "edge-conf", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "edge-conf", namespace: "edge" }, data: { "server.conf": "accounts { A: { users: [ }" } })];
        expect(await messages(broken)).toEqual([`ConfigMap "edge/edge-conf" key server.conf does not parse (expected a value at line 1); a NATS configuration must be one the pack can read.`]);
    });
});

describe("isolate-tenant-nats: credentials", () => {
    it("reports a tenant's seed in another tenant's namespace or outside tenant namespaces, whatever the Secret is called and however it is encoded", async () => {
        const seed = nkeyOf("acme").seed;
        const key = nkeyOf("acme").publicKey;
        const resources = world(["acme", "globex"]);
        const inGlobex = secret("handoff", "org-globex", { stringData: { creds: `-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------` } });
        const base64 = secret("backup", "default", { data: { seed: Buffer.from(`NATS_NKEY_SEED=${seed}`).toString("base64").padEnd(80, "=") } });
        expect(await messages([...resources, inGlobex, base64])).toEqual([
            `Secret "org-globex/handoff" holds tenant acme's NATS credential (the nkey seed of ${key}) in tenant globex's namespace; a tenant's credential may exist only in its own namespace "org-acme".`,
            `Secret "default/backup" holds tenant acme's NATS credential (the nkey seed of ${key}) in namespace "default"; a tenant's credential may exist only in its own namespace "org-acme".`,
        ]);
    });

    it("reports acme's credential Secret moved into globex's namespace", async () => {
        const resources = world(["acme", "globex"]);
        byName(resources, "acme-nats-credentials").props.metadata.namespace = "org-globex";
        expect(await messages(resources)).toContain(
            `Secret "org-globex/nats-credentials" holds tenant acme's NATS credential (the nkey seed of ${nkeyOf("acme").publicKey}) in tenant globex's namespace; a tenant's credential may exist only in its own namespace "org-acme".`,
        );
    });

    it("reports a credential that names another tenant's account, or a tenant's account outside tenant namespaces", async () => {
        const resources = world(["acme", "globex"]);
        byName(resources, "acme-nats-credentials").props.stringData.NATS_ACCOUNT = GLOBEX;
        const stray = secret("nats-credentials", "default", { stringData: { NATS_ACCOUNT: ACME } });
        expect(await messages([...resources, stray])).toEqual([
            `Secret "org-acme/nats-credentials" of tenant acme holds the credential of NATS account "${GLOBEX}"; it must hold tenant acme's own account "${ACME}".`,
            `Secret "default/nats-credentials" is a tenant NATS credential (for tenant acme's NATS account "${ACME}") outside tenant namespaces; it must exist only in its tenant's own namespace.`,
        ]);
    });

    it("reports a Secret outside a tenant's namespace whose unknown data comes from that tenant's resources", async () => {
        const resources = world(["acme", "globex"]);
        const key = fixture("random:index/randomBytes:RandomBytes", "acme-nats-key", {}, resources.find((f) => f.name === "acme-nats" && f.type === "tenancy:nats:NatsAccount"));
        const copy = { ...secret("mirror", "org-globex", { stringData: { seed: UNKNOWN } }), propertyDependencies: { stringData: [key.urn] } };
        const own = { ...secret("own", "org-acme", { stringData: { seed: UNKNOWN } }), propertyDependencies: { stringData: [key.urn] } };
        expect(await messages([...resources, key, copy, own])).toEqual([
            `Secret "org-globex/mirror" has data unknown during preview that comes from tenant acme's resources; it may hold tenant acme's credential, which may exist only in "org-acme".`,
        ]);
    });
});

describe("isolate-tenant-nats: the program's permission structure", () => {
    it.each([
        ["subscribes to globex's subjects", (a: any) => a.permissions.subscribe.allow.push("org.globex.>"), `NATS account "${ACME}" of tenant acme may subscribe to "org.globex.>" (tenant globex's subjects); ${ACME_ALLOWED}`],
        ["publishes into every inbox", (a: any) => a.permissions.publish.allow.push("_INBOX.>"), `NATS account "${ACME}" of tenant acme may publish to "_INBOX.>", which includes every tenant's subjects; ${ACME_ALLOWED}`],
        ["maps an import into globex's subjects", (a: any) => (a.imports[0].to = "org.globex.in"), `NATS account "${ACME}" of tenant acme maps import "platform.broadcast.>" to "org.globex.in" (tenant globex's subjects); ${ACME_ALLOWED}`],
        ["is renamed to globex's account", (a: any) => (a.account = GLOBEX), `NATS account "${GLOBEX}" is used by tenants acme and globex; every tenant needs its own account.`],
        ["uses globex's prefixes", (a: any) => (a.subjectPrefix = "org.globex"), `NATS account "${ACME}" of tenant acme uses subject prefix "org.globex" and inbox prefix "_INBOX.acme"; they must be "org.acme" and "_INBOX.acme".`],
    ])("reports an account that %s", async (_what, change, problem) => {
        expect(await messages(editStructure(change))).toContain(`${STRUCTURE}: ${problem}`);
    });
});
