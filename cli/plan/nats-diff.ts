import { AUTH_JSON_KEY, PLATFORM_ACCOUNT } from "../../contract";
import { unwrapSecrets } from "../engine/wire";
import { diffJson, type FieldChange, type ResourceChange } from "./diff";
import type { NatsDocuments } from "./nats";

/** How one account of the NATS authorization differs between the base and the head plan. */
export interface NatsAccountChange {
    /** added, changed or removed. */
    change: "added" | "changed" | "removed";
    /** Account name (a tenant's org id, or PLATFORM). */
    account: string;
    /** Slug of the tenant owning the account; undefined for PLATFORM. */
    tenant?: string;
    /** Field-level differences of the account (`permissions.*`, `imports.*`, `limits.*`, `lifecycle`, `users`), for `changed`. */
    fields: FieldChange[];
}

interface AccountView {
    tenant?: string;
    view: Record<string, unknown>;
}

// The server's users of each account, as their public nkeys (auth.json holds nothing secret).
function usersByAccount(docs: NatsDocuments): Map<string, string[]> | undefined {
    const name = Object.keys(docs.files).find((f) => f === AUTH_JSON_KEY || f.endsWith(`/${AUTH_JSON_KEY}`));
    const text = name ? unwrapSecrets(docs.files[name]) : undefined;
    if (typeof text !== "string") return undefined;
    try {
        const accounts = (JSON.parse(text) as { accounts?: Record<string, { users?: Array<{ nkey?: string }> }> }).accounts ?? {};
        return new Map(Object.entries(accounts).map(([account, a]) => [account, (a.users ?? []).map((u) => u.nkey ?? "(no nkey)")]));
    } catch {
        return undefined;
    }
}

// One entry per account: what permissions.json says about it, plus its users from auth.json.
function accountViews(docs: NatsDocuments): Map<string, AccountView> {
    const views = new Map<string, AccountView>();
    const structure = docs.permissions;
    if (!structure) return views;
    const users = usersByAccount(docs);
    const withUsers = (account: string, view: Record<string, unknown>) => (users ? { ...view, users: users.get(account) ?? [] } : view);
    const { account: _platform, ...platform } = structure.platform;
    views.set(PLATFORM_ACCOUNT, { view: withUsers(PLATFORM_ACCOUNT, platform) });
    for (const t of structure.tenants) {
        const { account, slug, ...rest } = t;
        views.set(account, { tenant: slug, view: withUsers(account, rest) });
    }
    return views;
}

/**
 * The NATS authorization compared account by account, so a reviewer sees which tenant's access
 * changed and how, instead of two escaped JSON documents. Sorted by account name.
 */
export function natsAccountChanges(base: NatsDocuments, head: NatsDocuments): NatsAccountChange[] {
    const before = accountViews(base);
    const after = accountViews(head);
    const changes: NatsAccountChange[] = [];
    for (const [account, now] of after) {
        const old = before.get(account);
        if (!old) {
            changes.push({ change: "added", account, tenant: now.tenant, fields: [] });
            continue;
        }
        // The user list is one field: a key that appears or goes is the news, not its index.
        const { users: oldUsers, ...oldRest } = old.view;
        const { users: newUsers, ...newRest } = now.view;
        const fields = diffJson(oldRest, newRest);
        if (JSON.stringify(oldUsers) !== JSON.stringify(newUsers)) fields.push({ path: "users", before: oldUsers, after: newUsers });
        if (fields.length > 0) changes.push({ change: "changed", account, tenant: now.tenant ?? old.tenant, fields });
    }
    for (const [account, old] of before) if (!after.has(account)) changes.push({ change: "removed", account, tenant: old.tenant, fields: [] });
    return changes.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}

/**
 * Replaces the document fields of the shared NATS authorization's changes (`inputs.data.*`: whole
 * JSON documents) with a one-line summary pointing at the per-account changes.
 */
export function summarizeNatsDocuments(changes: ResourceChange[], accounts: NatsAccountChange[]): ResourceChange[] {
    const count = (kind: NatsAccountChange["change"]) => accounts.filter((a) => a.change === kind).length;
    const summary = `${count("added")} account${count("added") === 1 ? "" : "s"} added, ${count("changed")} changed, ${count("removed")} removed; each tenant's section shows its own`;
    return changes.map((c) => {
        if (!c.natsAuthorization || c.change !== "changed") return c;
        const fields = c.fields.filter((f) => !f.path.startsWith("inputs.data."));
        return fields.length === c.fields.length ? c : { ...c, fields, summary };
    });
}
