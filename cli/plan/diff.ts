import { canonicalJson, isSecret, toPlain, unwrapSecrets } from "../engine/wire";
import type { Registry, RegistryEntry } from "../../registry";
import type { PlannedResource } from "./inventory";

/** One changed field of a resource; values are plain JSON with secrets redacted. */
export interface FieldChange {
    /** Path such as `inputs.spec.hard.pods` or `options.protect`. */
    path: string;
    /** Value before (absent when added). */
    before?: unknown;
    /** Value after (absent when removed). */
    after?: unknown;
}

/** How one resource differs between the base and the head plan. */
export interface ResourceChange {
    /** added, changed or removed. */
    change: "added" | "changed" | "removed";
    /** URN. */
    urn: string;
    /** Type token. */
    type: string;
    /** Logical name. */
    name: string;
    /** The Kubernetes object in Kubernetes words, `Kind namespace/name` (`ServiceAccount org-acme/agent-worker-sa`); absent for other resources. */
    object?: string;
    /** Owning tenant in the head plan, else in the base plan; undefined when shared. */
    tenant?: string;
    /** Field-level differences, for `changed`. */
    fields: FieldChange[];
    /** The shared NATS authorization, which legitimately changes whenever any tenant does. */
    natsAuthorization: boolean;
    /** For the NATS authorization's documents: what changed in them, in place of the documents' diff. */
    summary?: string;
}

/** What the registry change touches, from the validated entries at base and head. */
export interface RegistryDelta {
    /** Slugs added, removed or whose entry or plan changed. */
    touched: Set<string>;
    /** Slugs only at head. */
    added: string[];
    /** Entries only at base. */
    removed: RegistryEntry[];
    /** Slugs whose entry or plan differs. */
    changed: string[];
}

/** Compares two registries entry by entry (an edited plan touches every tenant on it). */
export function registryDelta(base: Registry, head: Registry): RegistryDelta {
    const key = (e: RegistryEntry) => canonicalJson({ tenant: e.tenant, plan: e.plan });
    const before = new Map(base.entries.map((e) => [e.tenant.slug, e]));
    const after = new Map(head.entries.map((e) => [e.tenant.slug, e]));
    const added = [...after.keys()].filter((s) => !before.has(s));
    const removed = [...before.values()].filter((e) => !after.has(e.tenant.slug));
    const changed = [...after.keys()].filter((s) => before.has(s) && key(before.get(s)!) !== key(after.get(s)!));
    return { touched: new Set([...added, ...removed.map((e) => e.tenant.slug), ...changed]), added, removed, changed };
}

/**
 * Resource-by-resource difference of two plans: inputs, the options the engine acts on, provider
 * and parent. Secrets are compared by value but shown redacted unless `reveal`.
 */
