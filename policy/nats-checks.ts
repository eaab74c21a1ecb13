// What a tenant's NATS account may hold: its own nkey user, permissions within its own subjects,
// its inbox and the platform's, imports from the platform only, no exports.
import type { GuardConfig } from "./config";
import type { NatsAccountModel, NatsPerm, NatsServerModel } from "./nats-model";

/**
 * True when every subject `subject` can match is also matched by `pattern` (NATS wildcards:
 * `*` one token, `>` one or more trailing tokens).
 */
export function subjectWithin(subject: string, pattern: string): boolean {
    const s = subject.split(".");
    const p = pattern.split(".");
    for (let i = 0; i < p.length; i++) {
        if (p[i] === ">") return i < s.length;
        if (i >= s.length) return false;
        if (s[i] === ">") return false;
        if (p[i] !== "*" && (s[i] === "*" || s[i] !== p[i])) return false;
    }
    return s.length === p.length;
}

/** The tenants the checks know: by slug, their slugs' subjects, and who owns which nkey. */
export interface NatsTenants {
    /** Slugs by account name (the tenant id). */
    byAccount: Map<string, string>;
    /** Slugs of every tenant. */
    slugs: Set<string>;
    /** The tenant whose credential holds the seed of each public nkey. */
    keyOwner: Map<string, string>;
}

// Names the other tenant whose subjects a subject reaches, e.g. " (tenant globex's subjects)".
function reach(subject: string, slug: string, tenants: NatsTenants): string {
    const tokens = subject.split(".");
    if ((tokens[0] === "org" || tokens[0] === "_INBOX") && tokens.length > 1) {
        if (tokens[1] === "*" || tokens[1] === ">") return ", which includes every tenant's subjects";
        if (tokens[1] !== slug && tenants.slugs.has(tokens[1])) return ` (tenant ${tokens[1]}'s subjects)`;
    }
    if (tokens[0] === ">" || tokens[0] === "*") return ", which includes every tenant's subjects";
    if (tokens[0] === "platform" && tokens[1] === "status" && tokens[2] !== undefined && tokens[2] !== slug && tenants.slugs.has(tokens[2])) return ` (tenant ${tokens[2]}'s status subject)`;
    return "";
}

/** What a publish or subscribe permission lets `who` reach beyond `allowed`, as sentences ending in `rule`. */
export function permProblems(who: string, direction: string, p: NatsPerm, allowed: string[], rule: string, slug: string, tenants: NatsTenants): string[] {
    if (p.unknown) return [`${who} has ${direction} permissions unknown during preview${rule}`];
    if (p.allow === undefined) return [`${who} may ${direction} to every subject (no ${direction} allow list)${rule}`];
    return p.allow.filter((s) => !allowed.some((a) => subjectWithin(s, a))).map((s) => `${who} may ${direction} to "${s}"${reach(s, slug, tenants)}${rule}`);
}

/**
 * Everything wrong with tenant `slug`'s account; `ownKeys` are the public nkeys of the tenant's own
 * credential (null where the document holds no credentials, as the permission structure does).
 */
export function tenantAccountProblems(account: NatsAccountModel, slug: string, ownKeys: Set<string> | null, config: GuardConfig, tenants: NatsTenants): string[] {
    const who = `NATS account "${account.name}" of tenant ${slug}`;
    const platform = config.platformNatsSubjects.map((s) => s.split("{slug}").join(slug));
    const allowed = [`org.${slug}.>`, `_INBOX.${slug}.>`, ...platform];
    const rule = `; tenant ${slug} may use only ${allowed.join(", ")}.`;
    const problems: string[] = [];
    account.users.forEach((user, i) => {
        const whoUser = account.users.length > 1 ? `${who} (user ${i + 1})` : who;
        if (ownKeys && !user.nkey) problems.push(`${whoUser} has a user authenticated by ${user.user ? `password (user "${user.user}")` : "no nkey"}; a tenant account holds only the tenant's own nkey user.`);
        else if (ownKeys && user.nkey && !ownKeys.has(user.nkey)) {
            const owner = tenants.keyOwner.get(user.nkey);
            problems.push(`${whoUser} has the nkey user ${user.nkey}, which is ${owner ? `tenant ${owner}'s` : "no credential of tenant " + slug}; a tenant account holds only the nkey user of the tenant's own credential.`);
        }
        problems.push(...permProblems(whoUser, "publish", user.publish, allowed, rule, slug, tenants));
        problems.push(...permProblems(whoUser, "subscribe", user.subscribe, allowed, rule, slug, tenants));
    });
    for (const imp of account.imports) {
        const exporter = tenants.byAccount.get(imp.account);
        if (imp.account !== config.platformNatsAccount) {
            const from = exporter ? `tenant ${exporter}'s account "${imp.account}"` : `account "${imp.account}", which is not the platform account ${config.platformNatsAccount}`;
            problems.push(`${who} imports ${imp.kind} "${imp.subject}" from ${from}; tenants may import only from ${config.platformNatsAccount}.`);
        } else if (!platform.some((p) => subjectWithin(imp.subject, p))) {
            problems.push(`${who} imports ${imp.kind} "${imp.subject}" from ${config.platformNatsAccount}${reach(imp.subject, slug, tenants)}; tenant ${slug} may import only ${platform.join(", ")}.`);
        } else if (!allowed.some((p) => subjectWithin(imp.to, p))) {
            problems.push(`${who} maps import "${imp.subject}" to "${imp.to}"${reach(imp.to, slug, tenants)}${rule}`);
        }
    }
    for (const exp of account.exports) {
        problems.push(`${who} exports ${exp.kind} "${exp.subject}"${reach(exp.subject, slug, tenants)}; a tenant account must export nothing, since any account could import it.`);
    }
    return problems;
}

/** Where a server configuration lets a tenant's nkey, or any client, into an account that is not that tenant's. */
export function crossAccountProblems(model: NatsServerModel, tenants: NatsTenants): string[] {
    const problems: string[] = [];
    const userAccount = new Map<string, string>();
    for (const account of model.accounts.values()) {
        const slug = tenants.byAccount.get(account.name);
        for (const user of account.users) {
            if (user.user) userAccount.set(user.user, account.name);
            // Tenant accounts are held to their own credential by tenantAccountProblems.
            const owner = user.nkey ? tenants.keyOwner.get(user.nkey) : undefined;
            if (owner && !slug) {
                problems.push(`NATS account "${account.name}" lets tenant ${owner}'s nkey user ${user.nkey} connect; a tenant's nkey may authenticate only into its own account.`);
            }
        }
    }
    for (const user of model.globalUsers) {
        const owner = user.nkey ? tenants.keyOwner.get(user.nkey) : undefined;
        if (owner) problems.push(`the global authorization lets tenant ${owner}'s nkey user ${user.nkey} connect outside its account; a tenant's nkey may authenticate only into its own account.`);
    }
    if (model.noAuthUser !== undefined) {
        const account = userAccount.get(model.noAuthUser);
        const slug = account ? tenants.byAccount.get(account) : undefined;
        if (!account || slug) {
            problems.push(`no_auth_user "${model.noAuthUser}" makes every client without credentials ${slug ? `a user of tenant ${slug}'s account` : "a user the pack cannot find"}; unauthenticated clients must never reach a tenant's account.`);
        }
    }
    const system = model.systemAccount ? tenants.byAccount.get(model.systemAccount) : undefined;
    if (system) problems.push(`system_account "${model.systemAccount}" is tenant ${system}'s account, which would see every account's traffic; the system account must belong to the platform.`);
    return problems;
}
