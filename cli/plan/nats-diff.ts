import { diffJson, type FieldChange, type ResourceChange } from "./diff";
import { accountNames, type NatsDocuments } from "./nats";

/** How one account of the server differs between the base and the head plan. */
export interface NatsAccountChange {
    /** added, changed or removed. */
    change: "added" | "changed" | "removed";
    /** Account name (a tenant's org id, PLATFORM or SYS). */
    account: string;
    /** Slug of the tenant owning the account; undefined for PLATFORM and SYS. */
    tenant?: string;
    /** Field-level differences of the account JWT's claims (`limits.*`, `imports.*`, `signing_keys.*`…), for `changed`. */
    fields: FieldChange[];
}

interface AccountView {
    tenant?: string;
    view: Record<string, unknown>;
}

// One entry per account: its JWT's claims, with imports naming accounts instead of public keys.
function accountViews(docs: NatsDocuments): Map<string, AccountView> {
    const names = accountNames(docs);
    const views = new Map<string, AccountView>();
    for (const a of docs.accounts) {
        const claims = a.claims as { imports?: Array<Record<string, unknown>> };
        const imports = claims.imports?.map((i) => ({ ...i, account: names.get(String(i.account)) ?? i.account }));
        const view = { ...claims, ...(imports ? { imports } : {}), publicKey: a.publicKey, issuer: a.issuer ?? null, ...(a.problem ? { problem: a.problem } : {}) };
        views.set(a.name, { tenant: a.tenant, view });
    }
    return views;
}

/**
 * The server's accounts compared one by one, so a reviewer sees which tenant's access changed and
 * how, instead of two documents of JWTs. Sorted by account name.
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
        const fields = diffJson(old.view, now.view);
        if (fields.length > 0) changes.push({ change: "changed", account, tenant: now.tenant ?? old.tenant, fields });
    }
    for (const [account, old] of before) if (!after.has(account)) changes.push({ change: "removed", account, tenant: old.tenant, fields: [] });
    return changes.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}

/**
 * Replaces the document fields of the NATS configuration's changes (`inputs.data.*`: whole files of
 * JWTs) with a one-line summary pointing at the per-account changes.
 */
export function summarizeNatsDocuments(changes: ResourceChange[], accounts: NatsAccountChange[], documents: ReadonlySet<string>): ResourceChange[] {
    const count = (kind: NatsAccountChange["change"]) => accounts.filter((a) => a.change === kind).length;
    const summary = `${count("added")} account${count("added") === 1 ? "" : "s"} added, ${count("changed")} changed, ${count("removed")} removed; each tenant's section shows its own`;
    return changes.map((c) => {
        if (!documents.has(c.urn) || c.change !== "changed") return c;
        const fields = c.fields.filter((f) => !f.path.startsWith("inputs.data."));
        if (fields.length === c.fields.length) return c;
        return { ...c, fields, summary: c.natsAuthorization ? summary : "its account JWT changed; the NATS account change below shows how" };
    });
}
