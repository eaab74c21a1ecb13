import { OPERATOR_CONF_KEY } from "../../contract";
import { decodeJwt } from "../../components/nats-jwt";
import { parseAccountConf } from "../../components/nats-server-config";
import { isSecret, secret, unwrapSecrets } from "../engine/wire";
import type { PlannedResource } from "./inventory";

/** One account of the server, decoded from the JWT the server loads. */
export interface NatsAccountView {
    /** Account name in its JWT: a tenant's org id, PLATFORM or SYS. */
    name: string;
    /** Its public key, which names it on the server. */
    publicKey: string;
    /** Slug of the tenant whose account it is (by org id), if any. */
    tenant?: string;
    /** Where it was read: `<file>` under nats/. */
    file: string;
    /** The JWT's `nats` claims (imports, exports, limits, signing keys, default permissions). */
    claims: Record<string, unknown>;
    /** Public key of the signer; undefined when the JWT could not be decoded. */
    issuer?: string;
    /** Why it could not be read (undecodable, bad signature), if so. */
    problem?: string;
}

/** The NATS server's configuration as planned. */
export interface NatsDocuments {
    /** The ConfigMaps in the NATS namespace, sorted by URN. */
    resources: PlannedResource[];
    /** File name under nats/ → wire-format content (a value may be a secret). */
    files: Record<string, unknown>;
    /** Every account the files preload, decoded, in file order; empty when nothing is readable. */
    accounts: NatsAccountView[];
}

/** Whether a resource is one of the server's configuration files: a ConfigMap in the NATS namespace. */
export function isNatsDocument(r: PlannedResource, natsNamespace: string): boolean {
    return r.kube?.kind === "ConfigMap" && r.kube.namespace === natsNamespace;
}

/**
 * Whether a resource is the shared NATS configuration (`nats-operator`): a ConfigMap in the NATS
 * namespace owned by no tenant. It legitimately changes whenever a tenant is added or removed.
 */
export function isNatsAuthorization(r: PlannedResource, natsNamespace: string): boolean {
    return isNatsDocument(r, natsNamespace) && r.tenant === undefined;
}

// Every key of every NATS ConfigMap, a wholly secret data map kept secret key by key (so writing it out redacts each file).
function entriesOf(found: PlannedResource[]): Array<{ configMap: string; key: string; value: unknown }> {
    const entries: Array<{ configMap: string; key: string; value: unknown }> = [];
    for (const r of found) {
        const data = r.kube!.manifest.data;
        const map = isSecret(data)
            ? Object.fromEntries(Object.entries((unwrapSecrets(data) ?? {}) as Record<string, unknown>).map(([k, v]) => [k, secret(v)]))
            : ((data as Record<string, unknown> | undefined) ?? {});
        for (const [key, value] of Object.entries(map)) entries.push({ configMap: r.kube!.name, key, value });
    }
    return entries;
}

// The resolver entries of operator.conf itself (the system and PLATFORM accounts), as renderOperatorConf writes them.
function inlineEntries(text: string): Array<{ publicKey: string; jwt: string }> {
    return [...text.matchAll(/^ {2}"(A[A-Z2-7]{55})": "([A-Za-z0-9_.-]+)"$/gm)].map((m) => ({ publicKey: m[1], jwt: m[2] }));
}

function view(publicKey: string, jwt: string, file: string, slugById: ReadonlyMap<string, string>): NatsAccountView {
    try {
        const claims = decodeJwt<Record<string, unknown>>(jwt);
        return { name: claims.name, publicKey, tenant: slugById.get(claims.name), file, claims: claims.nats as Record<string, unknown>, issuer: claims.iss };
    } catch (error) {
        return { name: publicKey, publicKey, file, claims: {}, problem: `${file}: account ${publicKey}'s JWT cannot be read (${(error as Error).message})` };
    }
}

/**
 * Collects the NATS ConfigMaps' data as the files nats-server loads (`operator.conf` and one
 * `<org id>.conf` per tenant, named by their keys, so nats/ is a directory the server can load as is;
 * a key found in two ConfigMaps is written as `<configmap>/<key>` for both), and decodes every
 * account JWT they preload.
 */
export function natsDocuments(resources: PlannedResource[], natsNamespace: string, slugById: ReadonlyMap<string, string> = new Map()): NatsDocuments {
    const found = resources.filter((r) => isNatsDocument(r, natsNamespace)).sort((a, b) => (a.urn < b.urn ? -1 : 1));
    const entries = entriesOf(found);
    const counts = new Map<string, number>();
    for (const e of entries) counts.set(e.key, (counts.get(e.key) ?? 0) + 1);
    const files: Record<string, unknown> = {};
    const accounts: NatsAccountView[] = [];
    for (const e of entries) {
        const file = counts.get(e.key)! > 1 ? `${e.configMap}/${e.key}` : e.key;
        files[file] = e.value;
        const text = unwrapSecrets(e.value);
        if (typeof text !== "string") continue;
        const preloaded = e.key === OPERATOR_CONF_KEY ? inlineEntries(text) : [parseAccountConf(text)].filter((x) => x !== undefined);
        for (const { publicKey, jwt } of preloaded) accounts.push(view(publicKey, jwt, file, slugById));
    }
    return { resources: found, files, accounts };
}

/** Names of the accounts by public key, for showing imports as `from PLATFORM` rather than a key. */
export function accountNames(docs: NatsDocuments): Map<string, string> {
    return new Map(docs.accounts.map((a) => [a.publicKey, a.name]));
}

/** What a tenant's section says about its NATS account, from the account JWT the server loads. */
export function tenantNatsSummary(account: NatsAccountView, names: ReadonlyMap<string, string>) {
    const claims = account.claims as {
        signing_keys?: Array<string | { template?: { pub?: { allow?: string[] }; sub?: { allow?: string[] } } }>;
        imports?: Array<{ type?: string; subject?: string; account?: string; local_subject?: string; to?: string }>;
        limits?: { conn?: number };
    };
    const scope = claims.signing_keys?.find((k): k is Exclude<typeof k, string> => typeof k === "object");
    return {
        account: account.name,
        publish: scope?.template?.pub?.allow ?? [],
        subscribe: scope?.template?.sub?.allow ?? [],
        imports: (claims.imports ?? []).map((i) => `${i.type} ${i.subject} from ${names.get(i.account ?? "") ?? i.account} as ${i.local_subject ?? i.to ?? i.subject}`),
        ...(claims.limits?.conn === 0 ? { connect: false as const } : {}),
    };
}
