import { Types } from "@nats-io/jwt";
import { describe, expect, it } from "vitest";
import { credsFile, signJwt, userJwt } from "../../components/nats-jwt";
import { accountKeys, operatorKeys } from "../../components/nats-keys";
import { isolateTenantNats, subjectWithin } from "../../policy/isolate-tenant-nats";
import { byName, CONFIG, MASTER, natsKeysOf, natsOf, nkeyOf } from "./fixtures";
import {
    accountClaimsOf, acmePayloadWith, ACME, configMap, editAccount, editOperatorConf, GLOBEX, INITECH, mintedUser, rawJwt, secret, setAccountJwt, stack, wrapped,
} from "./nats-attacks";
import { OPERATOR } from "./nats-edit";
import { runStackRule, type Fixture } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const OPERATOR_CONF = `ConfigMap "nats/nats-operator" key operator.conf`;
const fileOf = (id: string) => `ConfigMap "nats/nats-account-${id.replace("_", "-")}" key ${id}.conf`;
const ACME_FILE = fileOf(ACME);
const ACME_KEY = natsOf("acme").accountPublicKey;
const ACME_ALLOWED = "tenant acme may use only org.acme.>, _INBOX.acme.>, platform.broadcast.>, platform.status, platform.status.acme.";
const SIGNING = accountKeys(MASTER, ACME, 1).signing.publicKey;
const SCOPE = `users of signing key ${SIGNING}`;
const GRAMMAR = 'operator.conf may hold only operator, system_account, resolver: MEMORY and resolver_preload (account entries and include "<org id>.conf" lines), each once, exactly as tenancy renders them.';
const NOT_WRITTEN = "is not one tenancy writes (claims are read by exact, case-sensitive key, each once).";
const messages = async (resources: Fixture[], config: Record<string, unknown> = CONFIG) => (await runStackRule(isolateTenantNats, resources, config)).map((r) => r.message);

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

describe("isolate-tenant-nats: the compliant stack and its equal-meaning rewrites", () => {
    it("accepts the compliant stack: operator.conf, one account file per tenant, a suspended tenant admitting no connection", async () => {
        expect(await messages(stack(true))).toEqual([]);
    });

    it("accepts operator.conf with other blank lines, indentation, comments, statement and include order", async () => {
        const rewritten = editOperatorConf(stack(), (text) => {
            const lines = text.trimEnd().split("\n");
            const includes = lines.filter((l) => l.includes("include"));
            const rest = lines.filter((l) => !l.includes("include") && l !== "}" && !l.startsWith("resolver_preload") && !l.startsWith("  \""));
            const preload = lines.filter((l) => l.startsWith("  \"")).map((l) => `\t${l.trim()}`);
            return [...rest.reverse().map((l) => `  ${l.replace(": ", " :  ")}`), "", "# edited by hand", "resolver_preload: {", ...includes.reverse(), "", ...preload, "}", ""].join("\r\n");
        });
        expect(await messages(rewritten)).toEqual([]);
    });

    it("accepts acme's own permissions narrowed, and acme's user re-issued with the same rights", async () => {
        const narrowed = editAccount(stack(), "acme", (n) => {
            n.signing_keys[0].template.sub.allow = n.signing_keys[0].template.sub.allow.slice(0, 1);
            n.default_permissions.pub.allow = n.default_permissions.pub.allow.slice(0, 1);
        });
        expect(await messages(narrowed)).toEqual([]);
        const keys = accountKeys(MASTER, ACME, 1);
        const reissued = signJwt(Types.User, "acme-agents-2", keys.user.publicKey, { issuer_account: keys.account.publicKey }, keys.signing);
        const resources = stack();
        byName(resources, "acme-nats-credentials").props.stringData.NATS_CREDS = credsFile(reissued, keys.user.seed);
        expect(await messages(resources)).toEqual([]);
    });
});

