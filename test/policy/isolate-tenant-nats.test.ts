import { describe, expect, it } from "vitest";
import { accountKeys } from "../../components/nats-keys";
import { userJwt } from "../../components/nats-jwt";
import { isolateTenantNats, subjectWithin } from "../../policy/isolate-tenant-nats";
import { byName, CONFIG, idOf, MASTER, natsOf, nkeyOf, world } from "./fixtures";
import { accountFile, editAccountConf, OPERATOR } from "./nats-edit";
import { fixture, runStackRule, type Fixture } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ACME = idOf("acme");
const GLOBEX = idOf("globex");
const OPERATOR_CONF = `ConfigMap "nats/nats-operator" key operator.conf`;
const ACME_FILE = `ConfigMap "nats/nats-account-${ACME.replace("_", "-")}" key ${accountFile(ACME)}`;
const ACME_ALLOWED = "tenant acme may use only org.acme.>, _INBOX.acme.>, platform.broadcast.>, platform.status, platform.status.acme.";
const SCOPE = `users of signing key ${accountKeys(MASTER, ACME, 1).signing.publicKey}`;
const run = (resources: Fixture[]) => runStackRule(isolateTenantNats, resources, CONFIG);
const messages = async (resources: Fixture[]) => (await run(resources)).map((r) => r.message);

