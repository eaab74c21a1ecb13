/**
 * Pure builders of the NATS side of a tenant: subjects, accounts, permissions, imports/exports,
 * limits, the server authorization document and the preview-known permission structure. No Pulumi
 * here, so the policy pack, the tests and the benchmark can use them without mocks.
 */
import { Prefix } from "nkeys.js";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { z } from "zod";
import {
    NatsSpecError,
    PERMISSION_STRUCTURE_VERSION,
    PLATFORM_ACCOUNT,
    PLATFORM_BROADCAST_SUBJECT,
    PLATFORM_STATUS_EXPORT,
    STATUS_LOCAL_SUBJECT,
    SUBJECT,
    natsAccountName,
    tenantSubjects,
} from "../contract";
import type { Plan, Tenant } from "../registry";
import { encodeNkeyPublic, encodeNkeySeed } from "./nkey-encoding";


const subjectSchema = z.string().regex(SUBJECT, { error: "must be a NATS subject" });
const subjectListSchema = z.array(subjectSchema);

/** Publish and subscribe allow-lists of a user (anything not listed is denied). */
export const natsPermissionsSchema = z.strictObject({
    /** Subjects the user may publish to. */
    publish: z.strictObject({ allow: subjectListSchema, allowResponses: z.boolean() }),
    /** Subjects the user may subscribe to. */
    subscribe: z.strictObject({ allow: subjectListSchema }),
});

/** An import of a subject exported by another account. */
export const natsImportSchema = z.strictObject({
    /** stream (messages flow in) or service (requests flow out). */
    kind: z.enum(["stream", "service"]),
    /** Exporting account. */
    account: z.string(),
    /** Subject in the exporting account. */
    subject: subjectSchema,
    /** Subject inside the importing account. */
    to: subjectSchema,
});

/** An export of an account. */
export const natsExportSchema = z.strictObject({
    /** stream or service. */
    kind: z.enum(["stream", "service"]),
    /** Exported subject (may contain wildcards). */
    subject: subjectSchema,
});

/** Per-account limits from the tenant's plan. */
export const natsLimitsSchema = z.strictObject({
    /** Concurrent client connections of the account. */
    maxConnections: z.number().int().nonnegative(),
    /** Subscriptions of the account. */
    maxSubscriptions: z.number().int().nonnegative(),
    /** Largest message payload in bytes. */
    maxPayload: z.number().int().nonnegative(),
});

/** The NATS account of one tenant, without its credential: known at preview. */
export const natsTenantAccountSchema = z.strictObject({
    /** Opaque org id of the tenant. */
    tenantId: z.string(),
    /** Slug of the tenant. */
    slug: z.string(),
    /** Plan the limits come from. */
    plan: z.string(),
    /** Account name (the org id). */
    account: z.string(),
    /** Subject prefix, `org.<slug>`. */
    subjectPrefix: subjectSchema,
    /** Inbox prefix, `_INBOX.<slug>`. */
    inboxPrefix: subjectSchema,
    /** Permissions of the tenant's user. */
    permissions: natsPermissionsSchema,
    /** Imports: the platform broadcast stream and the tenant's own status service. */
    imports: z.array(natsImportSchema),
    /** Exports: always empty; a tenant never offers subjects to other accounts. */
    exports: z.array(natsExportSchema),
    /** Limits from the plan. */
    limits: natsLimitsSchema,
    /**
     * Present only when the tenant is not active (suspended, or decommissioned on its way out):
     * the account stays, its user is not loaded, so nobody connects as it until it is active again.
     */
    lifecycle: z.enum(["suspended", "decommissioned"]).optional(),
});

/** The PLATFORM account, without its credential. */
export const natsPlatformAccountSchema = z.strictObject({
    /** Always PLATFORM. */
    account: z.literal(PLATFORM_ACCOUNT),
    /** Permissions of the platform's user. */
    permissions: natsPermissionsSchema,
    /** The broadcast stream and the status service. */
    exports: z.array(natsExportSchema),
    /** Always empty: per-tenant imports in PLATFORM made server start erratic at scale. */
    imports: z.array(natsImportSchema),
});

