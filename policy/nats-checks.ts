// What a tenant's NATS account may reach: permissions within its own subjects, its inbox and the
// platform's, imports from the platform only, no exports.
import type { GuardConfig } from "./config";

/** Publish or subscribe permissions; `allow` undefined means every subject. */
export interface NatsPerm {
    /** Allowed subjects; undefined when the user may use every subject. */
    allow?: string[];
}

/** An account's imports and exports as the checks read them. */
export interface NatsAccountModel {
    /** Account name. */
    name: string;
    /** Imports: kind, exporting account's name, subject there, subject here. */
    imports: { kind: string; account: string; subject: string; to: string }[];
    /** Exports. */
    exports: { kind: string; subject: string }[];
}

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

/** The tenants the checks know: slugs by account name (org id), and every slug. */
export interface NatsTenants {
    /** Slugs by account name (the tenant id). */
    byAccount: Map<string, string>;
    /** Slugs of every tenant. */
    slugs: Set<string>;
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
    if (p.allow === undefined) return [`${who} may ${direction} to every subject (no ${direction} allow list)${rule}`];
    return p.allow.filter((s) => !allowed.some((a) => subjectWithin(s, a))).map((s) => `${who} may ${direction} to "${s}"${reach(s, slug, tenants)}${rule}`);
}

/** What tenant `slug`'s account imports and exports beyond its own subjects, its inbox and the platform's. */
export function importExportProblems(account: NatsAccountModel, slug: string, config: GuardConfig, tenants: NatsTenants): string[] {
    const who = `NATS account "${account.name}" of tenant ${slug}`;
    const platform = config.platformNatsSubjects.map((s) => s.split("{slug}").join(slug));
    const allowed = [`org.${slug}.>`, `_INBOX.${slug}.>`, ...platform];
    const rule = `; tenant ${slug} may use only ${allowed.join(", ")}.`;
    const problems: string[] = [];
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
