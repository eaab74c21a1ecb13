import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, readConfig, type GuardConfig } from "./config";
import { describeObject, kindOf, metadataOf, namespaceOfTenant, StackIndex, tenantOfNamespace } from "./helpers";

/**
 * The part of components/nats-authorization.ts's `NatsPermissionStructure` the rule reads, declared
 * here so the pack type-checks without the program's dependencies (a test checks the two agree).
 */
export interface NatsStructure {
    /** The platform's account. */
    platform: { account: string };
    /** One account per tenant. */
    tenants: NatsTenantAccount[];
}

/** One tenant's NATS account as the permission structure lists it. */
export interface NatsTenantAccount {
    /** Opaque org id of the tenant. */
    tenantId: string;
    /** Slug of the tenant. */
    slug: string;
    /** Account name. */
    account: string;
    /** `org.<slug>`. */
    subjectPrefix: string;
    /** `_INBOX.<slug>`. */
    inboxPrefix: string;
    /** Publish and subscribe allow-lists of the tenant's user. */
    permissions: { publish: { allow: string[] }; subscribe: { allow: string[] } };
    /** Imports from other accounts. */
    imports: { kind: string; account: string; subject: string; to: string }[];
    /** Exports to other accounts. */
    exports: { kind: string; subject: string }[];
}

// The error @pulumi/policy throws when a rule reads a value unknown during preview; its typings
// do not export it, but the module does, and `instanceof` is the only reliable test.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: never[]) => Error };

/** Key of the tenant's credential Secret naming its NATS account. */
export const CREDENTIAL_ACCOUNT_KEY = "NATS_ACCOUNT";

/**
 * True when every subject `subject` can match is also matched by `pattern` (NATS wildcards:
 * `*` one token, `>` one or more trailing tokens).
 */
export function subjectWithin(subject: string, pattern: string): boolean {
    const s = subject.split(".");
    const p = pattern.split(".");
    for (let i = 0; i < p.length; i++) {
        if (p[i] === ">") return i < s.length;
        if (i >= s.length) return false;
        if (s[i] === ">") return false;
        if (p[i] !== "*" && (s[i] === "*" || s[i] !== p[i])) return false;
    }
    return s.length === p.length;
}

/** Checks that NATS accounts, imports, exports and credentials never reach another tenant. */
export const isolateTenantNats: StackValidationPolicy = {
    name: "isolate-tenant-nats",
    description:
        "Checks that each tenant's NATS permissions, imports and exports reach only its own org.<slug>.> subjects, its own inbox and the platform subjects, and that its NATS credential Secret exists only in its own namespace.",
    enforcementLevel: "mandatory",
    configSchema: configSchemaFor([
        "tenantNamespacePrefix",
        "tenantLabel",
        "platformNamespaces",
        "platformNatsSubjects",
        "platformNatsAccount",
        "natsAuthorizationConfigMap",
        "natsPermissionsKey",
        "natsCredentialsSecret",
    ]),
    validateStack: (args, reportViolation) => {
        const config = readConfig(args.getConfig<Partial<GuardConfig>>());
        const index = new StackIndex(args.resources);
        for (const resource of args.resources) {
            const kind = kindOf(resource.type);
            const meta = kind ? metadataOf(resource.props) : undefined;
            if (kind === "ConfigMap" && meta?.name === config.natsAuthorizationConfigMap && config.platformNamespaces.includes(meta.namespace ?? "")) {
                const structure = readStructure(resource, config, reportViolation);
                if (structure) checkStructure(structure, resource.urn, index, config, reportViolation);
            } else if (kind === "Secret" && meta?.name === config.natsCredentialsSecret) {
                checkCredentialSecret(resource, index, config, reportViolation);
            }
        }
    },
};

type Report = (message: string, urn?: string) => void;

function readStructure(configMap: PolicyResource, config: GuardConfig, report: Report): NatsStructure | undefined {
    const where = `${describeObject(configMap.type, configMap.name, configMap.props)} key ${config.natsPermissionsKey}`;
    // Only this key is read: auth.json next to it is unknown during preview while new keys are.
    const text = ((configMap.props.data ?? {}) as Record<string, unknown>)[config.natsPermissionsKey];
    if (typeof text !== "string") {
        report(`${where} is missing; the NATS permission structure must be present so tenant isolation can be checked.`, configMap.urn);
        return undefined;
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        report(`${where} is not valid JSON; it must hold the NATS permission structure.`, configMap.urn);
        return undefined;
    }
    const s = parsed as Partial<NatsStructure> | null;
    if (!s || typeof s !== "object" || !Array.isArray(s.tenants) || !s.platform || typeof s.platform.account !== "string") {
        report(`${where} does not hold a permission structure with "platform" and "tenants"; it must, so tenant isolation can be checked.`, configMap.urn);
        return undefined;
    }
    return s as NatsStructure;
}

