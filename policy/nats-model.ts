// A NATS server configuration as the checks read it: accounts, their users (nkey or password),
// permissions, imports and exports, whatever spelling the document used.
import { arrayOf } from "./helpers";
import { isUnknown } from "./unknowns";

/** Publish or subscribe permissions of a user; `allow` undefined means every subject. */
export interface NatsPerm {
    /** Allowed subjects; undefined when the user may use every subject. */
    allow?: string[];
    /** The permission is unknown during preview. */
    unknown?: boolean;
}

/** One user of an account. */
export interface NatsUserModel {
    /** Public nkey (U…). */
    nkey?: string;
    /** User name of a password user. */
    user?: string;
    /** Publish permissions. */
    publish: NatsPerm;
    /** Subscribe permissions. */
    subscribe: NatsPerm;
}

/** An import: where the subject comes from and the subject it appears as inside the account. */
export interface NatsImportModel {
    /** stream, service, or what the document says instead. */
    kind: string;
    /** Exporting account. */
    account: string;
    /** Subject in the exporting account. */
    subject: string;
    /** Subject inside the importing account. */
    to: string;
}

/** One account. */
export interface NatsAccountModel {
    /** Account name. */
    name: string;
    /** Its users. */
    users: NatsUserModel[];
    /** Its imports. */
    imports: NatsImportModel[];
    /** Its exports. */
    exports: { kind: string; subject: string }[];
}

/** A server configuration: accounts, global users and the settings that can hand an account to anyone. */
export interface NatsServerModel {
    /** Accounts by name. */
    accounts: Map<string, NatsAccountModel>;
    /** Users of the global `authorization` block (the default account). */
    globalUsers: NatsUserModel[];
    /** `no_auth_user`: the user every unauthenticated client becomes. */
    noAuthUser?: string;
    /** `system_account`. */
    systemAccount?: string;
    /** Operator mode: the `operator` JWTs (the server trusts them) and the accounts its resolver preloads. */
    operatorMode?: {
        /** Each `operator` value, as written (a JWT, or a path the pack cannot read). */
        operators: string[];
        /** `resolver_preload`: account public key → account JWT text. */
        preload: Array<{ key: string; jwt: string }>;
    };
    /** Parts the pack cannot read: unknown values, resolvers whose accounts live elsewhere. */
    problems: string[];
}

/** A value of a map by key, compared case-insensitively as nats-server compares its keys. */
export function field(map: unknown, name: string): unknown {
    if (!map || typeof map !== "object" || Array.isArray(map) || isUnknown(map)) return undefined;
    const key = Object.keys(map).find((k) => k.toLowerCase() === name);
    return key === undefined ? undefined : (map as Record<string, unknown>)[key];
}

function text(value: unknown): string {
    return isUnknown(value) ? "(unknown)" : typeof value === "string" ? value : JSON.stringify(value ?? "");
}

function perm(value: unknown): NatsPerm {
    if (isUnknown(value)) return { unknown: true };
    if (value === undefined || value === null) return {};
    if (typeof value === "string") return { allow: [value] };
    if (Array.isArray(value)) return { allow: value.map(text) };
    const allow = field(value, "allow");
    if (isUnknown(allow)) return { unknown: true };
    // Only `deny` means "everything else": it never narrows what the checks must assume.
    return allow === undefined ? {} : { allow: (typeof allow === "string" ? [allow] : arrayOf(allow)).map(text) };
}

/** Reads one user entry. */
export function userModel(value: unknown, problems: string[], where: string): NatsUserModel {
    if (isUnknown(value)) problems.push(`${where} is unknown during preview`);
    const permissions = field(value, "permissions");
    if (isUnknown(permissions)) problems.push(`the permissions of ${where} are unknown during preview`);
    const nkey = field(value, "nkey");
    const user = field(value, "user") ?? field(value, "username");
    if (isUnknown(nkey) || isUnknown(user)) problems.push(`the identity of ${where} is unknown during preview`);
    return {
        ...(typeof nkey === "string" ? { nkey } : {}),
        ...(typeof user === "string" ? { user } : {}),
        publish: isUnknown(permissions) ? { unknown: true } : perm(field(permissions, "publish") ?? field(permissions, "pub")),
        subscribe: isUnknown(permissions) ? { unknown: true } : perm(field(permissions, "subscribe") ?? field(permissions, "sub")),
    };
}