/**
 * Every account, subject, permission, import, export and limit of the NATS server, with no
 * credential: fully known during `pulumi preview`, read by the policy pack.
 */
export const natsPermissionStructureSchema = z.strictObject({
    /** Document version. */
    version: z.literal(PERMISSION_STRUCTURE_VERSION),
    /** The platform account. */
    platform: natsPlatformAccountSchema,
    /** One account per tenant, sorted by slug. */
    tenants: z.array(natsTenantAccountSchema),
});

/** Publish/subscribe permissions of a user. */
export type NatsPermissions = z.infer<typeof natsPermissionsSchema>;
/** An account import. */
export type NatsImport = z.infer<typeof natsImportSchema>;
/** An account export. */
export type NatsExport = z.infer<typeof natsExportSchema>;
/** Account limits. */
export type NatsLimits = z.infer<typeof natsLimitsSchema>;
/** One tenant's account without credential. */
export type NatsTenantAccount = z.infer<typeof natsTenantAccountSchema>;
/** The PLATFORM account without credential. */
export type NatsPlatformAccount = z.infer<typeof natsPlatformAccountSchema>;
/** The whole preview-known permission structure. */
export type NatsPermissionStructure = z.infer<typeof natsPermissionStructureSchema>;

/** Permissions of a tenant's user: its own subjects, its inbox, its status subject and platform broadcasts. */
export function tenantUserPermissions(slug: string): NatsPermissions {
    const s = tenantSubjects(slug);
    return {
        // allowResponses stays off: replies go to the tenant's own inbox, which it may publish to.
        publish: { allow: [s.all, s.inboxes, STATUS_LOCAL_SUBJECT], allowResponses: false },
        subscribe: { allow: [s.all, s.inboxes, PLATFORM_BROADCAST_SUBJECT] },
    };
}

/** Permissions of the platform's user: everything under `platform.`, its inboxes and replies to status requests. */
export function platformUserPermissions(): NatsPermissions {
    return {
        publish: { allow: ["platform.>"], allowResponses: true },
        subscribe: { allow: ["platform.>", "_INBOX.>"] },
    };
}

/** Limits of a tenant's account, straight from its plan. */
export function tenantLimits(plan: Pick<Plan, "nats">): NatsLimits {
    return { maxConnections: plan.nats.maxConnections, maxSubscriptions: plan.nats.maxSubscriptions, maxPayload: plan.nats.maxPayload };
}

/**
 * The NATS account of one tenant (everything but its credential), from the validated entry and
 * plan; a tenant that is not active (lifecycle absent counts as active) carries its lifecycle.
 */
export function tenantAccountSpec(tenant: Pick<Tenant, "id" | "slug" | "plan"> & { lifecycle?: string }, plan: Pick<Plan, "nats">): NatsTenantAccount {
    const s = tenantSubjects(tenant.slug);
    const inactive: Pick<NatsTenantAccount, "lifecycle"> = {};
    if (tenant.lifecycle === "suspended" || tenant.lifecycle === "decommissioned") inactive.lifecycle = tenant.lifecycle;
    return {
        tenantId: tenant.id,
        slug: tenant.slug,
        plan: tenant.plan,
        account: natsAccountName(tenant),
        subjectPrefix: s.prefix,
        inboxPrefix: s.inboxPrefix,
        permissions: tenantUserPermissions(tenant.slug),
        imports: [
            { kind: "stream", account: PLATFORM_ACCOUNT, subject: PLATFORM_BROADCAST_SUBJECT, to: PLATFORM_BROADCAST_SUBJECT },
            // The server rewrites the fixed local subject to the tenant's own status subject, so the
            // platform learns the sender from a token the tenant cannot choose.
            { kind: "service", account: PLATFORM_ACCOUNT, subject: s.platformStatus, to: STATUS_LOCAL_SUBJECT },
        ],
        exports: [],
        limits: tenantLimits(plan),
        ...inactive,
    };
}

