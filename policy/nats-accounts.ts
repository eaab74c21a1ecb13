// What every account the server loads must be, judged by its strictly read claims against the pinned
// keys and the registry: a tenant's account has the key tenancy derives for its org id, one scoped
// signing key (the derived one), permissions within its own subjects, imports from the pinned
// PLATFORM account only, no exports, its plan's limits, no leaf or bearer connections, and no
// connection at all while it is not active. The system and PLATFORM accounts import nothing.
import { PLATFORM_ACCOUNT, SYSTEM_ACCOUNT } from "../contract";
import type { GuardConfig } from "./config";
import type { AccountClaims } from "./nats-claims";
import { importExportProblems, permProblems, type NatsPerm, type NatsTenants } from "./nats-checks";
import { describePinned, type NatsPins } from "./nats-pins";
import type { RegistryView } from "./tenant-registry";

type PermList = { allow?: string[]; deny?: string[] } | undefined;

// No allow list (or an empty one) lets a user use every subject; a deny list never narrows what must be assumed.
function perm(p: PermList): NatsPerm {
    return p?.allow && p.allow.length > 0 ? { allow: p.allow } : {};
}

/** The slug-level view of the tenants the rule checks. */
export type AccountTenants = NatsTenants;

function allowedOf(slug: string, config: GuardConfig): { allowed: string[]; platform: string[]; rule: string } {
    const platform = config.platformNatsSubjects.map((s) => s.split("{slug}").join(slug));
    const allowed = [`org.${slug}.>`, `_INBOX.${slug}.>`, ...platform];
    return { allowed, platform, rule: `; tenant ${slug} may use only ${allowed.join(", ")}.` };
}

function permissionProblems(claims: AccountClaims, slug: string, who: string, signing: string, config: GuardConfig, tenants: NatsTenants): string[] {
    const { allowed, rule } = allowedOf(slug, config);
    const problems: string[] = [];
    const keys = claims.nats.signing_keys ?? [];
    if (keys.length === 0) problems.push(`${who} has no scoped signing key, so its users carry whatever permissions their own JWTs say; a tenant's users must come from its scoped signing key ${signing}.`);
    const scopes: Array<[string, { pub?: PermList; sub?: PermList; resp?: unknown } | undefined]> = [["default permissions", claims.nats.default_permissions]];
    for (const key of keys) {
        if (typeof key === "string") {
            problems.push(`${who} has the unscoped signing key ${key}: users it issues carry whatever permissions their own JWTs say; a tenant's users must come from a scoped signing key.`);
            continue;
        }
        if (key.key !== signing) problems.push(`${who} has the signing key ${key.key}, which is not the key tenancy derives for it (${signing}): whoever holds its seed can issue users of tenant ${slug}'s account; the account must have exactly its derived scoped signing key.`);
        scopes.push([`users of signing key ${key.key}`, key.template]);
    }
    for (const [whose, template] of scopes) {
        const w = `${who} (${whose})`;
        problems.push(...permProblems(w, "publish", perm(template?.pub), allowed, rule, slug, tenants));
        problems.push(...permProblems(w, "subscribe", perm(template?.sub), allowed, rule, slug, tenants));
        if (template?.resp !== undefined) problems.push(`${w} may answer requests on their reply subjects, wherever they are${rule}`);
    }
    return problems;
}

function limitProblems(claims: AccountClaims, who: string, plan: { name: string; nats: { maxConnections: number; maxSubscriptions: number; maxPayload: number } }, lifecycle: string): string[] {
    const limits = claims.nats.limits;
    const problems: string[] = [];
    const ceiling = (value: number, key: string, what: string, max: number) => {
        if (value < 0 || value > max) problems.push(`${who} allows ${value < 0 ? "unlimited" : value} ${what} (limits.${key}); plan ${plan.name} allows ${max}.`);
    };
    if (lifecycle !== "active") {
        if (limits.conn !== 0) problems.push(`${who} admits ${limits.conn < 0 ? "unlimited" : limits.conn} connections (limits.conn) while the tenant is ${lifecycle}; a tenant that is not active must admit no connection (limits.conn 0).`);
    } else ceiling(limits.conn, "conn", "connections", plan.nats.maxConnections);
    ceiling(limits.subs, "subs", "subscriptions", plan.nats.maxSubscriptions);
    ceiling(limits.payload, "payload", "bytes of payload", plan.nats.maxPayload);
    if (limits.leaf !== 0) problems.push(`${who} admits ${limits.leaf < 0 ? "unlimited" : limits.leaf} leaf node connections (limits.leaf); a leaf node carries the account to another server, so a tenant account must set limits.leaf 0.`);
    if (limits.exports !== 0) problems.push(`${who} allows ${limits.exports < 0 ? "unlimited" : limits.exports} exports (limits.exports); a tenant account must set limits.exports 0.`);
    if (limits.disallow_bearer !== true) problems.push(`${who} does not set limits.disallow_bearer: a user JWT without its seed (a bearer token) could connect; a tenant account must refuse bearer users.`);
    return problems;
}

