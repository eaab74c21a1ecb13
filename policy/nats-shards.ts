// The NATS checks that depend on the stack's shard: a sharded stack declares the account files of
// its own tenants and no other's, the shared shard's operator.conf trusts the operator and PLATFORM
// account every shard is pinned to, and each tenant's account file in a shard without operator.conf
// is the tenant's own account, signed by the pinned operator (its content is then checked like any
// account JWT of the stack).
import type { Account } from "@nats-io/jwt";
import { parseAccountConf } from "../components";
import { natsAccountConfKey } from "../contract";
import { SHARED_SHARD } from "../registry";
import type { GuardConfig } from "./config";
import type { DataEntry, NatsDeclarations } from "./nats-documents";
import { decodeAs, operatorsOf, preloadedAccounts, type KnownTenants } from "./nats-operator";
import { describeObject } from "./objects";
import type { Report } from "./rule-kit";
import type { ShardView } from "./shards";
import type { StackIndex } from "./stack-index";
import { isUnknown } from "./unknowns";

/** The pinned keys, as read from the pack configuration. */
export interface Pins {
    /** Public key of the operator every account must be signed by (natsOperatorKey). */
    operator?: string;
    /** Public key of the PLATFORM account tenants import from (natsPlatformAccountKey). */
    platformAccount?: string;
}

/** Whether the stack is a shard other than the one holding operator.conf. */
export function withoutOperatorConf(view: ShardView): boolean {
    return view.shard !== undefined && view.shard.index !== SHARED_SHARD;
}

/** Reports every shard problem of the stack's NATS declarations. */
export function checkShard(index: StackIndex, config: GuardConfig, tenants: KnownTenants, view: ShardView, pins: Pins & { problems: string[] }, entries: DataEntry[], declared: NatsDeclarations, report: Report): void {
    const first = [...index.tenantComponents.values()][0]?.urn;
    if (view.problem) report(`${view.problem}; the pack must know which of the registry's tenants this stack declares.`, first);
    for (const problem of pins.problems) report(problem, first);
    const here = view.shard ? `shard ${view.shard.index} of ${view.shard.count}` : "this stack";
    for (const [slug, id] of tenants.ids) {
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
    const natsEntries = entries.filter((e) => config.natsNamespaces.includes(e.object.meta.namespace ?? ""));
    for (const e of natsEntries) {
        const other = view.elsewhereByFile.get(e.key);
        if (other?.shard !== undefined && view.shard) {
            report(`${describeObject(e.object)} key ${e.key} is the NATS account file of tenant ${other.slug} (${other.id}), which belongs to shard ${other.shard} of ${view.shard.count}; this stack is ${here} and may declare only its own tenants' account files.`, e.object.resource.urn);
        }
    }
    for (const server of declared.servers.filter((s) => s.model.operatorMode)) pinnedServerProblems(server.model, pins, config.platformNatsAccount).forEach((m) => report(`${server.where}: ${m}`, server.object.resource.urn));
    if (withoutOperatorConf(view)) accountFiles(tenants, natsEntries, pins, config, here, report, first);
}

// The shared shard's configuration must load what every other shard was checked against.
function pinnedServerProblems(model: Parameters<typeof operatorsOf>[0], pins: Pins, platformName: string): string[] {
    const problems: string[] = [];
    if (pins.operator) {
        const others = operatorsOf(model).operators.map((o) => o.sub).filter((k) => k !== pins.operator);
        if (others.length > 0) problems.push(`it trusts operator ${others.join(", ")}, not the pinned natsOperatorKey ${pins.operator}; every stack of the registry must trust the same operator.`);
    }
    if (pins.platformAccount) {
        const loaded = preloadedAccounts(model).accounts.filter((a) => a.claims.name === platformName).map((a) => a.key);
        if (loaded.some((key) => key !== pins.platformAccount)) {
            problems.push(`its ${platformName} account is ${loaded.join(", ")}, not the pinned natsPlatformAccountKey ${pins.platformAccount}; tenants of every shard import from the pinned account, so it must be the ${platformName} account the server loads.`);
        }
    }
    return problems;
}

// In a shard without operator.conf, the file operator.conf includes for each tenant: present once,
// readable, and holding the tenant's own account JWT signed by the pinned operator.
function accountFiles(tenants: KnownTenants, natsEntries: DataEntry[], pins: Pins, config: GuardConfig, here: string, report: Report, first: string | undefined): void {
    for (const [slug, id] of tenants.ids) {
        if (id === undefined || isUnknown(id)) continue;
        const file = natsAccountConfKey(id);
        const holders = natsEntries.filter((e) => e.key === file);
        const must = `in ${here} (no operator.conf), each tenant's account file must be declared once, in namespace ${config.natsNamespaces.join(", ")}, where the shared shard's operator.conf includes it`;
        if (holders.length !== 1) {
            const which = holders.length === 0 ? "no ConfigMap or Secret holds" : `${holders.length} objects hold (${holders.map((h) => describeObject(h.object)).join(", ")})`;
            report(`Tenant ${slug}'s NATS account file ${file}: ${which} it; ${must}.`, holders[0]?.object.resource.urn ?? first);
            continue;
        }
        const holder = holders[0];
        const where = `${describeObject(holder.object)} key ${file}`;
        if (isUnknown(holder.text)) continue; // reported with every unknown entry of the NATS namespaces
        const entry = parseAccountConf(holder.text);
        if (!entry) {
            report(`${where} is not one resolver entry ("<account public key>": "<account JWT>"); ${must}, readable by the pack.`, holder.object.resource.urn);
            continue;
        }
        const decoded = decodeAs<Account>(entry.jwt, "account");
        const problems: string[] = [];
        if ("problem" in decoded) problems.push(`its JWT ${decoded.problem}`);
        else {
            if (decoded.claims.sub !== entry.publicKey) problems.push(`it maps ${entry.publicKey} to the JWT of account ${decoded.claims.sub}; the server would refuse it`);
            if (decoded.claims.name !== id) problems.push(`it holds the account named "${decoded.claims.name}", not tenant ${slug}'s account "${id}"`);
            if (pins.operator && decoded.claims.iss !== pins.operator) problems.push(`its account is signed by ${decoded.claims.iss}, not by the pinned operator ${pins.operator} the shared shard's server trusts`);
        }
        for (const p of problems) report(`${where}: ${p}; ${must}.`, holder.object.resource.urn);
    }
}
