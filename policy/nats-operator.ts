// Operator mode as the server loads it: the operator JWT it trusts and the account JWTs its MEMORY
// resolver preloads, decoded (signatures verified) and checked account by account: signer, imports,
// exports, the permissions its users can get, and the plan's limits.
import type { Account, ClaimsData, Operator, Permission, SigningKey, User } from "@nats-io/jwt";
import { decodeJwt } from "../components/nats-jwt";
import type { GuardConfig } from "./config";
import { permProblems, tenantAccountProblems, type NatsTenants } from "./nats-checks";
import type { NatsPerm, NatsServerModel } from "./nats-model";
import { entryFor, registryFor } from "./tenant-registry";

/** An account JWT of the stack, decoded. */
export interface DecodedAccount {
    /** The key it is stored under (a resolver entry) or its subject. */
    key: string;
    /** Its claims. */
    claims: ClaimsData<Account>;
}

/** The tenants the checks know, with each one's org id. */
export type KnownTenants = NatsTenants & { ids: Map<string, string | undefined> };

/** Decodes a JWT of the expected type, or says why it cannot be read. */
export function decodeAs<T>(jwt: string, type: "operator" | "account" | "user"): { claims: ClaimsData<T> } | { problem: string } {
    let claims: ClaimsData<T>;
    try {
        claims = decodeJwt<T>(jwt);
    } catch (error) {
        return { problem: `does not decode as a NATS JWT with a valid signature (${(error as Error).message})` };
    }
    const actual = (claims.nats as { type?: unknown } | undefined)?.type ?? claims.type;
    return actual === type ? { claims } : { problem: `is a ${String(actual)} JWT, not an ${type} JWT` };
}

// A JWT permission as the checks read it: no allow list (or an empty one) lets the user use every subject.
function perm(p: Partial<Permission> | undefined): NatsPerm {
    return p?.allow && p.allow.length > 0 ? { allow: p.allow } : {};
}

function limitProblems(claims: ClaimsData<Account>, slug: string, who: string, config: GuardConfig, id: string): string[] {
    const found = entryFor(registryFor(config), slug, id);
    if ("problem" in found) return [`${who}: its limits cannot be checked against its plan: ${found.problem}.`];
    const limits = (claims.nats.limits ?? {}) as Record<string, unknown>;
    const { nats } = found.plan;
    const wanted: Array<[string, string, number | undefined]> = [
        ["conn", "connections", nats.maxConnections],
        ["subs", "subscriptions", nats.maxSubscriptions],
        ["payload", "bytes of payload", nats.maxPayload],
        ["data", "bytes of data", undefined],
    ];
    const problems: string[] = [];
    for (const [key, what, max] of wanted) {
        const value = limits[key];
        if (typeof value !== "number") problems.push(`${who} sets no ${key} limit; every tenant account must carry its plan's limits (conn, subs, payload, data).`);
        else if (max !== undefined && (value < 0 || value > max)) problems.push(`${who} allows ${value < 0 ? "unlimited" : value} ${what} (limits.${key}); plan ${found.entry.tenant.plan} allows ${max}.`);
    }
    return problems;
}

function permissionProblems(claims: ClaimsData<Account>, slug: string, who: string, config: GuardConfig, tenants: NatsTenants): string[] {
    const platform = config.platformNatsSubjects.map((s) => s.split("{slug}").join(slug));
    const allowed = [`org.${slug}.>`, `_INBOX.${slug}.>`, ...platform];
    const rule = `; tenant ${slug} may use only ${allowed.join(", ")}.`;
    const keys = (claims.nats.signing_keys ?? []) as Array<string | SigningKey>;
    const problems: string[] = [];
    if (keys.length === 0) problems.push(`${who} has no scoped signing key, so its users carry whatever permissions their own JWTs say; a tenant's users must come from a scoped signing key.`);
    const scopes: Array<[string, Partial<SigningKey["template"]> | undefined]> = [["default permissions", claims.nats.default_permissions]];
    for (const key of keys) {
        if (typeof key === "string") problems.push(`${who} has the unscoped signing key ${key}: users it issues carry whatever permissions their own JWTs say; a tenant's users must come from a scoped signing key.`);
        else scopes.push([`users of signing key ${key.key}`, key.template]);
    }
    for (const [whose, template] of scopes) {
        const w = `${who} (${whose})`;
        problems.push(...permProblems(w, "publish", perm(template?.pub), allowed, rule, slug, tenants));
        problems.push(...permProblems(w, "subscribe", perm(template?.sub), allowed, rule, slug, tenants));
        if (template && "resp" in template && template.resp) problems.push(`${w} may answer requests on their reply subjects, wherever they are${rule}`);
    }
    return problems;
}

/** Everything wrong with tenant `slug`'s (org id `id`) account JWT: imports, exports, permissions and limits. */
export function tenantJwtProblems(account: DecodedAccount, slug: string, id: string, names: ReadonlyMap<string, string>, config: GuardConfig, tenants: NatsTenants): string[] {
    const { claims } = account;
    const who = `NATS account "${claims.name}" of tenant ${slug}`;
    const model = {
        name: claims.name,
        users: [],
        imports: (claims.nats.imports ?? []).map((i) => ({
            kind: String(i.type ?? "import"),
            account: names.get(i.account) ?? i.account,
            subject: String(i.subject),
            to: String(i.local_subject ?? i.to ?? i.subject),
        })),
        exports: (claims.nats.exports ?? []).map((e) => ({ kind: String(e.type), subject: String(e.subject) })),
    };
    return [
        ...tenantAccountProblems(model, slug, null, config, tenants),
        ...permissionProblems(claims, slug, who, config, tenants),
        ...limitProblems(claims, slug, who, config, id),
    ];
}