/** Everything wrong with the account JWT loaded under `key` and named `claims.name` that claims to be tenant `id`'s. */
export function tenantAccountProblems(key: string, claims: AccountClaims, id: string, slug: string, pins: NatsPins, registry: RegistryView, config: GuardConfig, tenants: NatsTenants): string[] {
    const who = `NATS account "${claims.name}" of tenant ${slug}`;
    const own = pins.keys.tenants[id];
    if (!own) return [`${who}: the pack configuration's natsKeys has no keys for org id ${id}, so the pack cannot tell whether this is the account tenancy derives; regenerate the pack configuration with \`tenancy pack-config\`.`];
    const problems: string[] = [];
    if (key !== own.account) problems.push(`${who} has the key ${key}, not the key tenancy derives for org id ${id} (${own.account}); a tenant's account must be the one derived from the master key.`);
    if (claims.name !== id) problems.push(`the account ${key} of tenant ${slug} is named "${claims.name}", not its org id "${id}".`);
    const names = (account: string) => (account === pins.keys.platform.account ? config.platformNatsAccount : (pins.byKey.get(account)?.owner ?? account));
    const model = {
        name: claims.name,
        imports: (claims.nats.imports ?? []).map((i) => ({ kind: i.type, account: names(i.account), subject: i.subject, to: i.local_subject ?? i.subject })),
        exports: (claims.nats.exports ?? []).map((e) => ({ kind: e.type, subject: e.subject })),
    };
    problems.push(...importExportProblems(model, slug, config, tenants));
    problems.push(...permissionProblems(claims, slug, who, own.signing, config, tenants));
    const entry = registry.byId.get(id);
    if (!entry) problems.push(`${who}: org id ${id} is not in the registry at ${registry.dir}${registry.problem ? ` (${registry.problem})` : ""}, so its plan's limits cannot be checked.`);
    else problems.push(...limitProblems(claims, who, { name: entry.tenant.plan, nats: entry.plan.nats }, entry.tenant.lifecycle ?? "active"));
    return problems;
}

/** Problems of the system or PLATFORM account: the pinned key, the name, and nothing imported (nor, for SYS, exported or delegated). */
export function platformAccountProblems(key: string, claims: AccountClaims, pins: NatsPins): string[] {
    const pinned = pins.byKey.get(key);
    const system = key === pins.keys.system;
    const platform = key === pins.keys.platform.account;
    if (!system && !platform) {
        const whose = pinned ? ` (${describePinned(pinned)})` : "";
        return [`NATS account "${claims.name}" (${key})${whose} is not an account tenancy derives for this stack: the server may load only the system account, the ${PLATFORM_ACCOUNT} account and each registry tenant's own account.`];
    }
    const name = system ? SYSTEM_ACCOUNT : PLATFORM_ACCOUNT;
    const who = `the ${name} account (${key})`;
    const problems: string[] = [];
    if (claims.name !== name) problems.push(`${who} is named "${claims.name}", not "${name}".`);
    if ((claims.nats.imports ?? []).length > 0) problems.push(`${who} imports ${claims.nats.imports!.map((i) => `"${i.subject}" from ${i.account}`).join(", ")}; the ${name} account imports nothing, so no tenant's subjects reach it.`);
    if (system && ((claims.nats.exports ?? []).length > 0 || (claims.nats.signing_keys ?? []).length > 0)) problems.push(`${who} exports or delegates (exports, signing_keys); the system account sees every account's traffic and must do neither.`);
    if (platform) {
        const signing = claims.nats.signing_keys ?? [];
        if (signing.length !== 1 || typeof signing[0] === "string" || signing[0].key !== pins.keys.platform.signing) problems.push(`${who} must have exactly its derived scoped signing key ${pins.keys.platform.signing}.`);
        if (claims.nats.limits.leaf !== 0) problems.push(`${who} admits leaf node connections (limits.leaf ${claims.nats.limits.leaf}); it must set limits.leaf 0.`);
        if (claims.nats.limits.disallow_bearer !== true) problems.push(`${who} does not set limits.disallow_bearer; it must refuse bearer users.`);
    }
    return problems;
}