export function diffPlans(base: PlannedResource[], head: PlannedResource[], isNatsAuthorization: (r: PlannedResource) => boolean, reveal = false): ResourceChange[] {
    const before = new Map(base.map((r) => [r.urn, r]));
    const after = new Map(head.map((r) => [r.urn, r]));
    const changes: ResourceChange[] = [];
    const entry = (change: ResourceChange["change"], r: PlannedResource, other: PlannedResource | undefined, fields: FieldChange[]): ResourceChange => ({
        change, urn: r.urn, type: r.type, name: r.name, ...(r.kube ? { object: `${r.kube.kind} ${r.kube.namespace ? `${r.kube.namespace}/` : ""}${r.kube.name}` } : {}),
        tenant: r.tenant ?? other?.tenant, fields,
        natsAuthorization: isNatsAuthorization(r),
    });
    for (const r of head) {
        const old = before.get(r.urn);
        if (!old) {
            changes.push(entry("added", r, undefined, []));
            continue;
        }
        const fields: FieldChange[] = [];
        diffValue(comparable(old), comparable(r), "", fields, reveal);
        if (fields.length > 0) changes.push({ ...entry("changed", r, old, fields), tenant: r.tenant ?? old.tenant });
    }
    for (const r of base) if (!after.has(r.urn)) changes.push(entry("removed", r, undefined, []));
    return changes.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

// What a change of would make the engine act: inputs, options, provider and parent.
function comparable(r: PlannedResource): Record<string, unknown> {
    const { providers, ...options } = r.options;
    return { inputs: r.inputs, options: { ...options, providers }, provider: r.provider, parent: r.parent };
}

/** Field-level difference of two plain JSON values (no secrets in them), paths relative to `at`. */
export function diffJson(a: unknown, b: unknown, at = ""): FieldChange[] {
    const out: FieldChange[] = [];
    diffValue(a, b, at, out, false);
    return out;
}

function diffValue(a: unknown, b: unknown, at: string, out: FieldChange[], reveal: boolean): void {
    if (isSecret(a) || isSecret(b)) {
        // Compared by value, shown redacted: a reviewer learns that a secret changed, not what it is.
        if (canonicalJson(unwrapSecrets(a)) !== canonicalJson(unwrapSecrets(b))) out.push(field(at, a, b, reveal));
        return;
    }
    const objA = typeof a === "object" && a !== null;
    const objB = typeof b === "object" && b !== null;
    if (objA && objB && Array.isArray(a) === Array.isArray(b)) {
        // A list of plain values (label values, verbs, subjects) is one field: its before and after read
        // better than `values.1`, and an insertion does not shift every later index.
        if (Array.isArray(a) && [...a, ...(b as unknown[])].every((v) => v === null || typeof v !== "object")) {
            if (canonicalJson(a) !== canonicalJson(b)) out.push(field(at, a, b, reveal));
            return;
        }
        const keys = Array.isArray(a)
            ? Array.from({ length: Math.max(a.length, (b as unknown[]).length) }, (_, i) => String(i))
            : [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
        for (const key of keys) {
            diffValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], at ? `${at}.${key}` : key, out, reveal);
        }
        return;
    }
    if (canonicalJson(a) !== canonicalJson(b)) out.push(field(at, a, b, reveal));
}

function field(path: string, before: unknown, after: unknown, reveal: boolean): FieldChange {
    const change: FieldChange = { path };
    if (before !== undefined) change.before = toPlain(before, reveal, true);
    if (after !== undefined) change.after = toPlain(after, reveal, true);
    return change;
}

/** One finding of the blast-radius or off-boarding rules. */
export interface DiffError {
    /** Tenant concerned. */
    tenant: string;
    /** What is wrong and what to do. */
    message: string;
}

/**
 * The blast-radius rule (a registry change may only change the resources of the tenants it
 * touches, the shared NATS authorization aside) and the off-boarding rule (an active or suspended
 * tenant cannot simply disappear).
 */
export function diffErrors(delta: RegistryDelta, changes: ResourceChange[]): DiffError[] {
    const errors: DiffError[] = [];
    const touched = [...delta.touched].sort();
    const flagged = new Map<string, ResourceChange[]>();
    for (const c of changes) {
        if (!c.tenant || c.natsAuthorization || delta.touched.has(c.tenant)) continue;
        const list = flagged.get(c.tenant);
        if (list) list.push(c);
        else flagged.set(c.tenant, [c]);
    }
    for (const [tenant, list] of [...flagged].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const scope = touched.length > 0 ? `the registry change touches only ${touched.join(", ")}` : "the registry did not change";
        const shown = list.slice(0, 5).map((c) => `${c.change} ${c.object ?? `${c.type} ${c.name}`}`).join("; ");
        errors.push({
            tenant,
            message: `blast radius: ${scope}, yet ${list.length} resource${list.length === 1 ? "" : "s"} of tenant ${tenant} would change (${shown}${list.length > 5 ? "; …" : ""}); a change to one tenant must not alter another's resources`,
        });
    }
    for (const entry of delta.removed) {
        const { slug, lifecycle } = entry.tenant;
        if (lifecycle === "decommissioned") continue;
        errors.push({
            tenant: slug,
            message: `${entry.file} was removed while the tenant is ${lifecycle}; off-boarding takes two changes: first set "lifecycle: decommissioned" (this lifts the namespace protection) and apply it, then remove the file in a later change`,
        });
    }
    return errors;
}
