// Where NATS configuration is declared: any ConfigMap or Secret, any namespace, any key, read as
// the server would read it.
import { describeObject, isKind } from "./objects";
import { parseNatsConf } from "./nats-conf";
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
    /** Server configurations (accounts documents). */
    servers: FoundServerConfig[];
    /** Credential-free permission structures (`tenants` and `platform`), as the program publishes them. */
    structures: { where: string; object: StackObject; value: Record<string, unknown> }[];
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
const MENTIONS = /accounts|authorization|no_auth_user|system_account|operator|resolver|trusted|"tenants"/i;
// Text that is surely meant as server configuration, so failing to read it is a violation.
const CONFIG_LIKE = /\b(accounts|authorization)\s*[:={]/i;

/** Finds every NATS server configuration and permission structure among the data entries. */
export function natsDeclarations(entries: DataEntry[]): NatsDeclarations {
    const found: NatsDeclarations = { servers: [], structures: [], unreadable: [], unknown: [] };
    for (const entry of entries) {
        const where = `${describeObject(entry.object)} key ${entry.key}`;
        if (isUnknown(entry.text)) {
            found.unknown.push(entry);
            continue;
        }
        if (!MENTIONS.test(entry.text)) continue;
        let parsed;
        try {
            parsed = parseNatsConf(entry.text);
        } catch (error) {
            if (CONFIG_LIKE.test(entry.text) || /\.(conf|json)$/.test(entry.key)) found.unreadable.push({ where, object: entry.object, why: `does not parse (${(error as Error).message})` });
            continue;
        }
        const doc = parsed.value;
        if (Array.isArray(field(doc, "tenants")) && field(doc, "platform") !== undefined) {
            found.structures.push({ where, object: entry.object, value: doc });
            continue;
        }
        if (!SERVER_KEYS.some((key) => field(doc, key) !== undefined)) continue;
        const model = serverModel(doc);
        for (const path of parsed.includes) model.problems.push(`it includes "${path}", which the pack cannot read`);
        for (const name of parsed.unresolved) model.problems.push(`it uses $${name}, which it does not define`);
        found.servers.push({ where, object: entry.object, model });
    }
    return found;
}
