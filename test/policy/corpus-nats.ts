// The NATS side of the corpus: changes to what the server loads in operator mode (account JWTs,
// operator.conf), to credentials, and the changes that must pass.
import { UNKNOWN } from "../../cli/engine";
import { accountKeys } from "../../components/nats-keys";
import { userJwt } from "../../components/nats-jwt";
import { idOf, MASTER } from "./fixtures";
import type { Mutation } from "./corpus";
import { accountFile, editAccountConf } from "./nats-edit";
import type { World } from "./world";

const ACME_ID = idOf("acme");
const GLOBEX_ID = idOf("globex");
const ACME_FILE = `ConfigMap "nats/nats-account-${ACME_ID.replace("_", "-")}" key ${accountFile(ACME_ID)}`;
const OPERATOR_CONF = `ConfigMap "nats/nats-operator" key operator.conf`;

// Edits acme's account JWT in its ConfigMap, re-signed by the operator (unless another signer is given).
function editAcme(w: World, change: (nats: any, claims: { name: string }) => void, signer?: Parameters<typeof editAccountConf>[2]): World {
    return w.edit(`nats-account-${ACME_ID}`, (p) => (p.data[accountFile(ACME_ID)] = editAccountConf(p.data[accountFile(ACME_ID)], change, signer)));
}

/** Rows for the NATS accounts of the program. */
export const NATS_MUTATIONS: Mutation[] = [
    {
        change: "acme's users may subscribe to globex's subjects",
        rule: "isolate-tenant-nats",
        says: `may subscribe to "org.globex.>" (tenant globex's subjects)`,
        apply: (w) => editAcme(w, (n) => n.signing_keys[0].template.sub.allow.push("org.globex.>")),
    },
    {
        change: "acme's default permissions publish into every inbox",
        rule: "isolate-tenant-nats",
        says: `NATS account "${ACME_ID}" of tenant acme (default permissions) may publish to "_INBOX.>", which includes every tenant's subjects`,
        apply: (w) => editAcme(w, (n) => n.default_permissions.pub.allow.push("_INBOX.>")),
    },
    {
        change: "acme's account imports a stream from globex's account",
        rule: "isolate-tenant-nats",
        says: `${ACME_FILE}: NATS account "${ACME_ID}" of tenant acme imports stream "org.globex.>" from tenant globex's account "${GLOBEX_ID}"`,
        apply: (w) => editAcme(w, (n) => n.imports.push({ name: "x", subject: "org.globex.>", account: accountKeys(MASTER, GLOBEX_ID, 1).account.publicKey, type: "stream" })),
    },
    {
        change: "acme's account imports globex's status service from the platform",
        rule: "isolate-tenant-nats",
        says: `imports service "platform.status.globex" from PLATFORM (tenant globex's status subject); tenant acme may import only`,
        apply: (w) => editAcme(w, (n) => (n.imports[1].subject = "platform.status.globex")),
    },
    {
        change: "acme's account exports its subjects",
        rule: "isolate-tenant-nats",
        says: `NATS account "${ACME_ID}" of tenant acme exports stream "org.acme.>"`,
        apply: (w) => editAcme(w, (n) => n.exports.push({ name: "all", subject: "org.acme.>", type: "stream" })),
    },
    {
        change: "acme's account renamed to globex's",
        rule: "isolate-tenant-nats",
        says: `${ACME_FILE}: the account ${accountKeys(MASTER, ACME_ID, 1).account.publicKey} of tenant acme is named "${GLOBEX_ID}", not its org id "${ACME_ID}".`,
        apply: (w) => editAcme(w, (_n, claims) => (claims.name = GLOBEX_ID)),
    },
    {
        change: "acme's NATS credential Secret moved into globex's namespace",
        rule: "isolate-tenant-nats",
        says: `Secret "org-globex/nats-credentials" holds the nkey seed of ${accountKeys(MASTER, ACME_ID, 1).user.publicKey}, tenant acme's user, in tenant globex's namespace`,
        apply: (w) => w.edit("acme-nats-credentials", (p) => (p.metadata.namespace = "org-globex")),
    },
    {
        change: "acme's NATS credential Secret holds globex's account",
        rule: "isolate-tenant-nats",
        says: `Secret "org-acme/nats-credentials" of tenant acme holds the credential of NATS account "${GLOBEX_ID}"`,
        apply: (w) => w.edit("acme-nats-credentials", (p) => (p.stringData.value.NATS_ACCOUNT = GLOBEX_ID)),
    },
    {
        change: "a tenant NATS credential copied into the default namespace",
        rule: "isolate-tenant-nats",
        says: `Secret "default/nats-credentials" is a tenant NATS credential (for tenant acme's NATS account "${ACME_ID}") outside tenant namespaces`,
        apply: (w) => w.add("kubernetes:core/v1:Secret", "stray-credentials", { apiVersion: "v1", kind: "Secret", metadata: { name: "nats-credentials", namespace: "default" }, stringData: { NATS_ACCOUNT: ACME_ID } }),
    },
];

