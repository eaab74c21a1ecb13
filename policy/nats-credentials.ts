// Whose NATS credential is where. A credential's owner is decided by the pinned keys (derivation),
// never by the first namespace seen holding it: a tenant's user (its seed, or a user JWT of its
// account) lives only in the tenant's namespace, the PLATFORM user only in the NATS namespaces, and
// the seeds of the operator, of any account and of any signing key nowhere at all.
import { CREDENTIAL_ACCOUNT_KEY, PLATFORM_ACCOUNT, SYSTEM_ACCOUNT } from "../contract";
import type { GuardConfig } from "./config";
import { readNatsJwt } from "./nats-claims";
import { dataEntries, natsJwtsInTexts } from "./nats-documents";
import { describePinned, type NatsPins, type PinnedKey } from "./nats-pins";
import { seedsInTexts, textLayers } from "./nats-seeds";
import { namespaceOfTenant, tenantOfNamespace } from "./helpers";
import { describeObject, isKind } from "./objects";
import type { Report } from "./rule-kit";
import type { StackIndex, StackObject } from "./stack-index";
import { firstUnknown, isUnknown } from "./unknowns";

// Where a user credential of `owner` may be: its tenant's namespace, or the NATS namespaces for PLATFORM.
function home(p: PinnedKey, config: GuardConfig): string[] {
    if (p.owner === PLATFORM_ACCOUNT) return config.natsNamespaces;
    return p.slug ? [namespaceOfTenant(p.slug, config)] : [];
}

function place(object: StackObject, config: GuardConfig): string {
    const ns = object.meta.namespace;
    const tenant = tenantOfNamespace(ns, config);
    return tenant ? `tenant ${tenant}'s namespace` : `namespace "${ns ?? "(none)"}"`;
}

function homeText(p: PinnedKey, config: GuardConfig): string {
    const where = home(p, config);
    return where.length > 0 ? `only in ${where.map((n) => `"${n}"`).join(", ")}` : "nowhere (its org id is not a registry tenant)";
}

/**
 * Reports every NATS seed of a pinned key outside the place its owner's credential may be, and every
 * user JWT that is not a pinned user of a pinned account or lies outside its owner's namespace; each
 * object's text is decoded once for both.
 */
export function checkCredentials(index: StackIndex, config: GuardConfig, pins: NatsPins, report: Report): void {
    for (const object of index.objects) {
        const texts = [...textLayers(object.body)];
        seedProblems(object, seedsInTexts(texts), config, pins, report);
        for (const jwt of natsJwtsInTexts(texts, "user")) userJwtProblems(object, jwt, config, pins, report);
    }
}

// A seed of a pinned key: a user's only where its owner's credential may be; any other never.
function seedProblems(object: StackObject, seeds: ReturnType<typeof seedsInTexts>, config: GuardConfig, pins: NatsPins, report: Report): void {
    for (const found of seeds.values()) {
        const pinned = pins.byKey.get(found.publicKey);
        if (!pinned) continue; // no key of this stack: it opens nothing the server loads
        const what = `${describeObject(object)} holds the nkey seed of ${found.publicKey}, ${describePinned(pinned)}`;
        if (pinned.role !== "user") {
            report(`${what}, in ${place(object, config)}; the seeds of the operator, of accounts and of signing keys are derived when signing and must never be stored.`, object.resource.urn);
        } else if (!home(pinned, config).includes(object.meta.namespace ?? "")) {
            report(`${what}, in ${place(object, config)}; that credential may exist ${homeText(pinned, config)}.`, object.resource.urn);
        }
    }
}

// A user JWT must be the pinned user of a pinned account, issued by its signing key, in its owner's place.
function userJwtProblems(object: StackObject, jwt: string, config: GuardConfig, pins: NatsPins, report: Report): void {
    const read = readNatsJwt(jwt, "user");
    const at = describeObject(object);
    if ("problem" in read) {
        report(`${at} holds a NATS user JWT that ${read.problem}; a NATS credential must be one the pack can read.`, object.resource.urn);
        return;
    }
    const { claims } = read;
    const account = pins.byKey.get(claims.nats.issuer_account);
    if (!account || account.role !== "account" || account.owner === SYSTEM_ACCOUNT) {
        report(`${at} holds a NATS user JWT (${claims.sub}) of account ${claims.nats.issuer_account}, which is neither a tenant's account nor the ${PLATFORM_ACCOUNT} account tenancy derives; a NATS user must belong to one of them.`, object.resource.urn);
        return;
    }
    const owner = describePinned(account);
    const keys = account.owner === PLATFORM_ACCOUNT ? pins.keys.platform : pins.keys.tenants[account.owner];
    if (claims.iss !== keys.signing) report(`${at} holds a user JWT (${claims.sub}) of ${owner} issued by ${claims.iss}, not by its derived scoped signing key ${keys.signing}.`, object.resource.urn);
    if (claims.sub !== keys.user) report(`${at} holds a user JWT for ${claims.sub} of ${owner}, not its derived user ${keys.user}; every user of an account is the one tenancy derives.`, object.resource.urn);
    if (!home(account, config).includes(object.meta.namespace ?? "")) {
        report(`${at} holds a user JWT (${claims.sub}) of ${owner}, in ${place(object, config)}; that credential may exist ${homeText(account, config)}.`, object.resource.urn);
    }
}

/** A Secret naming an account in NATS_ACCOUNT is that account's credential: it belongs in its tenant's namespace. */
export function checkCredentialAccounts(index: StackIndex, config: GuardConfig, ids: ReadonlyMap<string, string | undefined>, bySlugOfId: ReadonlyMap<string, string>, report: Report): void {
    for (const entry of dataEntries(index).filter((e) => e.key === CREDENTIAL_ACCOUNT_KEY && isKind(e.object, "Secret"))) {
        const o = entry.object;
        const nsTenant = tenantOfNamespace(o.meta.namespace, config);
        const what = describeObject(o);
        const account = entry.text.trim();
        if (nsTenant) {
            const own = ids.get(nsTenant);
            if (own !== undefined && !isUnknown(own) && !isUnknown(account) && account !== own) {
                report(`${what} of tenant ${nsTenant} holds the credential of NATS account "${account}"; it must hold tenant ${nsTenant}'s own account "${own}".`, o.resource.urn);
            }
        } else if (isUnknown(account) || bySlugOfId.has(account)) {
            const whose = isUnknown(account) ? "a NATS account unknown during preview" : `tenant ${bySlugOfId.get(account)}'s NATS account "${account}"`;
            report(`${what} is a tenant NATS credential (for ${whose}) outside tenant namespaces; it must exist only in its tenant's own namespace.`, o.resource.urn);
        }
    }
}

/** A Secret whose data is unknown during preview and comes from another tenant's resources may be a copy of that tenant's seed. */
export function checkUnknownCredentials(index: StackIndex, config: GuardConfig, report: Report): void {
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