function importModel(value: unknown): NatsImportModel {
    const stream = field(value, "stream");
    const service = field(value, "service");
    const source = stream ?? service;
    const subject = text(field(source, "subject"));
    const to = field(value, "to");
    const prefix = field(value, "prefix");
    const local = to !== undefined ? text(to) : prefix !== undefined ? `${text(prefix)}.${subject}` : subject;
    return { kind: stream !== undefined ? "stream" : service !== undefined ? "service" : "import", account: text(field(source, "account")), subject, to: local };
}

function exportModel(value: unknown): { kind: string; subject: string } {
    const stream = field(value, "stream");
    return stream !== undefined ? { kind: "stream", subject: text(stream) } : { kind: "service", subject: text(field(value, "service")) };
}

/** Reads one account block. */
export function accountModel(name: string, block: unknown, problems: string[]): NatsAccountModel {
    for (const key of ["users", "imports", "exports"]) {
        if (isUnknown(field(block, key))) problems.push(`the ${key} of account "${name}" are unknown during preview`);
    }
    return {
        name,
        users: arrayOf(field(block, "users")).map((u, i) => userModel(u, problems, `user ${i + 1} of account "${name}"`)),
        imports: arrayOf(field(block, "imports")).map(importModel),
        exports: arrayOf(field(block, "exports")).map(exportModel),
    };
}

/** Keys that make a document a server configuration the checks must read. */
export const SERVER_KEYS = ["accounts", "authorization", "no_auth_user", "system_account", "operator", "resolver", "resolver_preload", "trusted", "trusted_keys"];

/** Reads a parsed server configuration into the model. */
export function serverModel(doc: Record<string, unknown>): NatsServerModel {
    const problems: string[] = [];
    const accounts = new Map<string, NatsAccountModel>();
    const block = field(doc, "accounts");
    if (isUnknown(block)) problems.push("its accounts are unknown during preview");
    else if (block && typeof block === "object" && !Array.isArray(block)) {
        for (const [name, value] of Object.entries(block)) accounts.set(name, accountModel(name, value, problems));
    }
    for (const key of ["trusted", "trusted_keys"]) {
        if (field(doc, key) !== undefined) problems.push(`it sets ${key}: operators trusted by key alone, whose account JWTs the pack cannot find`);
    }
    const operatorMode = operatorModel(doc, problems);
    const authorization = field(doc, "authorization");
    const globalUsers = arrayOf(field(authorization, "users")).map((u, i) => userModel(u, problems, `global user ${i + 1}`));
    const noAuthUser = field(doc, "no_auth_user");
    const systemAccount = field(doc, "system_account");
    return {
        accounts,
        globalUsers,
        ...(noAuthUser !== undefined ? { noAuthUser: text(noAuthUser) } : {}),
        ...(systemAccount !== undefined ? { systemAccount: text(systemAccount) } : {}),
        ...(operatorMode ? { operatorMode } : {}),
        problems,
    };
}

// Operator mode as the pack can read it: operator JWTs inline and a MEMORY resolver with preloaded
// account JWTs; any other resolver keeps the accounts where the pack cannot see them.
function operatorModel(doc: Record<string, unknown>, problems: string[]): NatsServerModel["operatorMode"] {
    const operator = field(doc, "operator");
    const resolver = field(doc, "resolver");
    const preload = field(doc, "resolver_preload");
    if (operator === undefined && resolver === undefined && preload === undefined) return undefined;
    const operators = (Array.isArray(operator) ? operator : operator === undefined ? [] : [operator]).map(text);
    if (operators.length === 0) problems.push("it sets a resolver but no operator");
    for (const o of operators) if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(o)) problems.push(`its operator is ${o === "(unknown)" ? "unknown during preview" : `"${o}", not an inline JWT the pack can read`}`);
    if (isUnknown(resolver) || typeof resolver !== "string" || resolver.trim().toUpperCase() !== "MEMORY") {
        problems.push(`its resolver is ${resolver === undefined ? "not set" : text(resolver)}: accounts must be preloaded into a MEMORY resolver, the only one whose accounts the pack can read`);
    }
    const entries: Array<{ key: string; jwt: string }> = [];
    if (isUnknown(preload)) problems.push("its resolver_preload is unknown during preview");
    else if (preload !== undefined && (typeof preload !== "object" || Array.isArray(preload) || preload === null)) problems.push("its resolver_preload is not a map of account public key to account JWT");
    else for (const [key, jwt] of Object.entries((preload ?? {}) as Record<string, unknown>)) entries.push({ key, jwt: text(jwt) });
    return { operators, preload: entries };
}
