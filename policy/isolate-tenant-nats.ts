import type { StackValidationPolicy } from "@pulumi/policy";
import type { GuardConfig } from "./config";
import { tenantOfNamespace } from "./helpers";
import { platformAccountProblems, tenantAccountProblems } from "./nats-accounts";
import type { NatsTenants } from "./nats-checks";
import { checkCredentialAccounts, checkCredentials, checkUnknownCredentials } from "./nats-credentials";
import { checkConfigElsewhere, dataEntries } from "./nats-documents";
import { isPlatformCredential, natsNamespaceView, type NatsNamespaceView } from "./nats-namespace";
import { readPins, type NatsPins } from "./nats-pins";
import { checkShard, withoutOperatorConf } from "./nats-shards";
import { describeObject } from "./objects";
import { stackRule, type Report } from "./rule-kit";
import { shardView } from "./shards";
import type { StackIndex } from "./stack-index";
import { registryFor, type RegistryView } from "./tenant-registry";
import { isUnknown } from "./unknowns";

export { subjectWithin } from "./nats-checks";

/** Checks that the NATS files the server loads are exactly what tenancy renders, every account and credential is the one derived for its tenant, and each tenant stays in its own account. */
export const isolateTenantNats: StackValidationPolicy = stackRule(
    {
        name: "isolate-tenant-nats",
        description:
            "Checks that the NATS namespaces hold only what tenancy renders (operator.conf and one account file per tenant, read with a strict grammar of exactly the rendered form, and the platform's credential Secret); that every JWT the server loads reads under a strict claim schema (exact, case-sensitive keys, each once) and carries the keys derived from tenancy:natsMasterKey as pinned by the pack configuration's natsKeys (operator, system and PLATFORM accounts, each tenant's account, scoped signing key and user); that each tenant's account imports only the platform's subjects from the pinned PLATFORM account, exports nothing, keeps its users within its own subjects, its inbox and the platform's, and carries its plan's limits with no leaf node, no export and no bearer connection, and no connection while the tenant is not active; that a sharded stack declares exactly its own tenants' account files; and that every NATS seed (any key, any encoding) and user JWT lies only where its owner's credential may: a tenant's own namespace, the NATS namespace for the platform's, nowhere for operator, account and signing keys.",
        config: [
            "tenantNamespacePrefix", "tenantLabel", "orgIdAnnotation", "platformNatsSubjects", "platformNatsAccount", "natsNamespaces", "registryDir",
            "shard", "natsOperatorKey", "natsPlatformAccountKey", "natsKeys", "planOnlyTenants",
        ],
    },
    (index, config, report) => {
        const registry = registryFor(config);
        const tenants = knownTenants(index, config);
        const shards = shardView(config);
        const entries = dataEntries(index);
        const first = [...index.tenantComponents.values()][0]?.urn;
        const natsEntries = entries.filter((e) => config.natsNamespaces.includes(e.object.meta.namespace ?? ""));
        const { pins, problems } = readPins(config, registry);
        if (tenants.slugs.size > 0 || natsEntries.length > 0) problems.forEach((p) => report(p, first));
        // The platform credential's values are secrets, unknown when they come from other resources; any other unknown entry there may be a file the server loads.
        for (const e of natsEntries.filter((x) => isUnknown(x.text) && !isPlatformCredential(x))) {
            report(`${describeObject(e.object)} key ${e.key} is unknown during preview; what the NATS server may load must be known so every tenant's account can be checked.`, e.object.resource.urn);
        }
        const view = natsNamespaceView(entries, config, shards, pins, report);
        checkShard(index, config, tenants.ids, shards, entries, view.accountFiles, report);
        if (tenants.slugs.size > 0 && !view.operatorConf && !withoutOperatorConf(shards)) {
            report(`The stack declares tenants (${[...tenants.slugs].sort().join(", ")}) but no NATS operator.conf in namespace ${config.natsNamespaces.join(", ")}; the configuration the server loads must be declared and known during preview so every tenant's account can be checked (a stack that is shard 1 or more of a sharded registry needs the pack configured with its shard).`, first);
        }
        if (pins) {
            checkAccounts(view, tenants, pins, registry, config, report);
            checkCredentials(index, config, pins, report);
        }
        checkCredentialAccounts(index, config, tenants.ids, tenants.byAccount, report);
        checkUnknownCredentials(index, config, report);
        checkConfigElsewhere(entries, config, report);
    },
);

type KnownTenants = NatsTenants & { ids: Map<string, string | undefined> };

function knownTenants(index: StackIndex, config: GuardConfig): KnownTenants {
    const ids = new Map<string, string | undefined>();
    for (const slug of index.tenantComponents.keys()) ids.set(slug, index.tenantIdOf(slug, config));
    for (const name of index.namespaces.keys()) {
        const slug = tenantOfNamespace(name, config);
        if (slug && !ids.has(slug)) ids.set(slug, index.namespaceLabel(name, config.tenantLabel));
    }
    const byAccount = new Map<string, string>();
    for (const [slug, id] of ids) if (id !== undefined && !isUnknown(id)) byAccount.set(id, slug);
    return { ids, byAccount, slugs: new Set(ids.keys()) };
}

// Every loaded account against the pins, and every tenant of the stack loaded once with its derived key.
function checkAccounts(view: NatsNamespaceView, tenants: KnownTenants, pins: NatsPins, registry: RegistryView, config: GuardConfig, report: Report): void {
    const loaded = new Set(view.accounts.map((a) => a.key));
    for (const a of view.accounts) {
        const pinned = pins.byKey.get(a.key);
        const id = pinned?.role === "account" && pinned.owner.startsWith("org_") ? pinned.owner : registry.byId.has(a.claims.name) ? a.claims.name : undefined;
        const problems =
            id !== undefined
                ? tenantAccountProblems(a.key, a.claims, id, registry.byId.get(id)?.tenant.slug ?? tenants.byAccount.get(id) ?? id, pins, registry, config, tenants)
                : platformAccountProblems(a.key, a.claims, pins);
        for (const p of problems) report(`${a.where}: ${p}`, a.urn);
    }
    // An operator.conf the pack could not read is reported already, and a shard's missing account
    // files by checkShard: every tenant would only repeat it.
    if (!view.readable || !view.operatorConf) return;
    for (const [slug, id] of tenants.ids) {
        if (id === undefined || isUnknown(id)) continue;
        const key = pins.keys.tenants[id]?.account;
        if (key === undefined) report(`Tenant ${slug} (${id}) has no keys in the pack configuration's natsKeys; regenerate it with \`tenancy pack-config\` so the pack can compare the tenant's account with the one tenancy derives.`, undefined);
        else if (!loaded.has(key)) report(`Tenant ${slug} (${id}): the configuration the server loads holds no account with its derived key ${key}; every tenant's account must be loaded, once, with the key tenancy derives.`, undefined);
    }
}