/** The PLATFORM account: exports the broadcast stream and the status service, imports nothing. */
export function platformAccountSpec(): NatsPlatformAccount {
    return {
        account: PLATFORM_ACCOUNT,
        permissions: platformUserPermissions(),
        exports: [
            { kind: "stream", subject: PLATFORM_BROADCAST_SUBJECT },
            { kind: "service", subject: PLATFORM_STATUS_EXPORT },
        ],
        imports: [],
    };
}

/**
 * The permission structure of all tenants, sorted by slug so the same registry always gives the
 * same bytes; rejects duplicate slugs, ids and subject prefixes.
 */
export function permissionStructure(tenants: readonly NatsTenantAccount[]): NatsPermissionStructure {
    const sorted = [...tenants].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    const seen = new Map<string, string>();
    for (const t of sorted) {
        for (const [kind, value] of [["slug", t.slug], ["account", t.account], ["subject prefix", t.subjectPrefix], ["inbox prefix", t.inboxPrefix]] as const) {
            const key = `${kind}:${value}`;
            const other = seen.get(key);
            if (other !== undefined) throw new NatsSpecError(`tenants ${other} and ${t.tenantId} share the NATS ${kind} "${value}"; every tenant needs its own`);
            seen.set(key, t.tenantId);
        }
    }
    return natsPermissionStructureSchema.parse({ version: PERMISSION_STRUCTURE_VERSION, platform: platformAccountSpec(), tenants: sorted });
}

/** Public nkeys of the users: the platform's and one per tenant account. */
export interface NatsUserKeys {
    /** Public nkey (U…) of the platform's user. */
    platform: string;
    /** Public nkey (U…) of each tenant's user, by account name. */
    tenants: Readonly<Record<string, string>>;
}

function serverPermissions(p: NatsPermissions) {
    return {
        publish: { allow: p.publish.allow },
        subscribe: { allow: p.subscribe.allow },
        ...(p.publish.allowResponses ? { allow_responses: true } : {}),
    };
}

function serverImport(i: NatsImport) {
    return i.kind === "stream"
        ? { stream: { account: i.account, subject: i.subject }, ...(i.to !== i.subject ? { to: i.to } : {}) }
        : { service: { account: i.account, subject: i.subject }, to: i.to };
}

function serverExport(e: NatsExport) {
    return e.kind === "stream" ? { stream: e.subject } : { service: e.subject };
}

const USER_NKEY = /^U[A-Z2-7]{55}$/;

function userKey(owner: string, key: string | undefined): string {
    if (key === undefined) throw new NatsSpecError(`no user nkey for ${owner}`);
    if (!USER_NKEY.test(key)) throw new NatsSpecError(`the user nkey of ${owner} is not a public user nkey (U followed by 55 base32 characters)`);
    return key;
}

/**
 * One tenant's account as nats-server reads it: its nkey user with permissions, its imports and its
 * plan's limits. A tenant that is not active keeps the account but no user: on reload the server
 * closes the connections of a user it no longer has and refuses new ones, while the credential in
 * the tenant's Secret stays as it is and works again once the tenant is active.
 */
export function serverTenantAccount(account: NatsTenantAccount, nkey: string) {
    const user = { nkey: userKey(`tenant ${account.tenantId}`, nkey), permissions: serverPermissions(account.permissions) };
    return {
        users: account.lifecycle ? [] : [user],
        imports: account.imports.map(serverImport),
        limits: { max_connections: account.limits.maxConnections, max_subscriptions: account.limits.maxSubscriptions, max_payload: account.limits.maxPayload },
    };
}

/** The PLATFORM account as nats-server reads it: its nkey user and its exports, no imports. */
export function serverPlatformAccount(account: NatsPlatformAccount, nkey: string) {
    return {
        users: [{ nkey: userKey(PLATFORM_ACCOUNT, nkey), permissions: serverPermissions(account.permissions) }],
        exports: account.exports.map(serverExport),
    };
}

/**
 * The server's authorization document (`{"accounts": {...}}`), exactly what the main nats-server
 * config `include`s: one account per tenant with one nkey user, the PLATFORM account, account
 * limits. Holds public keys only.
 */
