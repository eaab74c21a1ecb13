// What nats-server loads: the files in the NATS namespaces. The pack accepts there only what tenancy
// renders (operator.conf, one `<org id>.conf` per tenant, the platform's credential Secret), each
// read with the strict grammar of nats-files.ts and the strict claims of nats-claims.ts; anything
// else there is a violation, since the server (or a sync into its directory) may load it.
import { NATS_PLATFORM_CREDENTIALS_SECRET, OPERATOR_CONF_KEY } from "../contract";
import type { GuardConfig } from "./config";
import { readNatsJwt, type AccountClaims } from "./nats-claims";
import type { DataEntry } from "./nats-documents";
import { readAccountFile } from "./nats-files";
import type { NatsPins } from "./nats-pins";
import { readNatsServer } from "./nats-server-view";
import { describeObject, isKind } from "./objects";
import type { Report } from "./rule-kit";
import type { ShardView } from "./shards";
import { isUnknown } from "./unknowns";

/** An account the server loads, where its JWT lies. */
export interface LoadedAccount {
    /** The public key it is loaded under. */
    key: string;
    /** Its claims, strictly read. */
    claims: AccountClaims;
    /** `ConfigMap "nats/…" key <file>`. */
    where: string;
    /** URN of the object holding it. */
    urn: string;
}

/** What the NATS namespaces hold, as the server loads it. */
export interface NatsNamespaceView {
    /** Whether the stack declares operator.conf. */
    operatorConf: boolean;
    /** Every account the server loads from the stack's files (or, without operator.conf, every account file's account). */
    accounts: LoadedAccount[];
    /** File names of the account files the stack declares (once or more). */
    accountFiles: Set<string>;
    /** Whether operator.conf (when there is one) was read whole; when it was not, its problems are reported and no account counts as loaded. */
    readable: boolean;
}

const ACCOUNT_FILE = /^org_[a-z0-9]+\.conf$/;
/** Keys of the platform credential Secret, as tenancy writes them. */
const PLATFORM_SECRET_KEYS = new Set(["NATS_ACCOUNT", "NATS_CREDS", "NATS_NKEY_SEED", "NATS_URL"]);

/** Whether an entry is a key of the platform's credential Secret, as tenancy writes it. */
export function isPlatformCredential(e: DataEntry): boolean {
    return isKind(e.object, "Secret") && e.object.meta.name === NATS_PLATFORM_CREDENTIALS_SECRET && PLATFORM_SECRET_KEYS.has(e.key);
}

const where = (e: DataEntry) => `${describeObject(e.object)} key ${e.key}`;
const MAY_HOLD = "may hold only what tenancy renders: ConfigMaps with operator.conf or an account file <org id>.conf, and the Secret nats-platform-credentials; the server (or the sync that feeds its directory) may load any file there, so the pack refuses what it does not fully read";

// The declarations the cluster ends up with: a Patch (merged over its target by the stack index)
// supersedes the object it changes, so of one object only its patched form counts.
function effective(entries: DataEntry[]): DataEntry[] {
    const byObject = new Map<string, DataEntry[]>();
    for (const e of entries) {
        const id = `${e.object.kind}/${e.object.meta.namespace}/${e.object.meta.name}`;
        byObject.set(id, [...(byObject.get(id) ?? []), e]);
    }
    return [...byObject.values()].flatMap((same) => (same.some((e) => e.object.patch) ? same.filter((e) => e.object.patch) : same));
}

// Sorts the NATS namespaces' entries into the files the server loads, reporting anything else.
function files(natsEntries: DataEntry[], report: Report): { held: Map<string, DataEntry>; names: Set<string> } {
    const byName = new Map<string, DataEntry[]>();
    for (const e of natsEntries) {
        if (isUnknown(e.text)) continue; // reported with every unknown entry of the NATS namespaces
        if (isPlatformCredential(e)) continue;
        if (isKind(e.object, "ConfigMap") && (e.key === OPERATOR_CONF_KEY || ACCOUNT_FILE.test(e.key))) byName.set(e.key, [...(byName.get(e.key) ?? []), e]);
        else report(`${where(e)}: namespace ${e.object.meta.namespace} ${MAY_HOLD}.`, e.object.resource.urn);
    }
    const out = new Map<string, DataEntry>();
    for (const [name, all] of byName) {
        const held = effective(all);
        if (held.length === 1) out.set(name, held[0]);
        else for (const e of held) report(`${where(e)}: ${held.length} objects hold the file ${name} (${held.map((h) => describeObject(h.object)).join(", ")}); the pack cannot tell which the server loads, so each file must be declared once.`, e.object.resource.urn);
    }
    return { held: out, names: new Set(byName.keys()) };
}