describe("isolate-tenant-nats: the pack is pinned to the keys derived from the master key", () => {
    it("refuses any stack with tenants when the pack configuration has no natsKeys, or natsKeys that are not well formed", async () => {
        expect(await messages(stack(), { registryDir: CONFIG.registryDir })).toEqual([
            "The pack configuration sets no natsKeys, so it cannot tell whether a NATS account, signing key, user or seed is the one tenancy derives for its tenant; pass the pack the configuration `tenancy pack-config` prints (pulumi config get tenancy:natsMasterKey --stack <stack> | npx tenancy pack-config --stack <stack>).",
        ]);
        const bad = { ...CONFIG, natsKeys: { ...natsKeysOf(), operator: "OABC" } };
        expect(await messages(stack(), bad)).toEqual([
            "The pack configuration's natsKeys is invalid at natsKeys.operator: must be an operator public key (O followed by 55 base32 characters); pass the pack the configuration `tenancy pack-config` prints (pulumi config get tenancy:natsMasterKey --stack <stack> | npx tenancy pack-config --stack <stack>).",
        ]);
    });

    it("refuses a tenant account under a key that is not derived from the master key, even signed by the real operator", async () => {
        const claims = accountClaimsOf("acme");
        const { type: _t, version: _v, ...nats } = claims.nats;
        const other = accountKeys(Buffer.alloc(32, 5), ACME, 1).account.publicKey;
        const rekeyed = setAccountJwt(stack(), ACME, signJwt(Types.Account, ACME, other, nats, OPERATOR), other);
        expect(await messages(rekeyed)).toEqual([
            `${ACME_FILE}: NATS account "${ACME}" of tenant acme has the key ${other}, not the key tenancy derives for org id ${ACME} (${ACME_KEY}); a tenant's account must be the one derived from the master key.`,
            `Tenant acme (${ACME}): the configuration the server loads holds no account with its derived key ${ACME_KEY}; every tenant's account must be loaded, once, with the key tenancy derives.`,
        ]);
    });

    it("refuses a second scoped signing key that is not derived, though its template is the tenant's own", async () => {
        const foreign = accountKeys(MASTER, GLOBEX, 1).signing.publicKey;
        const resources = editAccount(stack(), "acme", (n) => n.signing_keys.push({ ...n.signing_keys[0], key: foreign }));
        expect(await messages(resources)).toEqual([
            `${ACME_FILE}: NATS account "${ACME}" of tenant acme has the signing key ${foreign}, which is not the key tenancy derives for it (${SIGNING}): whoever holds its seed can issue users of tenant acme's account; the account must have exactly its derived scoped signing key.`,
        ]);
    });

    it("refuses an operator.conf whose operator and accounts come from another master key", async () => {
        const foreign = operatorKeys(Buffer.alloc(32, 3));
        const resources = editOperatorConf(stack(), (text) => text.replace(/^operator: ".*"$/m, `operator: "${signJwt(Types.Operator, "tenancy", foreign.operator.publicKey, { system_account: operatorKeys(MASTER).system.publicKey }, foreign.operator)}"`));
        const signedBy = (where: string, key: string) => `${where}: account ${key} is issued by ${OPERATOR.publicKey}, not by the operator ${foreign.operator.publicKey}; every preloaded account must be signed by the trusted operator.`;
        expect(await messages(resources)).toEqual([
            signedBy(`${OPERATOR_CONF}, line 6`, operatorKeys(MASTER).system.publicKey),
            signedBy(`${OPERATOR_CONF}, line 7`, natsOf("PLATFORM").accountPublicKey),
            signedBy(`${ACME_FILE}, line 2`, ACME_KEY),
            signedBy(`${fileOf(GLOBEX)}, line 2`, natsOf("globex").accountPublicKey),
        ]);
    });
});

