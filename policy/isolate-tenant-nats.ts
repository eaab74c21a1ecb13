import type { StackValidationPolicy } from "@pulumi/policy";
import { CREDENTIAL_ACCOUNT_KEY } from "../contract";
import type { GuardConfig } from "./config";
import { namespaceOfTenant, tenantOfNamespace } from "./helpers";
import { crossAccountProblems, tenantAccountProblems, type NatsTenants } from "./nats-checks";
import { dataEntries, natsDeclarations, type NatsDeclarations } from "./nats-documents";
import { checkJwts, stackAccounts } from "./nats-jwts";
import { checkShard, withoutOperatorConf, type Pins } from "./nats-shards";
import { pinnedKeys, shardView } from "./shards";
import { operatorServerProblems } from "./nats-operator";
import { seedsIn } from "./nats-seeds";
import { describeObject, isKind } from "./objects";
import { stackRule, type Report } from "./rule-kit";
import type { StackIndex, StackObject } from "./stack-index";
import { firstUnknown, isUnknown } from "./unknowns";

export { subjectWithin } from "./nats-checks";

/** Checks that the NATS configuration the server loads keeps every tenant in its own account, and that credentials stay in their tenant's namespace. */
export const isolateTenantNats: StackValidationPolicy = stackRule(
    {
        name: "isolate-tenant-nats",
        description:
            "Checks that every NATS server configuration declared in any ConfigMap or Secret, in config mode or operator mode (the operator JWT and every account JWT its resolver preloads, includes read from the NATS namespaces' objects), and every NATS account or user JWT anywhere, gives each tenant its own account, signed by the operator, with permissions (of its default and its scoped signing keys), imports and exports within its own subjects, its inbox and the platform's, and its plan's limits; that such a configuration exists and is known during preview whenever tenants exist (in a sharded registry: in shard 0, pinned to the operator and PLATFORM account of the pack configuration, while every other shard declares exactly its own tenants' account files, signed by the pinned operator); and that a tenant's credential (its nkey seed or account) exists only in its own namespace.",
        config: [
            "tenantNamespacePrefix", "tenantLabel", "orgIdAnnotation", "platformNatsSubjects", "platformNatsAccount", "natsNamespaces", "registryDir",
            "shard", "natsOperatorKey", "natsPlatformAccountKey", "planOnlyTenants",
        ],
    },
    (index, config, report) => {
        const tenants = knownTenants(index, config);
        const shards = shardView(config);
        const pins = pinnedKeys(config, shards);
        const entries = dataEntries(index);
        const declared = natsDeclarations(entries, config, shards.elsewhereByFile);
        const ownKeys = credentialKeys(index, config, tenants, declared, report);
        checkShard(index, config, tenants, shards, pins, entries, declared, report);
        checkDeclared(index, config, tenants, ownKeys, declared, { ...pins, shardWithoutConf: withoutOperatorConf(shards) }, report);
        credentialAccounts(index, config, tenants, report);
        unknownCredentials(index, config, report);
    },
);

function knownTenants(index: StackIndex, config: GuardConfig): NatsTenants & { ids: Map<string, string | undefined> } {
    const ids = new Map<string, string | undefined>();
    for (const slug of index.tenantComponents.keys()) ids.set(slug, index.tenantIdOf(slug, config));
    for (const name of index.namespaces.keys()) {
        const slug = tenantOfNamespace(name, config);
        if (slug && !ids.has(slug)) ids.set(slug, index.namespaceLabel(name, config.tenantLabel));
    }
    const byAccount = new Map<string, string>();
    for (const [slug, id] of ids) if (id !== undefined && !isUnknown(id)) byAccount.set(id, slug);
    return { ids, byAccount, slugs: new Set(ids.keys()), keyOwner: new Map() };
}

// Finds every seed, decides whose it is (the tenant whose component or namespace holds it, else the
// tenant whose account lists its public key), reports copies outside that tenant's namespace, and
// returns each tenant's own public keys.
function credentialKeys(index: StackIndex, config: GuardConfig, tenants: NatsTenants, declared: NatsDeclarations, report: Report): Map<string, Set<string>> {
    const found: { object: StackObject; key: string }[] = [];
    const own = new Map<string, Set<string>>();
    for (const object of index.objects) {
        const holder = index.ownerOf(object.resource) ?? tenantOfNamespace(object.meta.namespace, config);
        for (const key of seedsIn(object.body).values()) {
            found.push({ object, key });
            if (holder && !tenants.keyOwner.has(key)) tenants.keyOwner.set(key, holder);
            if (holder && tenants.keyOwner.get(key) === holder) own.set(holder, (own.get(holder) ?? new Set()).add(key));
        }
    }
    for (const server of declared.servers) {
        for (const account of server.model.accounts.values()) {
            const slug = tenants.byAccount.get(account.name);
            for (const user of account.users) if (slug && user.nkey && !tenants.keyOwner.has(user.nkey)) tenants.keyOwner.set(user.nkey, slug);
        }
    }
    for (const { object, key } of found) {
        const owner = tenants.keyOwner.get(key);
        if (!owner || object.meta.namespace === namespaceOfTenant(owner, config)) continue;
        const there = tenantOfNamespace(object.meta.namespace, config);
        const where = there ? `tenant ${there}'s namespace` : `namespace "${object.meta.namespace ?? "(none)"}"`;
        report(`${describeObject(object)} holds tenant ${owner}'s NATS credential (the nkey seed of ${key}) in ${where}; a tenant's credential may exist only in its own namespace "${namespaceOfTenant(owner, config)}".`, object.resource.urn);
    }
    return own;
}

