// Where NATS configuration is declared: any ConfigMap or Secret, any namespace, any key, read as
// the server would read it (includes resolved among the NATS namespaces' objects), and every NATS
// JWT wherever it appears.
import * as path from "node:path";
import type { GuardConfig } from "./config";
import { describeObject, isKind } from "./objects";
import { parseNatsConf, type IncludeResolver } from "./nats-conf";
import { field, SERVER_KEYS, serverModel, type NatsServerModel } from "./nats-model";
import type { StackIndex, StackObject } from "./stack-index";
import { isUnknown } from "./unknowns";

/** One data entry of a ConfigMap or Secret. */
export interface DataEntry {
    /** The object. */
    object: StackObject;
    /** Its key. */
    key: string;
    /** Its text (decoded from base64 where the field is), or UNKNOWN. */
    text: string;
}

/** A server configuration found in the stack. */
export interface FoundServerConfig {
    /** Where: `ConfigMap "nats/nats-accounts" key auth.json`. */
    where: string;
    /** The object holding it. */
    object: StackObject;
    /** What it says. */
    model: NatsServerModel;
}

/** What the stack declares of NATS configuration. */
export interface NatsDeclarations {
    /** Server configurations (accounts documents, operator mode). */
    servers: FoundServerConfig[];
    /** Every NATS JWT (header alg ed25519 or ed25519-nkey) in any ConfigMap or Secret, where it first appears. */
    jwts: { where: string; object: StackObject; jwt: string }[];
    /** Entries that look like configuration but cannot be read, with why. */
    unreadable: { where: string; object: StackObject; why: string }[];
    /** Entries unknown during preview. */
    unknown: DataEntry[];
}

/** Every data entry of every ConfigMap and Secret, base64 fields decoded. */
export function dataEntries(index: StackIndex): DataEntry[] {
    const out: DataEntry[] = [];
    for (const object of index.objects) {
        const secret = isKind(object, "Secret");
        if (!secret && !isKind(object, "ConfigMap")) continue;
        const fields: [string, boolean][] = secret ? [["stringData", false], ["data", true]] : [["data", false], ["binaryData", true]];
        for (const [name, base64] of fields) {
            const map = object.body[name];
            if (isUnknown(map)) out.push({ object, key: `(all of ${name})`, text: map as string });
            if (!map || typeof map !== "object" || Array.isArray(map)) continue;
            for (const [key, value] of Object.entries(map)) {
                if (isUnknown(value)) out.push({ object, key, text: value as string });
                else if (typeof value === "string") out.push({ object, key, text: base64 ? Buffer.from(value, "base64").toString("utf8") : value });
            }
        }
    }
    return out;
}

// Cheap test before parsing: a configuration names one of these.
const MENTIONS = /accounts|authorization|no_auth_user|system_account|operator|resolver|trusted/i;
const JWT = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;

/** Whether a JWT's header says it is a NATS one (signed with an nkey). */
export function isNatsJwt(jwt: string): boolean {
    try {
        const header = JSON.parse(Buffer.from(jwt.split(".")[0], "base64url").toString("utf8")) as { alg?: unknown };
        return header.alg === "ed25519-nkey" || header.alg === "ed25519";
    } catch {
        return false;
    }
}

// An include names a file next to the including one; the stack's objects in the NATS namespaces are
// what a deployment puts there (a projected volume, a sync sidecar), so the file is the data key of
// that name in exactly one of them.
// A file no object holds is one another stack declares when it is the account file of a registry
// tenant of another shard (or outside a partial plan): its stack's pack checks it, so it reads as empty here.
function includeResolver(entries: DataEntry[], config: Pick<GuardConfig, "natsNamespaces">, elsewhere: ReadonlyMap<string, unknown>): IncludeResolver {
    const byKey = new Map<string, DataEntry[]>();
    for (const e of entries.filter((x) => config.natsNamespaces.includes(x.object.meta.namespace ?? ""))) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
    const namespaces = config.natsNamespaces.join(", ");
    return (file) => {
        const found = byKey.get(path.basename(file)) ?? [];
        // Only a plain file name: a path could make the server read a file no stack declares.
        if (found.length === 0 && file === path.basename(file) && elsewhere.has(file)) return { text: "" };
        if (found.length === 0) return { problem: `which no ConfigMap or Secret in namespace ${namespaces} holds` };
        if (found.length > 1) return { problem: `which ${found.length} objects hold (${found.map((e) => describeObject(e.object)).join(", ")}): the pack cannot tell which the server loads` };
        if (isUnknown(found[0].text)) return { problem: `which is unknown during preview (${describeObject(found[0].object)})` };
        return { text: found[0].text };
    };
}
// Text that is surely meant as server configuration, so failing to read it is a violation.
const CONFIG_LIKE = /\b(accounts|authorization)\s*[:={]/i;

/**
 * Finds every NATS server configuration and NATS JWT among the data entries; `elsewhere` names the
 * account files (by file name) that other stacks declare.
 */
export function natsDeclarations(entries: DataEntry[], config: Pick<GuardConfig, "natsNamespaces">, elsewhere: ReadonlyMap<string, unknown> = new Map()): NatsDeclarations {
    const found: NatsDeclarations = { servers: [], jwts: [], unreadable: [], unknown: [] };
    const resolve = includeResolver(entries, config, elsewhere);
    const seen = new Set<string>();
    for (const entry of entries) {
        const where = `${describeObject(entry.object)} key ${entry.key}`;
        if (isUnknown(entry.text)) {
            found.unknown.push(entry);
            continue;
        }
        for (const [jwt] of entry.text.matchAll(JWT)) {
            if (seen.has(jwt) || !isNatsJwt(jwt)) continue;
            seen.add(jwt);
            found.jwts.push({ where, object: entry.object, jwt });
        }
        if (!MENTIONS.test(entry.text)) continue;
        let parsed;
        try {
            parsed = parseNatsConf(entry.text, resolve);
        } catch (error) {
            if (CONFIG_LIKE.test(entry.text) || /\.(conf|json)$/.test(entry.key)) found.unreadable.push({ where, object: entry.object, why: `does not parse (${(error as Error).message})` });
            continue;
        }
        const doc = parsed.value;
        if (!SERVER_KEYS.some((key) => field(doc, key) !== undefined)) continue;
        const model = serverModel(doc);
        for (const include of parsed.includes) model.problems.push(`it includes ${include}`);
        for (const name of parsed.unresolved) model.problems.push(`it uses $${name}, which it does not define`);
        found.servers.push({ where, object: entry.object, model });
    }
    return found;
}