// With operator.conf: exactly what the server loads from it, read as the server would.
function fromOperatorConf(held: Map<string, DataEntry>, view: ShardView, pins: NatsPins | undefined, report: Report): LoadedAccount[] | undefined {
    const texts = new Map([...held].map(([name, e]) => [name, e.text]));
    const read = readNatsServer(texts, OPERATOR_CONF_KEY, { elsewhere: new Set(view.elsewhereByFile.keys()) });
    if ("problems" in read) {
        for (const p of read.problems) {
            const e = held.get(p.file) ?? held.get(OPERATOR_CONF_KEY)!;
            report(`${where(e)}${p.line !== undefined ? `, line ${p.line}` : ""}: ${p.message}`, e.object.resource.urn);
        }
        return undefined;
    }
    const conf = held.get(OPERATOR_CONF_KEY)!;
    if (pins) {
        if (read.view.operator.sub !== pins.keys.operator) report(`${where(conf)}: it trusts operator ${read.view.operator.sub}, not the operator tenancy derives (${pins.keys.operator}); the server must trust only the stack's operator.`, conf.object.resource.urn);
        if (read.view.systemAccount !== pins.keys.system) report(`${where(conf)}: its system account is ${read.view.systemAccount}, not the system account tenancy derives (${pins.keys.system}); the system account sees every account's traffic.`, conf.object.resource.urn);
    }
    return [...read.view.accounts].map(([key, claims]) => {
        const e = held.get(read.view.accountFiles.get(key) ?? OPERATOR_CONF_KEY) ?? conf;
        return { key, claims, where: where(e), urn: e.object.resource.urn };
    });
}

// Without operator.conf (a shard): each account file on its own, signed by the pinned operator.
function fromAccountFiles(held: Map<string, DataEntry>, pins: NatsPins | undefined, report: Report): LoadedAccount[] {
    const out: LoadedAccount[] = [];
    for (const [name, e] of held) {
        const at = where(e);
        const read = readAccountFile(e.text);
        if ("problems" in read) {
            for (const p of read.problems) report(`${at}, ${p.message}`, e.object.resource.urn);
            continue;
        }
        const jwt = readNatsJwt(read.entry.jwt, "account");
        if ("problem" in jwt) report(`${at}, line ${read.entry.line}: the account JWT ${jwt.problem}.`, e.object.resource.urn);
        else if (jwt.claims.sub !== read.entry.key) report(`${at}, line ${read.entry.line}: it maps ${read.entry.key} to the JWT of account ${jwt.claims.sub}; the server would refuse it.`, e.object.resource.urn);
        else if (pins && jwt.claims.iss !== pins.keys.operator) report(`${at}: its account is signed by ${jwt.claims.iss}, not by the operator tenancy derives (${pins.keys.operator}), which the shared shard's server trusts.`, e.object.resource.urn);
        else if (name !== `${jwt.claims.name}.conf`) report(`${at}: it holds the account named "${jwt.claims.name}"; the file ${name} must hold the account of org id ${name.slice(0, -5)}.`, e.object.resource.urn);
        else out.push({ key: read.entry.key, claims: jwt.claims, where: at, urn: e.object.resource.urn });
    }
    return out;
}

/** Reads the NATS namespaces: the files the server loads, reporting everything the pack cannot accept. */
export function natsNamespaceView(entries: DataEntry[], config: GuardConfig, view: ShardView, pins: NatsPins | undefined, report: Report): NatsNamespaceView {
    const natsEntries = entries.filter((e) => config.natsNamespaces.includes(e.object.meta.namespace ?? ""));
    const { held, names } = files(natsEntries, report);
    const accountFiles = new Set([...names].filter((n) => n !== OPERATOR_CONF_KEY));
    const operatorConf = held.has(OPERATOR_CONF_KEY);
    const accounts = operatorConf ? fromOperatorConf(held, view, pins, report) : fromAccountFiles(held, pins, report);
    return { operatorConf, accounts: accounts ?? [], accountFiles, readable: accounts !== undefined };
}
