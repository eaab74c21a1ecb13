// The NATS side of the corpus: changes to what the server loads and to credentials, and the
// changes that must pass.
import { UNKNOWN } from "../../cli/engine";
import { idOf } from "./fixtures";
import type { Mutation } from "./corpus";
import type { World } from "./world";

const ACME_ID = idOf("acme");
const GLOBEX_ID = idOf("globex");

/** The NATS permission structure as the rule reads it (components/nats-spec.ts builds it). */
type Structure = { tenants: { slug: string; account: string; permissions: { publish: { allow: string[] }; subscribe: { allow: string[] } }; imports: object[]; exports: object[] }[] };

// Edits acme's account in the permission structure stored in the nats-authorization ConfigMap.
function editAcmeAccount(w: World, change: (acme: Structure["tenants"][number]) => void): World {
    return w.edit("nats-authorization", (p) => {
        const structure = JSON.parse(p.data["permissions.json"]) as Structure;
        change(structure.tenants.find((t) => t.slug === "acme")!);
        p.data["permissions.json"] = JSON.stringify(structure);
    });
}

/** Rows for the NATS side of the program. */
export const NATS_MUTATIONS: Mutation[] = [
    {
        change: "acme's NATS user subscribes to globex's subjects",
        rule: "isolate-tenant-nats",
        says: `NATS account "${ACME_ID}" of tenant acme may subscribe to "org.globex.>" (tenant globex's subjects)`,
        apply: (w) => editAcmeAccount(w, (a) => a.permissions.subscribe.allow.push("org.globex.>")),
    },
    {
        change: "acme's NATS user publishes into every inbox",
        rule: "isolate-tenant-nats",
        says: `NATS account "${ACME_ID}" of tenant acme may publish to "_INBOX.>", which includes every tenant's subjects`,
        apply: (w) => editAcmeAccount(w, (a) => a.permissions.publish.allow.push("_INBOX.>")),
    },
    {
        change: "acme's account imports a stream from globex's account",
        rule: "isolate-tenant-nats",
        says: `imports stream "org.globex.>" from tenant globex's account "${GLOBEX_ID}"`,
        apply: (w) => editAcmeAccount(w, (a) => a.imports.push({ kind: "stream", account: GLOBEX_ID, subject: "org.globex.>", to: "org.globex.>" })),
    },
    {
        change: "acme's account imports globex's status service from the platform",
        rule: "isolate-tenant-nats",
        says: `imports service "platform.status.globex" from PLATFORM (tenant globex's status subject); tenant acme may import only`,
        apply: (w) => editAcmeAccount(w, (a) => a.imports.push({ kind: "service", account: "PLATFORM", subject: "platform.status.globex", to: "platform.status" })),
    },
    {
        change: "acme's account exports its subjects",
        rule: "isolate-tenant-nats",
        says: `NATS account "${ACME_ID}" of tenant acme exports stream "org.acme.>"`,
        apply: (w) => editAcmeAccount(w, (a) => a.exports.push({ kind: "stream", subject: "org.acme.>" })),
    },
    {
        change: "acme's account renamed to globex's",
        rule: "isolate-tenant-nats",
        says: `NATS account "${GLOBEX_ID}" is used by tenants acme and globex`,
        apply: (w) => editAcmeAccount(w, (a) => (a.account = GLOBEX_ID)),
    },
    {
        change: "acme's NATS credential Secret moved into globex's namespace",
        rule: "isolate-tenant-nats",
        says: `Secret "org-globex/nats-credentials" holds tenant acme's NATS credential (the nkey seed of`,
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
        apply: (w) =>
            w.add("kubernetes:core/v1:Secret", "stray-credentials", {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: "nats-credentials", namespace: "default" },
                stringData: { NATS_ACCOUNT: ACME_ID },
            }),
    },
];

/** Changes to the NATS side that must pass, including what a preview of a new tenant looks like. */
// Edits the document nats-server includes (auth.json), as a hand-written change to the program would.
function editAuth(w: World, change: (doc: any) => void): World {
    return w.edit("nats-accounts", (p) => {
        const doc = JSON.parse(p.data["auth.json"]);
        change(doc);
        p.data["auth.json"] = JSON.stringify(doc);
    });
}