describe("isolate-tenant-nats: operator.conf and the account files, read with the strict grammar", () => {
    it.each([
        ["an alias of resolver", (t: string) => t.replace("resolver: MEMORY", "account_resolver: MEMORY"), [`line 1: no resolver statement; ${GRAMMAR}`, `line 4: the key account_resolver, in "account_resolver: MEMORY"; ${GRAMMAR}`]],
        ["a second resolver_preload in another case", (t: string) => `${t}Resolver_Preload: {\n  "${natsOf("globex").accountPublicKey}": "${natsOf("globex").accountJwt}"\n}\n`, [`line 11: a second resolver_preload (the first is at line 5), in "Resolver_Preload: {"; ${GRAMMAR}`]],
        ["a nats-server string escape hiding the operator JWT", (t: string) => t.replace('operator: "eyJ', 'operator: "\\x65yJ'), [`line 2: operator with a value other than a double-quoted JWT, in "operator: "\\x65yJ0eXAiOiJKV1QiLCJhbGciOi..."; ${GRAMMAR}`]],
        ["a gateway block", (t: string) => `${t}gateway { name: edge, port: 7222 }\n`, [`line 11: the key gateway, in "gateway { name: edge, port: 7222 }"; ${GRAMMAR}`]],
        ["no system_account line (the operator JWT's claim would decide)", (t: string) => t.replace(/^system_account: .*\n/m, ""), [`line 1: no system_account statement; ${GRAMMAR}`]],
    ])("refuses %s, naming the line", async (_what, change, problems) => {
        expect(await messages(editOperatorConf(stack(), change))).toEqual(problems.map((p) => `${OPERATOR_CONF}, ${p}`));
    });

    it("refuses a leafnodes block with remotes that would carry an account to another server, line by line", async () => {
        const resources = editOperatorConf(stack(), (t) => `${t}leafnodes {\n  remotes: [ { url: "nats://10.1.2.3:7422", account: "${ACME_KEY}" } ]\n}\n`);
        expect(await messages(resources)).toEqual([
            `${OPERATOR_CONF}, line 11: the key leafnodes, in "leafnodes {"; ${GRAMMAR}`,
            `${OPERATOR_CONF}, line 12: the key remotes, in "remotes: [ { url: "nats://10.1.2.3:7422"..."; ${GRAMMAR}`,
            `${OPERATOR_CONF}, line 13: a "}" that closes no block, in "}"; ${GRAMMAR}`,
        ]);
    });

    it("refuses an operator JWT whose system account is not the one operator.conf names", async () => {
        const system = accountKeys(MASTER, "PLATFORM", 1).account.publicKey;
        const resources = editOperatorConf(stack(), (t) => t.replace(/^operator: ".*"$/m, `operator: "${signJwt(Types.Operator, "tenancy", OPERATOR.publicKey, { system_account: system }, OPERATOR)}"`));
        expect(await messages(resources)).toEqual([
            `${OPERATOR_CONF}, line 3: system_account ${operatorKeys(MASTER).system.publicKey} is not the operator's system account ${system}; they must be the same account.`,
        ]);
    });

    it("refuses anything else in the NATS namespace, and server configuration anywhere else", async () => {
        const resources = [...stack(), configMap("extra", "nats", { "leaf.conf": "leafnodes { remotes: [] }" }), configMap("edge", "edge", { "nats.conf": "accounts { A: {} }" })];
        expect(await messages(resources)).toEqual([
            'ConfigMap "nats/extra" key leaf.conf: namespace nats may hold only what tenancy renders: ConfigMaps with operator.conf or an account file <org id>.conf, and the Secret nats-platform-credentials; the server (or the sync that feeds its directory) may load any file there, so the pack refuses what it does not fully read.',
            'ConfigMap "edge/edge" key nats.conf is a NATS server configuration (accounts) outside namespace nats; the only server configuration the pack accepts is operator.conf and the account files in the NATS namespace, exactly as tenancy renders them.',
        ]);
    });

    it("refuses an account file unknown during preview, and one that two objects hold", async () => {
        const unknown = stack();
        byName(unknown, `nats-account-${ACME}`).props.data[`${ACME}.conf`] = UNKNOWN;
        expect(await messages(unknown)).toEqual([
            `${ACME_FILE} is unknown during preview; what the NATS server may load must be known so every tenant's account can be checked.`,
            `${OPERATOR_CONF}, line 8: include "${ACME}.conf" names a file the stack does not declare; operator.conf may include only account files the stack declares.`,
        ]);
        const twice = [...stack(), configMap("copy", "nats", { ...byName(stack(), `nats-account-${ACME}`).props.data })];
        expect((await messages(twice))[0]).toBe(`${ACME_FILE}: 2 objects hold the file ${ACME}.conf (ConfigMap "nats/nats-account-${ACME.replace("_", "-")}", ConfigMap "nats/copy"); the pack cannot tell which the server loads, so each file must be declared once.`);
    });
});

