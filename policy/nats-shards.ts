// The NATS checks that depend on the stack's shard: a stack declares only its own shard's tenants and
// their account files, and a shard other than the shared one (no operator.conf) declares each of its
// tenants' account files exactly once, where the shared shard's operator.conf includes it.
import { natsAccountConfKey } from "../contract";
import { SHARED_SHARD } from "../registry";
import type { GuardConfig } from "./config";
import type { DataEntry } from "./nats-documents";
import { describeObject } from "./objects";
import type { Report } from "./rule-kit";
import type { ShardView } from "./shards";
import type { StackIndex } from "./stack-index";
import { isUnknown } from "./unknowns";

/** Whether the stack is a shard other than the one holding operator.conf. */
export function withoutOperatorConf(view: ShardView): boolean {
    return view.shard !== undefined && view.shard.index !== SHARED_SHARD;
}

/** Reports tenants and account files this stack declares that belong to another shard, and a shard whose own tenants' account files are missing. */
export function checkShard(index: StackIndex, config: GuardConfig, ids: ReadonlyMap<string, string | undefined>, view: ShardView, entries: DataEntry[], accountFiles: ReadonlySet<string>, report: Report): void {
    const first = [...index.tenantComponents.values()][0]?.urn;
    if (view.problem) report(`${view.problem}; the pack must know which of the registry's tenants this stack declares.`, first);
    const here = view.shard ? `shard ${view.shard.index} of ${view.shard.count}` : "this stack";
    for (const [slug, id] of ids) {
        const component = index.tenantComponents.get(slug)?.urn ?? first;
        if (view.partial && (id === undefined || isUnknown(id))) {
            report(`Tenant ${slug}'s org id is ${id === undefined ? "not declared" : "unknown during preview"}; in ${here} the pack must know every tenant's org id to tell which shard declares it and its NATS account file.`, component);
            continue;
        }
        const assigned = id !== undefined && !isUnknown(id) ? view.shardOfId.get(id) : undefined;
        if (view.shard && assigned !== undefined && assigned !== view.shard.index) {
            report(`Tenant ${slug} (${id}) belongs to shard ${assigned} of ${view.shard.count} by its org id, but this stack is ${here}; a tenant must be declared only by the stack of its shard, which also declares its NATS account file.`, component);
        }
    }
    for (const e of entries.filter((x) => config.natsNamespaces.includes(x.object.meta.namespace ?? ""))) {
        const other = view.elsewhereByFile.get(e.key);
        if (other?.shard !== undefined && view.shard) {
            report(`${describeObject(e.object)} key ${e.key} is the NATS account file of tenant ${other.slug} (${other.id}), which belongs to shard ${other.shard} of ${view.shard.count}; this stack is ${here} and may declare only its own tenants' account files.`, e.object.resource.urn);
        }
    }
    if (!withoutOperatorConf(view)) return;
    for (const [slug, id] of ids) {
        if (id === undefined || isUnknown(id) || accountFiles.has(natsAccountConfKey(id))) continue;
        report(`Tenant ${slug}'s NATS account file ${natsAccountConfKey(id)}: no ConfigMap holds it; in ${here} (no operator.conf), each tenant's account file must be declared once, in namespace ${config.natsNamespaces.join(", ")}, where the shared shard's operator.conf includes it.`, index.tenantComponents.get(slug)?.urn ?? first);
    }
}