/** Rows on what the server really loads (operator.conf, its includes, any other configuration), credentials anywhere, and unknowns. */
export const SERVER_MUTATIONS: Mutation[] = [
    {
        change: "acme's account JWT signed by a key the operator does not trust",
        rule: "isolate-tenant-nats",
        says: `${ACME_FILE}, line 2: the JWT of account ${accountKeys(MASTER, ACME_ID, 1).account.publicKey} is not a NATS account JWT the pack accepts: claim "iss" must be an operator public key`,
        apply: (w) => editAcme(w, () => undefined, accountKeys(MASTER, GLOBEX_ID, 1).signing),
    },
    {
        change: "acme's account allows unlimited connections",
        rule: "isolate-tenant-nats",
        says: `${ACME_FILE}: NATS account "${ACME_ID}" of tenant acme allows unlimited connections (limits.conn); plan standard allows 50.`,
        apply: (w) => editAcme(w, (n) => (n.limits.conn = -1)),
    },
    {
        change: "operator.conf unknown during preview",
        rule: "isolate-tenant-nats",
        says: `${OPERATOR_CONF} is unknown during preview; what the NATS server may load must be known`,
        apply: (w) => w.edit("nats-operator", (p) => (p.data["operator.conf"] = UNKNOWN)),
    },
    {
        change: "acme's account file no longer declared",
        rule: "isolate-tenant-nats",
        says: `include "${accountFile(ACME_ID)}" names a file the stack does not declare`,
        apply: (w) => w.remove(`nats-account-${ACME_ID}`),
    },
    {
        change: "no NATS server configuration at all",
        rule: "isolate-tenant-nats",
        says: "The stack declares tenants (acme, globex, initech) but no NATS operator.conf in namespace nats",
        apply: (w) => w.remove("nats-operator"),
    },
    {
        change: "a second server configuration in another namespace, in nats-server's own format, opens acme to globex",
        rule: "isolate-tenant-nats",
        says: `ConfigMap "edge/edge-nats" key nats.conf is a NATS server configuration (accounts) outside namespace nats`,
        apply: (w) =>
            w.add("kubernetes:core/v1:ConfigMap", "edge-nats", {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "edge-nats", namespace: "edge" },
                data: { "nats.conf": `accounts {\n  ${ACME_ID}: { imports: [ {stream: {account: ${GLOBEX_ID}, subject: "org.globex.>"}} ] }\n}\n` },
            }),
    },
    {
        change: "a user JWT of acme issued by its account key (not its scoped signing key), in a Secret",
        rule: "isolate-tenant-nats",
        says: `of tenant acme's account issued by ${accountKeys(MASTER, ACME_ID, 1).account.publicKey}, not by its derived scoped signing key`,
        apply: (w) => {
            const keys = accountKeys(MASTER, ACME_ID, 1);
            return w.add("kubernetes:core/v1:Secret", "admin-creds", {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: "admin-creds", namespace: "org-acme", labels: { "tenancy.io/tenant-id": ACME_ID } },
                stringData: { jwt: userJwt("admin", keys.user.publicKey, keys.account.publicKey, keys.account) },
            });
        },
    },
    {
        change: "acme's seed copied into a Secret named anything, in globex's namespace",
        rule: "isolate-tenant-nats",
        says: `Secret "org-globex/agent-env" holds the nkey seed of ${accountKeys(MASTER, ACME_ID, 1).user.publicKey}, tenant acme's user, in tenant globex's namespace`,
        apply: (w) =>
            w.add("kubernetes:v1:Secret", "agent-env", {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: "agent-env", namespace: "org-globex", labels: { "tenancy.io/tenant-id": GLOBEX_ID } },
                stringData: { SEED: w.get("acme-nats-credentials").stringData.value.NATS_NKEY_SEED },
            }),
    },
];

/** Changes to the NATS side that must pass. */
export const NATS_BENIGN: { change: string; apply: (w: World) => World }[] = [
    {
        change: "acme's users narrowed to their task inboxes",
        apply: (w) => editAcme(w, (n) => (n.signing_keys[0].template.sub.allow = ["org.acme.tasks.*.inbox", "_INBOX.acme.>", "platform.broadcast.>"])),
    },
    {
        change: "acme's account allows fewer connections than its plan",
        apply: (w) => editAcme(w, (n) => (n.limits.conn = 5)),
    },
    {
        change: "the platform's own seed unknown during preview",
        apply: (w) => w.edit("nats-platform-credentials", (p) => (p.stringData.value.NATS_NKEY_SEED = UNKNOWN)),
    },
];