export function authorizationDocument(structure: NatsPermissionStructure, keys: NatsUserKeys) {
    const accounts: Record<string, unknown> = {};
    accounts[structure.platform.account] = serverPlatformAccount(structure.platform, keys.platform);
    const used = new Set([keys.platform]);
    for (const t of structure.tenants) {
        const nkey = userKey(`tenant ${t.tenantId}`, keys.tenants[t.account]);
        // One nkey in two accounts would let the server pick either: refuse rather than guess (a
        // suspended tenant's key counts too: it comes back when the tenant does).
        if (used.has(nkey)) throw new NatsSpecError(`the user nkey of tenant ${t.tenantId} is already used by another account`);
        used.add(nkey);
        accounts[t.account] = serverTenantAccount(t, nkey);
    }
    const known = new Set(structure.tenants.map((t) => t.account));
    const extra = Object.keys(keys.tenants).filter((account) => !known.has(account));
    if (extra.length > 0) throw new NatsSpecError(`user nkeys given for unknown accounts: ${extra.sort().join(", ")}`);
    return { accounts };
}

/** Serializes a document as compact JSON with a trailing newline; key order is the builders' fixed order. */
export function renderJson(document: unknown): string {
    return `${JSON.stringify(document)}\n`;
}

/** The `auth.json` text for the structure and keys. */
export function renderAuthorization(structure: NatsPermissionStructure, keys: NatsUserKeys): string {
    return renderJson(authorizationDocument(structure, keys));
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A stand-in public user nkey, distinct per index and as long as a real one, for sizing auth.json before keys exist. */
export function placeholderUserNkey(index: number): string {
    let digits = "";
    for (let n = index; n > 0; n = Math.floor(n / 32)) digits = BASE32[n % 32] + digits;
    return `U${digits.padStart(55, "A")}`;
}

/**
 * Exact byte size of `auth.json` for the structure: public nkeys have a fixed length, so it is
 * computable at preview while new keys are still unknown.
 */
export function authorizationSize(structure: NatsPermissionStructure): number {
    const tenants = Object.fromEntries(structure.tenants.map((t, i) => [t.account, placeholderUserNkey(i + 1)]));
    return Buffer.byteLength(renderAuthorization(structure, { platform: placeholderUserNkey(0), tenants }));
}

/** A user nkey: the seed (secret) and its public key. */
export interface UserNkey {
    /** Encoded seed, `SU…`; whoever holds it can connect as the user. */
    seed: string;
    /** Public key, `U…`; goes into the server config. */
    publicKey: string;
}

// PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows it.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * Derives a user nkey deterministically from 32 random bytes (standard base64, as RandomBytes gives
 * them): the bytes are the Ed25519 seed, encoded with the nkeys codec. The public key comes from
 * Node's native Ed25519 (about 6× faster than nkeys.js's pure-JS curve, which matters at 1,000 tenants per preview).
 */
export function userNkeyFromBase64(base64: string): UserNkey {
    const raw = Buffer.from(base64, "base64");
    if (raw.length !== 32) throw new NatsSpecError(`an nkey needs exactly 32 random bytes, got ${raw.length}`);
    const seed = encodeNkeySeed(Prefix.User, new Uint8Array(raw));
    const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw]), format: "der", type: "pkcs8" });
    const publicRaw = createPublicKey(privateKey).export({ format: "der", type: "spki" }).subarray(-32);
    const publicKey = encodeNkeyPublic(Prefix.User, new Uint8Array(publicRaw));
    return { seed, publicKey };
}

/**
 * Reads a `permissions.json` text (e.g. from the ConfigMap's inputs in a policy) into the structure,
 * or returns every problem as "path: message" lines; never throws.
 */
export function parsePermissionStructure(text: string): { structure?: NatsPermissionStructure; problems: string[] } {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (error) {
        return { problems: [`(document): not JSON: ${(error as Error).message}`] };
    }
    const result = natsPermissionStructureSchema.safeParse(raw);
    if (result.success) return { structure: result.data, problems: [] };
    return { problems: result.error.issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`) };
}