function checkStructure(structure: NatsStructure, urn: string, index: StackIndex, config: GuardConfig, report: Report): void {
    // One pass to index account owners, so import checks are constant time per import.
    const accountOwner = new Map<string, string>();
    for (const t of structure.tenants) {
        const other = accountOwner.get(t.account);
        if (other !== undefined && other !== t.slug) {
            report(`NATS account "${t.account}" is used by tenants ${other} and ${t.slug}; every tenant needs its own account.`, urn);
        } else accountOwner.set(t.account, t.slug);
    }
    for (const t of structure.tenants) {
        const who = `NATS account "${t.account}" of tenant ${t.slug}`;
        const own = [`org.${t.slug}.>`, `_INBOX.${t.slug}.>`];
        const platform = config.platformNatsSubjects.map((s) => s.split("{slug}").join(t.slug));
        const allowed = [...own, ...platform];
        const rule = `; tenant ${t.slug} may use only ${allowed.join(", ")}.`;
        if (t.account !== t.tenantId) {
            const owner = accountOwner.get(t.tenantId);
            report(`${who} is not named after its tenant id ${t.tenantId}${owner && owner !== t.slug ? ` (that is tenant ${owner}'s account)` : ""}; a tenant's account must be its org id.`, urn);
        }
        const ns = index.namespaces.get(namespaceOfTenant(t.slug, config))?.[0];
        const nsId = ns ? metadataOf(ns.props).labels[config.tenantLabel] : undefined;
        if (nsId !== undefined && nsId !== t.tenantId) {
            report(`${who} belongs to tenant id ${t.tenantId}, but namespace "${namespaceOfTenant(t.slug, config)}" carries ${config.tenantLabel}=${nsId}; both must name the same tenant.`, urn);
        }
        if (t.subjectPrefix !== `org.${t.slug}` || t.inboxPrefix !== `_INBOX.${t.slug}`) {
            report(`${who} uses subject prefix "${t.subjectPrefix}" and inbox prefix "${t.inboxPrefix}"; they must be "org.${t.slug}" and "_INBOX.${t.slug}".`, urn);
        }
        for (const [direction, list] of [["publish", t.permissions?.publish?.allow], ["subscribe", t.permissions?.subscribe?.allow]] as const) {
            for (const subject of list ?? []) {
                if (!allowed.some((p) => subjectWithin(subject, p))) report(`${who} may ${direction} to "${subject}"${reach(subject, t.slug, structure)}${rule}`, urn);
            }
        }
        for (const imp of t.imports ?? []) {
            const exporter = accountOwner.get(imp.account);
            if (imp.account !== config.platformNatsAccount) {
                const from = exporter ? `tenant ${exporter}'s account "${imp.account}"` : `account "${imp.account}", which is not the platform account ${config.platformNatsAccount}`;
                report(`${who} imports ${imp.kind} "${imp.subject}" from ${from}; tenants may import only from ${config.platformNatsAccount}.`, urn);
            } else if (!platform.some((p) => subjectWithin(imp.subject, p))) {
                report(`${who} imports ${imp.kind} "${imp.subject}" from ${config.platformNatsAccount}${reach(imp.subject, t.slug, structure)}; tenant ${t.slug} may import only ${platform.join(", ")}.`, urn);
            } else if (!allowed.some((p) => subjectWithin(imp.to, p))) {
                report(`${who} maps import "${imp.subject}" to "${imp.to}"${reach(imp.to, t.slug, structure)}${rule}`, urn);
            }
        }
        for (const exp of t.exports ?? []) {
            report(`${who} exports ${exp.kind} "${exp.subject}"${reach(exp.subject, t.slug, structure)}; a tenant account must export nothing, since any account could import it.`, urn);
        }
    }
}

// Names the other tenant whose subjects a subject reaches, e.g. " (tenant globex's subjects)".
function reach(subject: string, slug: string, structure: NatsStructure): string {
    const tokens = subject.split(".");
    if ((tokens[0] === "org" || tokens[0] === "_INBOX") && tokens.length > 1) {
        if (tokens[1] === "*" || tokens[1] === ">") return ", which includes every tenant's subjects";
        if (tokens[1] !== slug && structure.tenants.some((t) => t.slug === tokens[1])) return ` (tenant ${tokens[1]}'s subjects)`;
    }
    if (tokens[0] === ">" || tokens[0] === "*") return ", which includes every tenant's subjects";
    return "";
}

function checkCredentialSecret(secret: PolicyResource, index: StackIndex, config: GuardConfig, report: Report): void {
    const meta = metadataOf(secret.props);
    const what = describeObject(secret.type, secret.name, secret.props);
    const nsTenant = tenantOfNamespace(meta.namespace, config);
    const owner = index.ownerOf(secret);
    if (!nsTenant) {
        report(`${what}${owner ? ` of tenant ${owner}` : ""} is a tenant NATS credential outside tenant namespaces; it must exist only in its tenant's own namespace.`, secret.urn);
        return;
    }
    if (owner && owner !== nsTenant) {
        report(`${what} holds tenant ${owner}'s NATS credential in tenant ${nsTenant}'s namespace; it must exist only in "${namespaceOfTenant(owner, config)}".`, secret.urn);
        return;
    }
    // The account name is plain; the seed next to it may be unknown during preview and is never read.
    const account = known(() => ((secret.props.stringData ?? {}) as Record<string, unknown>)[CREDENTIAL_ACCOUNT_KEY]);
    const ns = index.namespaces.get(meta.namespace!)?.[0];
    const nsId = ns ? metadataOf(ns.props).labels[config.tenantLabel] : undefined;
    if (typeof account === "string" && nsId !== undefined && account !== nsId) {
        report(`${what} of tenant ${nsTenant} holds the credential of NATS account "${account}"; it must hold tenant ${nsTenant}'s own account "${nsId}".`, secret.urn);
    }
}

// Reads a value that may be unknown during preview; unknown reads as undefined instead of aborting the rule.
function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (error) {
        if (error instanceof UnknownValueError) return undefined;
        throw error;
    }
}
