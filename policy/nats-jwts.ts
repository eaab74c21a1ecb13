// Every NATS JWT the stack declares, wherever it is: the accounts (named, so imports read as
// `from PLATFORM`), and the ones no server configuration preloads, checked on their own: a tenant's
// account JWT lying in any ConfigMap or Secret is held to the same rules, and a user JWT must come
// from a scoped signing key of its account.
import type { Account, ClaimsData, Operator, User } from "@nats-io/jwt";
import type { GuardConfig } from "./config";
import type { NatsDeclarations } from "./nats-documents";
import { decodeAs, operatorsOf, preloadedAccounts, tenantJwtProblems, trustedKeys, userJwtProblems, type DecodedAccount, type KnownTenants } from "./nats-operator";
import type { Report } from "./rule-kit";

/** The stack's accounts and operators, decoded. */
export interface StackAccounts {
    /** Account JWTs by public key (preloaded ones first, then any other found). */
    byKey: Map<string, DecodedAccount>;
    /** Account names by public key. */
    names: Map<string, string>;
    /** Every operator a server configuration trusts. */
    operators: ClaimsData<Operator>[];
    /** JWT texts some server configuration preloads (checked there). */
    preloaded: Set<string>;
    /** Keys that may sign an account: those of every operator a configuration trusts, and the pinned operator. */
    trusted: Set<string>;
}

/**
 * Decodes the accounts and operators of every operator-mode configuration and every account JWT
 * elsewhere; the pinned keys (pack config) name the PLATFORM account and trust the operator even
 * where the stack holds no operator.conf (a shard).
 */
export function stackAccounts(declared: NatsDeclarations, pins: { operator?: string; platformAccount?: string; platformName: string } = { platformName: "" }): StackAccounts {
    const found: StackAccounts = { byKey: new Map(), names: new Map(), operators: [], preloaded: new Set(), trusted: new Set() };
    for (const { model } of declared.servers) {
        if (!model.operatorMode) continue;
        found.operators.push(...operatorsOf(model).operators);
        for (const { jwt } of model.operatorMode.preload) found.preloaded.add(jwt);
        for (const a of preloadedAccounts(model).accounts) if (!found.byKey.has(a.key)) found.byKey.set(a.key, a);
    }
    for (const { jwt } of declared.jwts) {
        const decoded = decodeAs<Account>(jwt, "account");
        if ("claims" in decoded && !found.byKey.has(decoded.claims.sub)) found.byKey.set(decoded.claims.sub, { key: decoded.claims.sub, claims: decoded.claims });
    }
    for (const [key, a] of found.byKey) found.names.set(key, a.claims.name);
    if (pins.platformAccount && !found.names.has(pins.platformAccount)) found.names.set(pins.platformAccount, pins.platformName);
    found.trusted = trustedKeys(found.operators);
    if (pins.operator) found.trusted.add(pins.operator);
    return found;
}

// A JWT no configuration preloads: a tenant's account JWT, a user JWT, or something unreadable.
function looseProblems(jwt: string, accounts: StackAccounts, tenants: KnownTenants, config: GuardConfig): string[] {
    let type: unknown;
    try {
        type = (JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as { nats?: { type?: unknown } }).nats?.type;
    } catch {
        type = undefined;
    }
    if (type === "operator") return [];
    if (type === "user") {
        const user = decodeAs<User>(jwt, "user");
        return "problem" in user ? [`it holds a NATS user JWT that ${user.problem}; a NATS credential must be one the pack can read.`] : userJwtProblems(user.claims, accounts.byKey, tenants);
    }
    const account = decodeAs<Account>(jwt, "account");
    if ("problem" in account) return [`it holds a NATS JWT that ${account.problem}; what may reach the NATS server must be readable.`];
    const slug = tenants.byAccount.get(account.claims.name);
    if (!slug) return [];
    const problems = tenantJwtProblems({ key: account.claims.sub, claims: account.claims }, slug, account.claims.name, accounts.names, config, tenants);
    if (!accounts.trusted.has(account.claims.iss)) {
        problems.unshift(`NATS account "${account.claims.name}" (${account.claims.sub}) is signed by ${account.claims.iss}, which neither an operator configuration of the stack nor the pack's natsOperatorKey trusts.`);
    }
    return problems;
}

/** Reports every problem of the NATS JWTs that no server configuration preloads, where each lies. */
export function checkJwts(declared: NatsDeclarations, accounts: StackAccounts, tenants: KnownTenants, config: GuardConfig, report: Report): void {
    for (const { where, object, jwt } of declared.jwts) {
        if (accounts.preloaded.has(jwt)) continue;
        for (const problem of looseProblems(jwt, accounts, tenants, config)) report(`${where}: ${problem}`, object.resource.urn);
    }
}
