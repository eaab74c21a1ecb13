import { isSecret, secret, unwrapSecrets } from "../engine/wire";
import type { NatsPermissionStructure } from "../../components/nats-spec";
import type { PlannedResource } from "./inventory";

/** Key of the credential-free permission document among the authorization ConfigMaps' data. */
export const PERMISSIONS_KEY = "permissions.json";

/** The NATS server's authorization as planned. */
export interface NatsDocuments {
    /** The ConfigMaps in the NATS namespace that belong to no tenant, sorted by URN. */
    resources: PlannedResource[];
    /** File name under nats/ → wire-format content (a value may be a secret). */
    files: Record<string, unknown>;
    /** The parsed permission document, when present and readable. */
    permissions?: NatsPermissionStructure;
}

/**
 * Whether a resource is part of the shared NATS authorization: a ConfigMap in the NATS namespace
 * owned by no tenant. It legitimately changes whenever any tenant's account does.
 */
export function isNatsAuthorization(r: PlannedResource, natsNamespace: string): boolean {
    return r.kube?.kind === "ConfigMap" && r.kube.namespace === natsNamespace && r.tenant === undefined;
}

/**
 * Collects the authorization ConfigMaps' data as the files nats-server loads (`auth.json`…), named
 * by their key; a key found in two ConfigMaps is written as `<configmap>/<key>` for both.
 */
export function natsDocuments(resources: PlannedResource[], natsNamespace: string): NatsDocuments {
    const found = resources.filter((r) => isNatsAuthorization(r, natsNamespace)).sort((a, b) => (a.urn < b.urn ? -1 : 1));
    const entries: Array<{ configMap: string; key: string; value: unknown }> = [];
    for (const r of found) {
        const data = r.kube!.manifest.data;
        // A wholly secret data map stays secret key by key, so writing it out redacts each file.
        const map = isSecret(data)
            ? Object.fromEntries(Object.entries((unwrapSecrets(data) ?? {}) as Record<string, unknown>).map(([k, v]) => [k, secret(v)]))
            : ((data as Record<string, unknown> | undefined) ?? {});
        for (const [key, value] of Object.entries(map)) entries.push({ configMap: r.kube!.name, key, value });
    }
    const counts = new Map<string, number>();
    for (const e of entries) counts.set(e.key, (counts.get(e.key) ?? 0) + 1);
    const files: Record<string, unknown> = {};
    for (const e of entries) files[counts.get(e.key)! > 1 ? `${e.configMap}/${e.key}` : e.key] = e.value;
    let permissions: NatsPermissionStructure | undefined;
    const text = unwrapSecrets(entries.find((e) => e.key === PERMISSIONS_KEY)?.value);
    if (typeof text === "string") {
        try {
            permissions = JSON.parse(text) as NatsPermissionStructure;
        } catch {
            permissions = undefined;
        }
    }
    return { resources: found, files, permissions };
}
