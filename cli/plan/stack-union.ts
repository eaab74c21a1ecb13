// The stack-wide check of a sharded plan. Every stack rule of the project's pack but one judges each
// tenant namespace on its own (quota, LimitRange, default deny, Pod Security, priority ceilings,
// ipBlocks, object forms), so a shard's AnalyzeStack finds exactly what the whole stack's finds on
// that shard's resources. `isolate-tenant-nats` does not: operator.conf (shard 0) includes every
// shard's account files, each account must be loaded once, a file held twice may be held in two
// shards, a credential names another tenant's account, and one unreadable file silences the account
// checks of every tenant. So the sharded plan runs that rule once more over the union, configured as
// the whole stack is, on the resources whose findings may span shards, and takes those from there.
import type { EngineResource } from "../engine";
import { engineResource } from "../engine/engine-resources";
import type { RecordedResource } from "../engine/types";
import { OUTPUT_SIG, SIG_KEY, UNKNOWN } from "../engine/wire";
import { TENANT_COMPONENT_TYPE } from "../../contract";
import type { PlannedResource } from "./inventory";

/** The one stack rule whose findings span shards (see above). */
export const STACK_WIDE_RULE = "isolate-tenant-nats";

// A typed Kubernetes resource `kubernetes:<group>/<version>:<Kind>` (not the generic CustomResource,
// whose type has no version, nor yaml/helm/kustomize, which declare objects of any kind).
const TYPED = /^kubernetes:([^:/]+)\/[^:/]+:([A-Za-z0-9]+)$/;
const MANY_KINDS = new Set(["yaml", "helm.sh", "kustomize"]);

/** One resource of the stack-wide pass: where it stands in the whole plan's order, its owner and what the pack gets. */
export interface UnionResource {
    /** Its position in the whole plan's tree order (see orderKeys). */
    order: string;
    /** Owning tenant (slug), if any. */
    tenant?: string;
    /** The resource as AnalyzeStack sends it. */
    engine: EngineResource;
}

/**
 * The resources of one shard whose findings of the stack-wide rule may depend on other shards:
 * tenant components and Namespaces (which tenants the stack has, and their org ids), ConfigMaps and
 * Secrets outside the registry tenants' namespaces (the NATS namespace's files, credentials placed
 * elsewhere), anything that may declare objects of any kind (Lists, generic and yaml/helm/kustomize
 * resources); with their ancestors and, for those holding values unknown during preview, what they
 * depend on. What the rule finds on any other object concerns that object alone (a seed or a user
 * JWT where it may not be, the credential in a tenant's own namespace, whose tenant is in the same
 * shard), so the shard's own run finds it as the whole stack's does.
 */
export function stackWideResources(planned: readonly PlannedResource[], orders: ReadonlyMap<string, string>, tenantNamespaces: ReadonlySet<string>): UnionResource[] {
    const byUrn = new Map<string, RecordedResource>(planned.map((r) => [r.urn, r]));
    const chosen = new Set<string>();
    const choose = (urn: string) => {
        // With its parent chain, so the pack sees which tenant's component it is under.
        for (let at = byUrn.get(urn); at && !chosen.has(at.urn); at = at.parent ? byUrn.get(at.parent) : undefined) chosen.add(at.urn);
    };
    for (const r of planned) {
        if (!spans(r, tenantNamespaces)) continue;
        choose(r.urn);
        if (holdsUnknown(r.outputs) || holdsUnknown(r.inputs)) {
            for (const d of r.dependencies) choose(d);
            for (const list of Object.values(r.propertyDependencies)) list.forEach(choose);
        }
    }
    return planned
        .filter((r) => chosen.has(r.urn))
        .map((r) => ({ order: orders.get(r.urn)!, ...(r.tenant !== undefined ? { tenant: r.tenant } : {}), engine: engineResource(r, byUrn, "outputs") }));
}

// Whether the rule's findings on a resource may depend on other shards (see stackWideResources).
function spans(r: PlannedResource, tenantNamespaces: ReadonlySet<string>): boolean {
    if (!r.type.startsWith("kubernetes:")) return r.type === TENANT_COMPONENT_TYPE;
    const typed = TYPED.exec(r.type);
    if (!typed || MANY_KINDS.has(typed[1])) return true;
    const kind = typed[2].replace(/Patch$/, "");
    if (kind.endsWith("List") || kind === "Namespace") return true;
    if (kind !== "ConfigMap" && kind !== "Secret") return false;
    return !(r.kube?.namespace !== undefined && tenantNamespaces.has(r.kube.namespace));
}

function holdsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(holdsUnknown);
    if (value === null || typeof value !== "object") return false;
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === OUTPUT_SIG && !("value" in obj)) return true;
    return Object.values(obj).some(holdsUnknown);
}

/**
 * Each resource's position in the tree order of the recording (the stack first, then depth-first with
 * siblings by URN): the URNs from the root down to it, joined by a character that sorts below any URN
 * character, so that positions from different shards of one plan compare as in the whole plan.
 */
export function orderKeys(planned: readonly RecordedResource[]): Map<string, string> {
    const byUrn = new Map(planned.map((r) => [r.urn, r]));
    const keys = new Map<string, string>();
    const keyOf = (r: RecordedResource): string => {
        const known = keys.get(r.urn);
        if (known !== undefined) return known;
        // Iteratively, from the nearest ancestor with a key: deep trees cannot overflow the stack.
        const chain: RecordedResource[] = [];
        let at: RecordedResource | undefined = r;
        while (at && !keys.has(at.urn)) {
            chain.push(at);
            at = at.parent ? byUrn.get(at.parent) : undefined;
        }
        let key = at ? keys.get(at.urn)! : "";
        for (let i = chain.length - 1; i >= 0; i--) {
            // A resource whose parent was never registered comes after every tree (the recording puts orphans last).
            key = key === "" && chain[i].parent !== "" ? `\uffff\u0000${chain[i].urn}` : key === "" ? chain[i].urn : `${key}\u0000${chain[i].urn}`;
            keys.set(chain[i].urn, key);
        }
        return key;
    };
    for (const r of planned) keyOf(r);
    return keys;
}

/** Compares two positions of orderKeys. */
export function byOrder(a: { order: string }, b: { order: string }): number {
    return a.order < b.order ? -1 : a.order > b.order ? 1 : 0;
}