// Edits acme's account JWT (re-signed by the operator unless told otherwise) in a fresh compliant stack.
function editAcme(change: (nats: any, claims: { name: string }) => void, signer?: Parameters<typeof editAccountConf>[2]): Fixture[] {
    const resources = world(["acme", "globex"]);
    const data = byName(resources, `nats-account-${ACME}`).props.data;
    data[accountFile(ACME)] = editAccountConf(data[accountFile(ACME)], change, signer);
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

describe("isolate-tenant-nats: operator mode, as the server loads it", () => {
    it("accepts the compliant stack: an operator, one account JWT per tenant in its own ConfigMap, a suspended tenant admitting no connection", async () => {
        expect(await run(world())).toEqual([]);
    });

    it("reports tenants without any NATS server configuration, and operator.conf or an account file unknown during preview", async () => {
        const none = world(["acme"]).filter((f) => f.name !== "nats-operator");
        // Without the operator's configuration, acme's account JWT is judged where it lies, and nothing vouches for its signer or its imports.
        const platform = natsOf("PLATFORM").accountPublicKey;
        expect(await messages(none)).toEqual([
            "The stack declares tenants (acme) but no NATS server configuration (an accounts document or operator configuration in a ConfigMap or Secret) the pack can read; the configuration the server loads must be declared and known during preview so every tenant's account can be checked (a stack that is shard 1 or more of a sharded registry needs the pack configured with its shard).",
            `${ACME_FILE}: NATS account "${ACME}" (${natsOf("acme").accountPublicKey}) is signed by ${OPERATOR.publicKey}, which neither an operator configuration of the stack nor the pack's natsOperatorKey trusts.`,
            `${ACME_FILE}: NATS account "${ACME}" of tenant acme imports stream "platform.broadcast.>" from account "${platform}", which is not the platform account PLATFORM; tenants may import only from PLATFORM.`,
            `${ACME_FILE}: NATS account "${ACME}" of tenant acme imports service "platform.status.acme" from account "${platform}", which is not the platform account PLATFORM; tenants may import only from PLATFORM.`,
        ]);
        const unknown = world(["acme"]);
        byName(unknown, `nats-account-${ACME}`).props.data[accountFile(ACME)] = UNKNOWN;
        byName(unknown, "nats-platform-credentials").props.stringData.NATS_NKEY_SEED = UNKNOWN;
        expect(await messages(unknown)).toEqual([
            `${ACME_FILE} is unknown during preview; what the NATS server may load must be known so every tenant's account can be checked.`,
            `${OPERATOR_CONF}: it includes "${accountFile(ACME)}", which is unknown during preview (ConfigMap "nats/nats-account-${ACME.replace("_", "-")}"); the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`,
            `${OPERATOR_CONF}: it preloads no account named "${ACME}" for tenant acme; every tenant's account must be in the configuration the server loads, once.`,
        ]);
    });

    it.each([
        ["lets its users subscribe to globex's subjects", (n: any) => n.signing_keys[0].template.sub.allow.push("org.globex.>"), `NATS account "${ACME}" of tenant acme (${SCOPE}) may subscribe to "org.globex.>" (tenant globex's subjects); ${ACME_ALLOWED}`],
        ["lets its users publish anywhere (no allow list)", (n: any) => (n.signing_keys[0].template.pub = { deny: ["org.globex.>"] }), `NATS account "${ACME}" of tenant acme (${SCOPE}) may publish to every subject (no publish allow list); ${ACME_ALLOWED}`],
        ["gives users without permissions every inbox", (n: any) => n.default_permissions.pub.allow.push("_INBOX.>"), `NATS account "${ACME}" of tenant acme (default permissions) may publish to "_INBOX.>", which includes every tenant's subjects; ${ACME_ALLOWED}`],
        ["lets its users answer requests anywhere", (n: any) => (n.signing_keys[0].template.resp = { max: 1, ttl: 0 }), `NATS account "${ACME}" of tenant acme (${SCOPE}) may answer requests on their reply subjects, wherever they are; ${ACME_ALLOWED}`],
        ["signs users with an unscoped key", (n: any) => n.signing_keys.push(nkeyOf("globex").publicKey), `NATS account "${ACME}" of tenant acme has the unscoped signing key ${nkeyOf("globex").publicKey}: users it issues carry whatever permissions their own JWTs say; a tenant's users must come from a scoped signing key.`],
        ["imports a stream from globex's account", (n: any) => n.imports.push({ name: "x", subject: "org.globex.>", account: natsOf("globex").accountPublicKey, type: "stream" }), `NATS account "${ACME}" of tenant acme imports stream "org.globex.>" from tenant globex's account "${GLOBEX}"; tenants may import only from PLATFORM.`],
        ["imports globex's status service", (n: any) => (n.imports[1].subject = "platform.status.globex"), `NATS account "${ACME}" of tenant acme imports service "platform.status.globex" from PLATFORM (tenant globex's status subject); tenant acme may import only platform.broadcast.>, platform.status, platform.status.acme.`],
        ["maps an import into globex's subjects", (n: any) => (n.imports[0].local_subject = "org.globex.>"), `NATS account "${ACME}" of tenant acme maps import "platform.broadcast.>" to "org.globex.>" (tenant globex's subjects); ${ACME_ALLOWED}`],
        ["exports its subjects", (n: any) => n.exports.push({ name: "all", subject: "org.acme.>", type: "stream" }), `NATS account "${ACME}" of tenant acme exports stream "org.acme.>"; a tenant account must export nothing, since any account could import it.`],
        ["allows unlimited connections", (n: any) => (n.limits.conn = -1), `NATS account "${ACME}" of tenant acme allows unlimited connections (limits.conn); plan standard allows 50.`],
        ["allows more payload than its plan", (n: any) => (n.limits.payload = 8388608), `NATS account "${ACME}" of tenant acme allows 8388608 bytes of payload (limits.payload); plan standard allows 1048576.`],
        ["has no data limit", (n: any) => delete n.limits.data, `NATS account "${ACME}" of tenant acme sets no data limit; every tenant account must carry its plan's limits (conn, subs, payload, data).`],
    ])("reports an account JWT of acme that %s, where the JWT lies", async (_what, change, problem) => {
        expect(await messages(editAcme(change))).toContain(`${ACME_FILE}: ${problem}`);
    });

    it("reports an account JWT signed by another key, a broken one, and an account named after another tenant", async () => {
        const forger = accountKeys(MASTER, GLOBEX, 1).signing;
        expect(await messages(editAcme(() => undefined, forger))).toContain(
            `${ACME_FILE}: NATS account "${ACME}" (${natsOf("acme").accountPublicKey}) is signed by ${forger.publicKey}, which is not the operator the configuration that loads it trusts; the server would refuse it, and the pack will not guess.`,
        );
        const broken = world(["acme"]);
        const data = byName(broken, `nats-account-${ACME}`).props.data;
        data[accountFile(ACME)] = data[accountFile(ACME)].replace(/\.[\w-]+"/, '.AAAA"');
        expect(await messages(broken)).toContain(`${OPERATOR_CONF}: its resolver entry "${natsOf("acme").accountPublicKey}" does not decode as a NATS JWT with a valid signature (sig verification failed); the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`);
        expect(await messages(editAcme((_n, claims) => (claims.name = GLOBEX)))).toEqual([
            `${OPERATOR_CONF}: it preloads no account named "${ACME}" for tenant acme; every tenant's account must be in the configuration the server loads, once.`,
            `${OPERATOR_CONF}: it preloads 2 accounts named "${GLOBEX}" for tenant globex; every tenant's account must be in the configuration the server loads, once.`,
        ]);
    });

    it("reads includes from the NATS namespace's objects only, and reports the ones it cannot find or cannot tell apart", async () => {
        const missing = world(["acme"]).filter((f) => f.name !== `nats-account-${ACME}`);
        expect(await messages(missing)).toContain(`${OPERATOR_CONF}: it includes "${accountFile(ACME)}", which no ConfigMap or Secret in namespace nats holds; the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`);
        const twice = world(["acme"]);
        const copy = fixture("kubernetes:core/v1:ConfigMap", "copy", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "copy", namespace: "nats" }, data: { ...byName(twice, `nats-account-${ACME}`).props.data } });
        expect(await messages([...twice, copy])).toContain(
            `${OPERATOR_CONF}: it includes "${accountFile(ACME)}", which 2 objects hold (ConfigMap "nats/nats-account-${ACME.replace("_", "-")}", ConfigMap "nats/copy"): the pack cannot tell which the server loads; the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`,
        );
    });

    it("reports a resolver the pack cannot read and a tenant as the system account", async () => {
        const resources = world(["acme"]);
        const cm = byName(resources, "nats-operator");
        cm.props.data["operator.conf"] = cm.props.data["operator.conf"].replace("resolver: MEMORY", "resolver: { type: full, dir: /data/jwt }").replace(/system_account: "\w+"/, `system_account: "${natsOf("acme").accountPublicKey}"`);
        expect(await messages(resources)).toEqual([
            `${OPERATOR_CONF}: its resolver is {"type":"full","dir":"/data/jwt"}: accounts must be preloaded into a MEMORY resolver, the only one whose accounts the pack can read; the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`,
            `${OPERATOR_CONF}: system_account "${natsOf("acme").accountPublicKey}" is tenant acme's account, which would see every account's traffic; the system account must belong to the platform.`,
        ]);
    });

    it("checks a tenant's account JWT and user JWTs wherever they lie, not only where the server loads them", async () => {
        const stray = editAccountConf(byName(world(["acme"]), `nats-account-${ACME}`).props.data[accountFile(ACME)], (n) => (n.limits.conn = 1000));
        const keys = accountKeys(MASTER, ACME, 1);
        const unscopedUser = userJwt(ACME, keys.user.publicKey, keys.account.publicKey, keys.account);
        const resources = [...world(["acme", "globex"]), secret("debug", "org-acme", { stringData: { "account.jwt": stray, "user.jwt": unscopedUser } })];
        expect(await messages(resources)).toEqual([
            `Secret "org-acme/debug" key account.jwt: NATS account "${ACME}" of tenant acme allows 1000 connections (limits.conn); plan standard allows 50.`,
            `Secret "org-acme/debug" key user.jwt: it holds a user JWT (${keys.user.publicKey}) of tenant acme's NATS account "${ACME}" issued by ${keys.account.publicKey}, which is not a scoped signing key of that account: its permissions are its own, not the account's.`,
        ]);
    });

    it("still reads config mode, in nats-server's own format, wherever it is declared", async () => {
        const conf = `# hand-written\naccounts {\n  ${ACME}: {\n    users: [ {nkey: ${nkeyOf("acme").publicKey}, permissions: {publish: "org.acme.>", subscribe: ["org.acme.>", "org.globex.>"]}} ]\n    imports: [ {stream: {account: ${GLOBEX}, subject: "org.globex.>"}} ]\n  }\n  ${GLOBEX}: { users: [ {nkey: ${nkeyOf("globex").publicKey}, permissions: {publish: "org.globex.>", subscribe: "org.globex.>"}} ] }\n}\ninclude ./more.conf\nsystem_account: $SYS_ACCOUNT\n`;
        const resources = [...world(["acme", "globex"]), secret("edge-nats", "edge", { stringData: { "nats.conf": conf } })];
        const where = `Secret "edge/edge-nats" key nats.conf`;
        expect((await messages(resources)).filter((m) => m.startsWith(where))).toEqual([
            `${where}: it includes "./more.conf", which no ConfigMap or Secret in namespace nats holds; the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`,
            `${where}: it uses $SYS_ACCOUNT, which it does not define; the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`,
            `${where}: NATS account "${ACME}" of tenant acme may subscribe to "org.globex.>" (tenant globex's subjects); ${ACME_ALLOWED}`,
            `${where}: NATS account "${ACME}" of tenant acme imports stream "org.globex.>" from tenant globex's account "${GLOBEX}"; tenants may import only from PLATFORM.`,
        ]);
        const broken = [...world(["acme"]), fixture("kubernetes:core/v1:ConfigMap", "edge-conf", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "edge-conf", namespace: "edge" }, data: { "server.conf": "accounts { A: { users: [ }" } })];
        expect(await messages(broken)).toEqual([`ConfigMap "edge/edge-conf" key server.conf does not parse (expected a value at line 1); a NATS configuration must be one the pack can read.`]);
    });
});