function checkDeclared(
    index: StackIndex, config: GuardConfig, tenants: NatsTenants & { ids: Map<string, string | undefined> }, ownKeys: Map<string, Set<string>>, declared: NatsDeclarations,
    pins: Pins & { shardWithoutConf: boolean }, report: Report,
): void {
    if (tenants.slugs.size > 0 && declared.servers.length === 0 && !pins.shardWithoutConf) {
        const first = [...index.tenantComponents.values()][0] ?? index.namespaces.values().next().value?.[0]?.resource;
        report(`The stack declares tenants (${[...tenants.slugs].sort().join(", ")}) but no NATS server configuration (an accounts document or operator configuration in a ConfigMap or Secret) the pack can read; the configuration the server loads must be declared and known during preview so every tenant's account can be checked (a stack that is shard 1 or more of a sharded registry needs the pack configured with its shard).`, first?.urn);
    }
    const accounts = stackAccounts(declared, { ...pins, platformName: config.platformNatsAccount });
    for (const entry of declared.unknown) {
        const inNats = config.natsNamespaces.includes(entry.object.meta.namespace ?? "");
        const configLike = isKind(entry.object, "ConfigMap") || /\.(conf|json)$/.test(entry.key);
        if (!(inNats && configLike)) continue;
        report(`${describeObject(entry.object)} key ${entry.key} is unknown during preview; what the NATS server may load must be known so every tenant's account can be checked.`, entry.object.resource.urn);
    }
    for (const bad of declared.unreadable) report(`${bad.where} ${bad.why}; a NATS configuration must be one the pack can read.`, bad.object.resource.urn);
    for (const server of declared.servers) {
        const urn = server.object.resource.urn;
        const say = (m: string) => report(`${server.where}: ${m}`, urn);
        for (const problem of server.model.problems) say(`${problem}; the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.`);
        if (server.model.operatorMode) {
            // A problem of one account is reported where its JWT lies (its own ConfigMap), the rest at the configuration.
            for (const p of operatorServerProblems(server.model, tenants, config, accounts.names)) {
                const at = p.jwt ? declared.jwts.find((j) => j.jwt === p.jwt) : undefined;
                if (at) report(`${at.where}: ${p.message}`, at.object.resource.urn);
                else say(p.message);
            }
            continue;
        }
        for (const [slug, id] of tenants.ids) {
            if (id === undefined || isUnknown(id)) continue;
            const account = server.model.accounts.get(id);
            if (!account) say(`it has no account "${id}" for tenant ${slug}; every tenant's account must be in the configuration the server loads.`);
            else tenantAccountProblems(account, slug, ownKeys.get(slug) ?? new Set(), config, tenants).forEach(say);
        }
        crossAccountProblems(server.model, tenants).forEach(say);
    }
    checkJwts(declared, accounts, tenants, config, report);
}

// A Secret naming a tenant's account in NATS_ACCOUNT is that tenant's credential: it belongs in its namespace.
function credentialAccounts(index: StackIndex, config: GuardConfig, tenants: NatsTenants & { ids: Map<string, string | undefined> }, report: Report): void {
    for (const entry of dataEntries(index).filter((e) => e.key === CREDENTIAL_ACCOUNT_KEY && isKind(e.object, "Secret"))) {
        const o = entry.object;
        const nsTenant = tenantOfNamespace(o.meta.namespace, config);
        const what = describeObject(o);
        const account = entry.text.trim();
        if (nsTenant) {
            const own = tenants.ids.get(nsTenant);
            if (own !== undefined && !isUnknown(own) && !isUnknown(account) && account !== own) {
                report(`${what} of tenant ${nsTenant} holds the credential of NATS account "${account}"; it must hold tenant ${nsTenant}'s own account "${own}".`, o.resource.urn);
            }
        } else if (isUnknown(account) || tenants.byAccount.has(account)) {
            const whose = isUnknown(account) ? "a NATS account unknown during preview" : `tenant ${tenants.byAccount.get(account)}'s NATS account "${account}"`;
            report(`${what} is a tenant NATS credential (for ${whose}) outside tenant namespaces; it must exist only in its tenant's own namespace.`, o.resource.urn);
        }
    }
}

// A Secret whose data is unknown during preview and comes from another tenant's resources may be a copy of that tenant's seed.
function unknownCredentials(index: StackIndex, config: GuardConfig, report: Report): void {
    for (const o of index.objects.filter((x) => isKind(x, "Secret"))) {
        if (!firstUnknown(o.body.data) && !firstUnknown(o.body.stringData)) continue;
        const deps = [...(o.resource.propertyDependencies?.stringData ?? []), ...(o.resource.propertyDependencies?.data ?? [])];
        const sources = deps.length > 0 ? deps : o.resource.dependencies;
        const here = tenantOfNamespace(o.meta.namespace, config);
        const foreign = [...new Set(sources.map((d) => index.ownerOf(d)).filter((s): s is string => s !== undefined && s !== here))].sort();
        for (const owner of foreign) {
            report(`${describeObject(o)} has data unknown during preview that comes from tenant ${owner}'s resources; it may hold tenant ${owner}'s credential, which may exist only in "${namespaceOfTenant(owner, config)}".`, o.resource.urn);
        }
    }
}
