// The data the NATS checks read: every entry of every ConfigMap and Secret (base64 fields decoded),
// every NATS JWT wherever it lies (in any encoding the seed scan decodes), and NATS server
// configuration outside the NATS namespaces (which the pack never accepts).
import type { GuardConfig } from "./config";
import { parseNatsConf } from "./nats-conf";
import { textLayers } from "./nats-seeds";
import { describeObject, isKind } from "./objects";
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

// A match starts only where a run of base64url characters starts, so each run is scanned once (linear).
const TOKEN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g;

// The claimed NATS type of a token, read leniently (any key case, the last of duplicates) so that a
// JWT the strict reader refuses is still found; undefined for a token that is no NATS JWT at all.
function looseNatsType(token: string): string | undefined {
    const [header, payload] = token.split(".");
    try {
        const h = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>;
        const p = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
        const nkey = Object.entries(h).some(([k, v]) => k.toLowerCase() === "alg" && /ed25519/i.test(String(v)));
        const nats = Object.entries(p).filter(([k]) => k.toLowerCase() === "nats").map(([, v]) => v);
        if (!nkey && nats.length === 0) return undefined;
        for (const n of nats) {
            const type = n && typeof n === "object" ? Object.entries(n).find(([k]) => k.toLowerCase() === "type")?.[1] : undefined;
            if (typeof type === "string") return type.toLowerCase();
        }
        return "unknown";
    } catch {
        return undefined;
    }
}

/** Every NATS JWT in texts decoded by {@link textLayers}, whose loosely claimed type is `type` or cannot be told. */
export function natsJwtsInTexts(texts: Iterable<string>, type: "user" | "account" | "operator"): string[] {
    const found = new Set<string>();
    for (const text of texts) {
        if (!text.includes(".")) continue;
        for (const [token] of text.matchAll(TOKEN)) {
            const claimed = looseNatsType(token);
            if (claimed === type || claimed === "unknown") found.add(token);
        }
    }
    return [...found];
}

// Top-level keys that make a document a nats-server configuration (any case, as the server reads keys).
const SERVER_KEYS = ["accounts", "authorization", "no_auth_user", "system_account", "operator", "resolver", "account_resolver", "resolver_preload", "trusted", "trusted_keys"];
const MENTIONS = new RegExp(SERVER_KEYS.join("|"), "i");

/**
 * Reports NATS server configuration outside the NATS namespaces: the pack reads server
 * configuration only where the server loads it, strictly; this is a detector (it over-reads), never
 * a reader that accepts anything.
 */
export function checkConfigElsewhere(entries: DataEntry[], config: GuardConfig, report: (message: string, urn?: string) => void): void {
    for (const e of entries) {
        if (config.natsNamespaces.includes(e.object.meta.namespace ?? "") || isUnknown(e.text) || !MENTIONS.test(e.text)) continue;
        let keys: string[];
        try {
            keys = Object.keys(parseNatsConf(e.text).value).map((k) => k.toLowerCase());
        } catch {
            continue;
        }
        const found = keys.filter((k) => SERVER_KEYS.includes(k));
        if (found.length === 0) continue;
        report(
            `${describeObject(e.object)} key ${e.key} is a NATS server configuration (${found.join(", ")}) outside namespace ${config.natsNamespaces.join(", ")}; the only server configuration the pack accepts is operator.conf and the account files in the NATS namespace, exactly as tenancy renders them.`,
            e.object.resource.urn,
        );
    }
}