describe("isolate-tenant-nats: account JWTs, read with the strict claim schema", () => {
    it.each([
        ["a second \"NATS\" object beside \"nats\", carrying an import from globex", rawJwt(acmePayloadWith("NATS")), `is not a NATS account JWT the pack accepts: claim "NATS" ${NOT_WRITTEN}`],
        ["a case variant of \"nats\"", rawJwt(acmePayloadWith("Nats")), `is not a NATS account JWT the pack accepts: claim "Nats" ${NOT_WRITTEN}`],
        ["\"nats\" twice", rawJwt(acmePayloadWith("duplicate")), 'is not a JWT the pack can read: its payload is not strict JSON: key "nats" appears twice; each key may appear once.'],
    ])("refuses an account JWT with %s", async (_what, jwt, problem) => {
        expect(await messages(setAccountJwt(stack(), ACME, jwt))).toEqual([`${ACME_FILE}, line 2: the JWT of account ${ACME_KEY} ${problem}`]);
    });

    it.each([
        ["bearer_token in its signing key's template", (n: any) => (n.signing_keys[0].template.bearer_token = true), `claim "nats.signing_keys.0.template.bearer_token" ${NOT_WRITTEN}`],
        ["JetStream limits", (n: any) => (n.limits.mem_storage = -1), `claim "nats.limits.mem_storage" ${NOT_WRITTEN}`],
    ])("refuses an account JWT with %s", async (_what, change, problem) => {
        expect(await messages(editAccount(stack(), "acme", change))).toEqual([`${ACME_FILE}, line 2: the JWT of account ${ACME_KEY} is not a NATS account JWT the pack accepts: ${problem}`]);
    });

    it.each([
        ["lets its users subscribe to globex's subjects", (n: any) => n.signing_keys[0].template.sub.allow.push("org.globex.>"), `NATS account "${ACME}" of tenant acme (${SCOPE}) may subscribe to "org.globex.>" (tenant globex's subjects); ${ACME_ALLOWED}`],
        ["lets its users publish anywhere (a deny list only)", (n: any) => (n.signing_keys[0].template.pub = { deny: ["org.globex.>"] }), `NATS account "${ACME}" of tenant acme (${SCOPE}) may publish to every subject (no publish allow list); ${ACME_ALLOWED}`],
        ["gives users without permissions every inbox", (n: any) => n.default_permissions.pub.allow.push("_INBOX.>"), `NATS account "${ACME}" of tenant acme (default permissions) may publish to "_INBOX.>", which includes every tenant's subjects; ${ACME_ALLOWED}`],
        ["lets its users answer requests anywhere", (n: any) => (n.signing_keys[0].template.resp = { max: 1, ttl: 0 }), `NATS account "${ACME}" of tenant acme (${SCOPE}) may answer requests on their reply subjects, wherever they are; ${ACME_ALLOWED}`],
        ["signs users with an unscoped key", (n: any) => n.signing_keys.push(SIGNING), `NATS account "${ACME}" of tenant acme has the unscoped signing key ${SIGNING}: users it issues carry whatever permissions their own JWTs say; a tenant's users must come from a scoped signing key.`],
        ["imports a stream from globex's account", (n: any) => n.imports.push({ name: "x", subject: "org.globex.>", account: natsOf("globex").accountPublicKey, type: "stream" }), `NATS account "${ACME}" of tenant acme imports stream "org.globex.>" from tenant globex's account "${GLOBEX}"; tenants may import only from PLATFORM.`],
        ["imports globex's status service", (n: any) => (n.imports[1].subject = "platform.status.globex"), `NATS account "${ACME}" of tenant acme imports service "platform.status.globex" from PLATFORM (tenant globex's status subject); tenant acme may import only platform.broadcast.>, platform.status, platform.status.acme.`],
        ["maps an import into globex's subjects", (n: any) => (n.imports[0].local_subject = "org.globex.>"), `NATS account "${ACME}" of tenant acme maps import "platform.broadcast.>" to "org.globex.>" (tenant globex's subjects); ${ACME_ALLOWED}`],
        ["exports its subjects", (n: any) => n.exports.push({ name: "all", subject: "org.acme.>", type: "stream" }), `NATS account "${ACME}" of tenant acme exports stream "org.acme.>"; a tenant account must export nothing, since any account could import it.`],
        ["allows unlimited connections", (n: any) => (n.limits.conn = -1), `NATS account "${ACME}" of tenant acme allows unlimited connections (limits.conn); plan standard allows 50.`],
        ["allows more payload than its plan", (n: any) => (n.limits.payload = 8388608), `NATS account "${ACME}" of tenant acme allows 8388608 bytes of payload (limits.payload); plan standard allows 1048576.`],
        ["admits leaf node connections", (n: any) => (n.limits.leaf = 1), `NATS account "${ACME}" of tenant acme admits 1 leaf node connections (limits.leaf); a leaf node carries the account to another server, so a tenant account must set limits.leaf 0.`],
        ["allows exports", (n: any) => (n.limits.exports = -1), `NATS account "${ACME}" of tenant acme allows unlimited exports (limits.exports); a tenant account must set limits.exports 0.`],
        ["does not refuse bearer users", (n: any) => delete n.limits.disallow_bearer, `NATS account "${ACME}" of tenant acme does not set limits.disallow_bearer: a user JWT without its seed (a bearer token) could connect; a tenant account must refuse bearer users.`],
    ])("refuses an account JWT of acme that %s, where the JWT lies", async (_what, change, problem) => {
        expect(await messages(editAccount(stack(), "acme", change))).toEqual([`${ACME_FILE}: ${problem}`]);
    });

    it("refuses a suspended tenant's account that admits connections", async () => {
        expect(await messages(editAccount(stack(true), "initech", (n) => (n.limits.conn = 5)))).toEqual([
            `${fileOf(INITECH)}: NATS account "${INITECH}" of tenant initech admits 5 connections (limits.conn) while the tenant is suspended; a tenant that is not active must admit no connection (limits.conn 0).`,
        ]);
    });

    it("refuses an account named after another tenant", async () => {
        expect(await messages(editAccount(stack(), "acme", (_n, claims) => (claims.name = GLOBEX)))).toEqual([`${ACME_FILE}: the account ${ACME_KEY} of tenant acme is named "${GLOBEX}", not its org id "${ACME}".`]);
    });
});