const AUTH = `ConfigMap "nats/nats-accounts" key auth.json`;

/** Rows on what the server really loads (auth.json and any other configuration), credentials anywhere, and unknowns. */
export const SERVER_MUTATIONS: Mutation[] = [
    {
        change: "the server's acme account imports globex's stream (permissions.json untouched)",
        rule: "isolate-tenant-nats",
        says: `${AUTH}: NATS account "${ACME_ID}" of tenant acme imports stream "org.globex.>" from tenant globex's account "${GLOBEX_ID}"`,
        apply: (w) => editAuth(w, (d) => d.accounts[ACME_ID].imports.push({ stream: { account: GLOBEX_ID, subject: "org.globex.>" } })),
    },
    {
        change: "the server's globex account also accepts acme's nkey",
        rule: "isolate-tenant-nats",
        says: `${AUTH}: NATS account "${GLOBEX_ID}" of tenant globex (user 2) has the nkey user`,
        apply: (w) => editAuth(w, (d) => d.accounts[GLOBEX_ID].users.push(d.accounts[ACME_ID].users[0])),
    },
    {
        change: "the server's acme user may subscribe to everything",
        rule: "isolate-tenant-nats",
        says: `${AUTH}: NATS account "${ACME_ID}" of tenant acme may subscribe to every subject (no subscribe allow list)`,
        apply: (w) => editAuth(w, (d) => delete d.accounts[ACME_ID].users[0].permissions.subscribe),
    },
    {
        change: "auth.json unknown during preview",
        rule: "isolate-tenant-nats",
        says: `${AUTH} is unknown during preview; what the NATS server may load must be known`,
        apply: (w) => w.edit("nats-accounts", (p) => (p.data["auth.json"] = UNKNOWN)),
    },
    {
        change: "no NATS server configuration at all",
        rule: "isolate-tenant-nats",
        says: "The stack declares tenants (acme, globex, initech) but no NATS server configuration",
        apply: (w) => w.remove("nats-accounts"),
    },
    {
        change: "a second server configuration in another namespace, in nats-server's own format, opens acme to globex",
        rule: "isolate-tenant-nats",
        says: `ConfigMap "edge/edge-nats" key nats.conf: NATS account "${ACME_ID}" of tenant acme imports stream "org.globex.>" from tenant globex's account "${GLOBEX_ID}"`,
        apply: (w) =>
            w.add("kubernetes:core/v1:ConfigMap", "edge-nats", {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "edge-nats", namespace: "edge" },
                data: { "nats.conf": `accounts {\n  ${ACME_ID}: { imports: [ {stream: {account: ${GLOBEX_ID}, subject: "org.globex.>"}} ] }\n}\n` },
            }),
    },
    {
        change: "acme's seed copied into a Secret named anything, in globex's namespace",
        rule: "isolate-tenant-nats",
        says: `Secret "org-globex/agent-env" holds tenant acme's NATS credential (the nkey seed of`,
        apply: (w) =>
            w.add("kubernetes:v1:Secret", "agent-env", {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: "agent-env", namespace: "org-globex", labels: { "tenancy.io/tenant-id": GLOBEX_ID } },
                stringData: { SEED: w.get("acme-nats-credentials").stringData.value.NATS_NKEY_SEED },
            }),
    },
];

export const NATS_BENIGN: { change: string; apply: (w: World) => World }[] = [
    {
        change: "acme's user narrows its subscriptions to its task inboxes",
        apply: (w) => editAcmeAccount(w, (a) => (a.permissions.subscribe.allow = ["org.acme.tasks.*.inbox", "_INBOX.acme.>", "platform.broadcast.>"])),
    },
    {
        change: "the server's acme user narrows its publish list in auth.json, written as a list",
        apply: (w) => editAuth(w, (d) => (d.accounts[ACME_ID].users[0].permissions.publish = ["org.acme.tasks.*.inbox"])),
    },
    {
        change: "the platform's own seed unknown during preview",
        apply: (w) => w.edit("nats-platform-credentials", (p) => (p.stringData.value.NATS_NKEY_SEED = UNKNOWN)),
    },
];