describe("isolate-tenant-nats: credentials", () => {
    it("reports a tenant's seed (or .creds) in another tenant's namespace or outside tenant namespaces, however it is encoded", async () => {
        const { seed, publicKey } = nkeyOf("acme");
        const inGlobex = secret("handoff", "org-globex", { stringData: { creds: natsOf("acme").creds } });
        const base64 = secret("backup", "default", { data: { seed: Buffer.from(`NATS_NKEY_SEED=${seed}`).toString("base64").padEnd(80, "=") } });
        expect(await messages([...world(["acme", "globex"]), inGlobex, base64])).toEqual([
            `Secret "org-globex/handoff" holds tenant acme's NATS credential (the nkey seed of ${publicKey}) in tenant globex's namespace; a tenant's credential may exist only in its own namespace "org-acme".`,
            `Secret "default/backup" holds tenant acme's NATS credential (the nkey seed of ${publicKey}) in namespace "default"; a tenant's credential may exist only in its own namespace "org-acme".`,
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
        const source = resources.find((f) => f.name === "acme-nats" && f.type === "tenancy:nats:NatsAccount")!;
        const copy = { ...secret("mirror", "org-globex", { stringData: { seed: UNKNOWN } }), propertyDependencies: { stringData: [source.urn] } };
        const own = { ...secret("own", "org-acme", { stringData: { seed: UNKNOWN } }), propertyDependencies: { stringData: [source.urn] } };
        expect(await messages([...resources, copy, own])).toEqual([
            `Secret "org-globex/mirror" has data unknown during preview that comes from tenant acme's resources; it may hold tenant acme's credential, which may exist only in "org-acme".`,
        ]);
    });
});