describe("isolate-tenant-nats: whose credential is where", () => {
    it("names the owner by derivation: a tenant's user seed in its own namespace is fine, in another's it is reported as the owner's", async () => {
        const own = secret("extra", "org-acme", { stringData: { key: nkeyOf("acme").seed.toLowerCase() } });
        expect(await messages([...stack(), own])).toEqual([]);
        const theirs = secret("extra", "org-acme", { stringData: { key: nkeyOf("globex").seed } });
        expect(await messages([...stack(), theirs])).toEqual([
            `Secret "org-acme/extra" holds the nkey seed of ${nkeyOf("globex").publicKey}, tenant globex's user, in tenant acme's namespace; that credential may exist only in "org-globex".`,
        ]);
    });

    it("refuses account, signing-key and operator seeds anywhere, in any encoding", async () => {
        const account = accountKeys(MASTER, ACME, 1).account;
        const signing = accountKeys(MASTER, GLOBEX, 1).signing;
        const resources = [
            ...stack(),
            secret("a", "org-globex", { stringData: { key: account.seed } }),
            secret("b", "default", { data: { key: Buffer.from(wrapped(`seed: ${signing.seed}`)).toString("base64") } }),
            secret("c", "org-acme", { stringData: { key: Buffer.from(operatorKeys(MASTER).operator.seed).toString("hex") } }),
        ];
        const never = "the seeds of the operator, of accounts and of signing keys are derived when signing and must never be stored.";
        expect(await messages(resources)).toEqual([
            `Secret "org-globex/a" holds the nkey seed of ${account.publicKey}, tenant acme's account, in tenant globex's namespace; ${never}`,
            `Secret "default/b" holds the nkey seed of ${signing.publicKey}, tenant globex's signing key, in namespace "default"; ${never}`,
            `Secret "org-acme/c" holds the nkey seed of ${operatorKeys(MASTER).operator.publicKey}, the operator, in tenant acme's namespace; ${never}`,
        ]);
    });

    it("refuses a user of globex's account in acme's namespace, also base64-encoded with line wrapping", async () => {
        const minted = mintedUser(GLOBEX);
        const derived = nkeyOf("globex").publicKey;
        for (const value of [minted.creds, wrapped(minted.creds)]) {
            expect(await messages([...stack(), secret("extra", "org-acme", { stringData: { "globex.creds": value } })])).toEqual([
                `Secret "org-acme/extra" holds a user JWT for ${minted.user.publicKey} of tenant globex's account, not its derived user ${derived}; every user of an account is the one tenancy derives.`,
                `Secret "org-acme/extra" holds a user JWT (${minted.user.publicKey}) of tenant globex's account, in tenant acme's namespace; that credential may exist only in "org-globex".`,
            ]);
        }
    });

    it("refuses a user JWT issued by the account key itself instead of its scoped signing key", async () => {
        const keys = accountKeys(MASTER, ACME, 1);
        const unscoped = userJwt(ACME, keys.user.publicKey, keys.account.publicKey, keys.account);
        expect(await messages([...stack(), secret("debug", "org-acme", { stringData: { "user.jwt": unscoped } })])).toEqual([
            `Secret "org-acme/debug" holds a user JWT (${keys.user.publicKey}) of tenant acme's account issued by ${keys.account.publicKey}, not by its derived scoped signing key ${keys.signing.publicKey}.`,
        ]);
    });

    it("reports a credential that names another tenant's account, or a tenant's account outside tenant namespaces", async () => {
        const resources = stack();
        byName(resources, "acme-nats-credentials").props.stringData.NATS_ACCOUNT = GLOBEX;
        const stray = secret("nats-credentials", "default", { stringData: { NATS_ACCOUNT: ACME } });
        expect(await messages([...resources, stray])).toEqual([
            `Secret "org-acme/nats-credentials" of tenant acme holds the credential of NATS account "${GLOBEX}"; it must hold tenant acme's own account "${ACME}".`,
            `Secret "default/nats-credentials" is a tenant NATS credential (for tenant acme's NATS account "${ACME}") outside tenant namespaces; it must exist only in its tenant's own namespace.`,
        ]);
    });

    it("reports acme's credential Secret moved into globex's namespace", async () => {
        const resources = stack();
        byName(resources, "acme-nats-credentials").props.metadata.namespace = "org-globex";
        const user = nkeyOf("acme").publicKey;
        expect(await messages(resources)).toEqual([
            `Secret "org-globex/nats-credentials" holds the nkey seed of ${user}, tenant acme's user, in tenant globex's namespace; that credential may exist only in "org-acme".`,
            `Secret "org-globex/nats-credentials" holds a user JWT (${user}) of tenant acme's account, in tenant globex's namespace; that credential may exist only in "org-acme".`,
            `Secret "org-globex/nats-credentials" of tenant globex holds the credential of NATS account "${ACME}"; it must hold tenant globex's own account "${GLOBEX}".`,
        ]);
    });

    it("reports a Secret outside a tenant's namespace whose unknown data comes from that tenant's resources", async () => {
        const resources = stack();
        const source = resources.find((f) => f.name === "acme-nats" && f.type === "tenancy:nats:NatsAccount")!;
        const copy = { ...secret("mirror", "org-globex", { stringData: { seed: UNKNOWN } }), propertyDependencies: { stringData: [source.urn] } };
        const own = { ...secret("own", "org-acme", { stringData: { seed: UNKNOWN } }), propertyDependencies: { stringData: [source.urn] } };
        expect(await messages([...resources, copy, own])).toEqual([
            `Secret "org-globex/mirror" has data unknown during preview that comes from tenant acme's resources; it may hold tenant acme's credential, which may exist only in "org-acme".`,
        ]);
    });
});
