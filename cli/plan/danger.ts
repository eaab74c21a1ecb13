// The ⚠️ section of a --base plan: every change that destroys data or weakens what a tenant has,
// in words a reviewer acts on. Computed from the report's own changes, so it says what the plan
// shows: a tenant's removal, its namespace protection lifted, suspend and resume, a quota or NATS
// limit lowered, a NATS key rotation. (An id change or slug rename never gets here: plan refuses it.)
import { namespaceOf } from "../../contract";
import { compareQuantities, parseExactQuantity } from "../../registry";
import type { FieldChange } from "./diff";
import type { RemovedTenant, TenantReport } from "./report-types";
import type { KeyRotation } from "./stack-delta";

/** One destructive or weakening change. */
export interface Danger {
    /** What kind of change. */
    kind: "tenant-removed" | "protection-lifted" | "stopped" | "resumed" | "quota-lowered" | "nats-limits-lowered" | "nats-key-rotated";
    /** The tenant concerned. */
    tenant: string;
    /** What happens, in words. */
    message: string;
}

const QUOTA = "kubernetes:core/v1:ResourceQuota";
const NAMESPACE = "kubernetes:core/v1:Namespace";

/** The dangers of a --base plan, by tenant then in the order of `Danger["kind"]`. */
export function findDangers(
    tenants: readonly TenantReport[], removed: readonly RemovedTenant[], baseLifecycles: ReadonlyMap<string, string>, rotations: readonly KeyRotation[],
): Danger[] {
    const out: Danger[] = [];
    for (const r of removed) {
        out.push({
            kind: "tenant-removed", tenant: r.slug,
            message: `tenant removed (${r.file} deleted, was ${r.lifecycle}): pulumi up deletes Namespace ${namespaceOf(r)} and everything in it — its volumes and their data, ` +
                `its Secrets, its NATS account and credential (${r.removed.length} resource${r.removed.length === 1 ? "" : "s"}); this cannot be undone`,
        });
    }
    for (const t of tenants) {
        const before = baseLifecycles.get(t.slug);
        const changed = t.changes?.changed ?? [];
        const pods = fieldOf(changed.filter((c) => c.type === QUOTA), "inputs.spec.hard.pods");
        const quotaName = changed.find((c) => c.type === QUOTA && c.fields.some((f) => f.path === "inputs.spec.hard.pods"))?.object ?? `ResourceQuota ${t.namespace}/quota`;
        const conn = t.natsChange?.fields.find((f) => f.path === "limits.conn");
        const stopped = before === "active" && t.lifecycle !== "active";
        const resumed = before !== undefined && before !== "active" && t.lifecycle === "active";
        const protect = fieldOf(changed.filter((c) => c.type === NAMESPACE), "options.protect");
        if (protect && protect.before === true && protect.after !== true) {
            out.push({
                kind: "protection-lifted", tenant: t.slug,
                message: `protection lifted from Namespace ${t.namespace} (lifecycle ${before} → ${t.lifecycle}; protect true → false): ` +
                    `removing ${t.file} in a later change deletes the namespace with its data`,
            });
        }
        if (stopped) {
            out.push({
                kind: "stopped", tenant: t.slug,
                message: `agents stopped (lifecycle ${before} → ${t.lifecycle}): ${quotaName} pods ${show(pods?.before)} → ${show(pods?.after)}, ` +
                    `the platform controller scales running agents to zero, and the NATS account admits no connection (limits.conn ${show(conn?.before)} → ${show(conn?.after)}; ` +
                    "its user and credential stay, and so do its data and Secrets)",
            });
        }
        if (resumed) {
            out.push({
                kind: "resumed", tenant: t.slug,
                message: `agents resumed (lifecycle ${before} → ${t.lifecycle}): ${quotaName} pods ${show(pods?.before)} → ${show(pods?.after)}, ` +
                    `and the NATS account admits connections again (limits.conn ${show(conn?.before)} → ${show(conn?.after)}) with the same credential`,
            });
        }
        for (const c of changed.filter((c) => c.type === QUOTA)) {
            const lowered = c.fields.filter((f) => f.path.startsWith("inputs.spec.hard.") && !(stopped && f.path === "inputs.spec.hard.pods") && quantityLowered(f));
            if (lowered.length === 0) continue;
            out.push({
                kind: "quota-lowered", tenant: t.slug,
                message: `quota lowered: ${c.object ?? c.name} ${lowered.map((f) => `${f.path.slice("inputs.spec.hard.".length)} ${show(f.before)} → ${show(f.after)}`).join(", ")}` +
                    " (pods and claims already above it keep running; new ones beyond it are refused)",
            });
        }
        const limits = (t.natsChange?.fields ?? []).filter((f) => f.path.startsWith("limits.") && !(stopped && f.path === "limits.conn") && limitLowered(f));
        if (limits.length > 0) {
            out.push({
                kind: "nats-limits-lowered", tenant: t.slug,
                message: `NATS limits lowered on account ${t.natsChange!.account}: ${limits.map((f) => `${f.path} ${show(f.before)} → ${show(f.after)}`).join(", ")}` +
                    " (-1 is unlimited; clients beyond a limit are refused on the server's reload)",
            });
        }
        const rotation = rotations.find((r) => r.slug === t.slug);
        if (rotation) {
            out.push({
                kind: "nats-key-rotated", tenant: t.slug,
                message: `NATS key rotation (tenancy:natsKeyGenerations.${t.slug} ${rotation.from} → ${rotation.to}): replaces the account's signing key and its user, ` +
                    `so Secret ${t.namespace}/nats-credentials gets a new credential; on the server's reload the old user's connections are closed and its credential refused; ` +
                    `restart ${t.slug}'s agents to read the new Secret (the account's identity stays)`,
            });
        }
    }
    return out;
}

function fieldOf(changes: ReadonlyArray<{ fields: FieldChange[] }>, path: string): FieldChange | undefined {
    for (const c of changes) for (const f of c.fields) if (f.path === path) return f;
    return undefined;
}

function show(value: unknown): string {
    return value === undefined ? "(none)" : typeof value === "string" ? value : JSON.stringify(value);
}

// A quota is lowered when it had a value and now has a smaller one (or none: then nothing is admitted beyond the plan's others).
function quantityLowered(f: FieldChange): boolean {
    if (typeof f.before !== "string" && typeof f.before !== "number") return false;
    if (typeof f.after !== "string" && typeof f.after !== "number") return false;
    const before = parseExactQuantity(String(f.before));
    const after = parseExactQuantity(String(f.after));
    return before !== undefined && after !== undefined && compareQuantities(after, before) < 0;
}

// A NATS limit of -1 is unlimited: lowered when it becomes finite or a smaller number.
function limitLowered(f: FieldChange): boolean {
    if (typeof f.before !== "number" || typeof f.after !== "number") return false;
    if (f.after === -1) return false;
    return f.before === -1 || f.after < f.before;
}
