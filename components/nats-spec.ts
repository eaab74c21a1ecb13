/**
 * Pure builders of the NATS side of a tenant, independent of how the server is configured:
 * subjects, accounts, permissions, imports/exports and limits. The operator-mode documents (account
 * JWTs, operator.conf) are built from them in nats-jwt.ts and nats-server-config.ts. No Pulumi here,
 * so the policy pack, the tests and the benchmark can use them without mocks.
 */
import { z } from "zod";
import {
    NatsSpecError,
    PLATFORM_ACCOUNT,
    PLATFORM_BROADCAST_SUBJECT,
    PLATFORM_STATUS_EXPORT,
    STATUS_LOCAL_SUBJECT,
    SUBJECT,
    natsAccountName,
    tenantSubjects,
} from "../contract";
import type { Plan, Tenant } from "../registry";


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
     * the account and its user stay, but the account admits no connection until it is active again.
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

/** Every account, subject, permission, import, export and limit of the NATS server, with no credential. */
export const natsPermissionStructureSchema = z.strictObject({
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
/** Every account of the server, without credentials. */
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
    return natsPermissionStructureSchema.parse({ platform: platformAccountSpec(), tenants: sorted });
}

// The operator-mode documents live in nats-jwt.ts and nats-server-config.ts; this file stays their entry point.
export {
    CONF_HEADER,
    operatorConfSize,
    parseAccountConf,
    renderAccountConf,
    renderOperatorConf,
    userNkeyFromBase64,
} from "./nats-server-config";
export type { OperatorConfInput } from "./nats-server-config";
