// What a tenant is granted, as a reviewer reads it: where its agents may connect (egress CIDRs),
// what its Roles allow and to whom they are bound, which Secrets it has (names and keys, never
// values) and what its NATS account may publish, subscribe, import and how much. One line per
// grant, from the objects and the account JWT the plan declares, so the --base diff of two
// tenants' grants is the difference of their lines, in the same words.
import { namespaceOf } from "../../contract";
import type { Registry } from "../../registry";
import { unwrapSecrets } from "../engine/wire";
import type { PlannedResource } from "./inventory";
import { accountNames, tenantNatsSummary, type NatsDocuments } from "./nats";

/** A grant list's change against --base: lines only at head, lines only at the base. */
export interface GrantChanges {
    added: string[];
    removed: string[];
}

type Manifest = {
    spec?: { egress?: Array<{ to?: Array<{ ipBlock?: { cidr?: string; except?: string[] } }> }> };
    rules?: Array<{ apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[] }>;
    roleRef?: { kind?: string; name?: string };
    subjects?: Array<{ kind?: string; name?: string; namespace?: string }>;
    data?: Record<string, unknown>;
    stringData?: Record<string, unknown>;
};

const ORDER = ["egress", "Role", "RoleBinding", "Secret", "NATS"];

/** Every planned tenant's grant lines, by slug, in a fixed order. */
export function grantsBySlug(resources: readonly PlannedResource[], nats: NatsDocuments, registry: Pick<Registry, "entries">): Map<string, string[]> {
    return combineGrants(kubeGrantLines(resources, registry), natsGrantLines(nats));
}

/**
 * The grant lines of the tenants' Kubernetes objects and declared Secrets, by slug, unsorted: the part
 * of {@link grantsBySlug} a plan shard computes from its own resources and registry entries.
 */
export function kubeGrantLines(resources: readonly PlannedResource[], registry: Pick<Registry, "entries">): Map<string, string[]> {
    const lines = new Map<string, string[]>();
    const add = adder(lines);
    const secrets = new Map<string, Set<string>>();
    for (const r of resources) {
        if (!r.tenant || !r.kube) continue;
        const { kind, name, namespace } = r.kube;
        const object = `${namespace ? `${namespace}/` : ""}${name}`;
        const m = unwrapSecrets(r.kube.manifest) as Manifest;
        if (kind === "NetworkPolicy") {
            for (const rule of m.spec?.egress ?? []) {
                for (const peer of rule.to ?? []) {
                    if (!peer.ipBlock?.cidr) continue;
                    const except = peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(", ")}` : "";
                    add(r.tenant, `egress to ${peer.ipBlock.cidr}${except} (NetworkPolicy ${object})`);
                }
            }
        } else if (kind === "Role") {
            for (const rule of m.rules ?? []) {
                const groups = (rule.apiGroups ?? []).filter((g) => g !== "");
                const names = rule.resourceNames?.length ? ` named ${rule.resourceNames.join(", ")}` : " (any name)";
                add(r.tenant, `Role ${object}: ${(rule.verbs ?? []).join(", ")} on ${(rule.resources ?? []).join(", ")}${groups.length ? ` in ${groups.join(", ")}` : ""}${names}`);
            }
        } else if (kind === "RoleBinding") {
            const subjects = (m.subjects ?? []).map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}`).join(", ");
            add(r.tenant, `RoleBinding ${object}: ${m.roleRef?.kind} ${m.roleRef?.name} → ${subjects}`);
        } else if (kind === "Secret") {
            const keys = [...new Set([...Object.keys(m.data ?? {}), ...Object.keys(m.stringData ?? {})])].sort();
            add(r.tenant, `Secret ${object}: keys ${keys.join(", ") || "(none)"}`);
            const seen = secrets.get(r.tenant) ?? new Set<string>();
            seen.add(name);
            secrets.set(r.tenant, seen);
        }
    }
    // A declared Secret whose values are not all set is not planned; it is still the tenant's.
    for (const { tenant } of registry.entries) {
        for (const s of tenant.secrets) {
            if (secrets.get(tenant.slug)?.has(s.name)) continue;
            add(tenant.slug, `Secret ${namespaceOf(tenant)}/${s.name}: keys ${[...s.keys].sort().join(", ")} (declared; created once its values are set)`);
        }
    }
    return lines;
}

/** The grant lines of each tenant's NATS account (subjects, imports, limits), by slug, in the account's order. */
export function natsGrantLines(nats: NatsDocuments): Map<string, string[]> {
    const lines = new Map<string, string[]>();
    const add = adder(lines);
    const names = accountNames(nats);
    for (const account of nats.accounts) {
        if (!account.tenant || account.problem) continue;
        const summary = tenantNatsSummary(account, names);
        for (const s of summary.publish) add(account.tenant, `NATS publish ${s}`);
        for (const s of summary.subscribe) add(account.tenant, `NATS subscribe ${s}`);
        for (const i of summary.imports) add(account.tenant, `NATS import ${i}`);
        const limits = (account.claims as { limits?: Record<string, unknown> }).limits ?? {};
        for (const key of ["conn", "subs", "payload", "data"]) if (limits[key] !== undefined) add(account.tenant, `NATS limit ${key} ${JSON.stringify(limits[key])}${limits[key] === -1 ? " (unlimited)" : ""}`);
    }
    return lines;
}

/** The Kubernetes lines and then the NATS lines of each tenant, in the fixed order of {@link grantsBySlug}. */
export function combineGrants(kube: ReadonlyMap<string, readonly string[]>, nats: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
    const lines = new Map<string, string[]>();
    for (const [slug, list] of kube) lines.set(slug, [...list]);
    for (const [slug, list] of nats) lines.set(slug, [...(lines.get(slug) ?? []), ...list]);
    for (const [slug, list] of lines) lines.set(slug, sortGrants(list));
    return lines;
}

function adder(lines: Map<string, string[]>): (slug: string, line: string) => void {
    return (slug, line) => {
        const list = lines.get(slug);
        if (list) list.push(line);
        else lines.set(slug, [line]);
    };
}

// By kind of grant (egress, Roles, bindings, Secrets, NATS), then alphabetically; NATS keeps the account's order.
function sortGrants(list: string[]): string[] {
    const rank = (line: string) => ORDER.findIndex((p) => line.startsWith(`${p} `));
    return list
        .map((line, i) => ({ line, i }))
        .sort((a, b) => rank(a.line) - rank(b.line) || (a.line.startsWith("NATS") ? a.i - b.i : a.line < b.line ? -1 : a.line > b.line ? 1 : 0))
        .map((e) => e.line);
}

/** The lines only at head (added) and only at the base (removed); undefined when they are the same. */
export function grantChanges(before: readonly string[], after: readonly string[]): GrantChanges | undefined {
    const old = new Set(before);
    const now = new Set(after);
    const added = after.filter((l) => !old.has(l));
    const removed = before.filter((l) => !now.has(l));
    return added.length + removed.length === 0 ? undefined : { added, removed };
}