/** The keys an operator JWT lets sign accounts: its own and its signing keys. */
export function trustedKeys(operators: ClaimsData<Operator>[]): Set<string> {
    return new Set(operators.flatMap((o) => [o.sub, ...((o.nats.signing_keys ?? []) as Array<string | SigningKey>).map((k) => (typeof k === "string" ? k : k.key))]));
}

/** The operators a server trusts, decoded, and problems with them. */
export function operatorsOf(model: NatsServerModel): { operators: ClaimsData<Operator>[]; problems: string[] } {
    const operators: ClaimsData<Operator>[] = [];
    const problems: string[] = [];
    for (const jwt of model.operatorMode?.operators ?? []) {
        if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(jwt)) continue;
        const decoded = decodeAs<Operator>(jwt, "operator");
        if ("problem" in decoded) problems.push(`its operator ${decoded.problem}`);
        else operators.push(decoded.claims);
    }
    return { operators, problems };
}

/** Decodes a server's preloaded accounts (with problems for entries it cannot read) and names every account key. */
export function preloadedAccounts(model: NatsServerModel): { accounts: DecodedAccount[]; problems: string[] } {
    const accounts: DecodedAccount[] = [];
    const problems: string[] = [];
    for (const { key, jwt } of model.operatorMode?.preload ?? []) {
        const decoded = decodeAs<Account>(jwt, "account");
        if ("problem" in decoded) problems.push(`its resolver entry "${key}" ${decoded.problem}`);
        else if (decoded.claims.sub !== key) problems.push(`its resolver entry "${key}" holds the JWT of account ${decoded.claims.sub}; the server would refuse it`);
        else accounts.push({ key, claims: decoded.claims });
    }
    return { accounts, problems };
}

/** A problem of an operator-mode configuration; `jwt` is the account JWT it is about, reported where that JWT lies. */
export interface OperatorProblem {
    /** The sentence. */
    message: string;
    /** The account JWT it concerns, if any. */
    jwt?: string;
}

/** Every problem of an operator-mode server configuration: signers, the system account, and each tenant's account. */
export function operatorServerProblems(model: NatsServerModel, tenants: KnownTenants, config: GuardConfig, names: ReadonlyMap<string, string>): OperatorProblem[] {
    const own = operatorsOf(model);
    const preloaded = preloadedAccounts(model);
    const readable = "; the NATS configuration the server loads must be fully known and readable so every tenant's account can be checked.";
    const problems: OperatorProblem[] = [...own.problems, ...preloaded.problems].map((message) => ({ message: `${message}${readable}` }));
    const jwtOf = new Map(model.operatorMode!.preload.map((p) => [p.key, p.jwt]));
    const about = (a: DecodedAccount, message: string): OperatorProblem => ({ message, jwt: jwtOf.get(a.key) });
    const trusted = trustedKeys(own.operators);
    for (const a of preloaded.accounts) {
        if (!trusted.has(a.claims.iss)) problems.push(about(a, `NATS account "${a.claims.name}" (${a.key}) is signed by ${a.claims.iss}, which is not the operator the configuration that loads it trusts; the server would refuse it, and the pack will not guess.`));
    }
    const system = model.systemAccount;
    if (system !== undefined && tenants.byAccount.has(names.get(system) ?? "")) {
        problems.push({ message: `system_account "${system}" is tenant ${tenants.byAccount.get(names.get(system)!)}'s account, which would see every account's traffic; the system account must belong to the platform.` });
    }
    const byName = new Map<string, DecodedAccount[]>();
    for (const a of preloaded.accounts) byName.set(a.claims.name, [...(byName.get(a.claims.name) ?? []), a]);
    if (tenants.slugs.size > 0 && (byName.get(config.platformNatsAccount)?.length ?? 0) !== 1) {
        problems.push({ message: `it preloads ${byName.get(config.platformNatsAccount)?.length ?? 0} accounts named "${config.platformNatsAccount}"; tenants import from exactly one platform account.` });
    }
    for (const [slug, id] of tenants.ids) {
        if (id === undefined) continue;
        const found = byName.get(id) ?? [];
        if (found.length !== 1) problems.push({ message: `it preloads ${found.length === 0 ? "no account" : `${found.length} accounts`} named "${id}" for tenant ${slug}; every tenant's account must be in the configuration the server loads, once.` });
        else problems.push(...tenantJwtProblems(found[0], slug, id, names, config, tenants).map((m) => about(found[0], m)));
    }
    return problems;
}

/** Problems of a user JWT found in the stack: it must be issued by a scoped signing key of its account. */
export function userJwtProblems(claims: ClaimsData<User>, accounts: ReadonlyMap<string, DecodedAccount>, tenants: NatsTenants): string[] {
    const accountKey = claims.nats.issuer_account ?? claims.iss;
    const account = accounts.get(accountKey);
    const slug = account ? tenants.byAccount.get(account.claims.name) : undefined;
    if (!account || !slug) return [];
    const scoped = ((account.claims.nats.signing_keys ?? []) as Array<string | SigningKey>).some((k) => typeof k !== "string" && k.key === claims.iss);
    if (scoped) return [];
    return [`it holds a user JWT (${claims.sub}) of tenant ${slug}'s NATS account "${account.claims.name}" issued by ${claims.iss}, which is not a scoped signing key of that account: its permissions are its own, not the account's.`];
}
