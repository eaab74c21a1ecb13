import { isSecret, secret, unwrapSecrets } from "../engine/wire";
import type { NatsPermissionStructure } from "../../components/nats-spec";
import type { PlannedResource } from "./inventory";

/** Name of the ConfigMap, in the NATS namespace, that holds the server's authorization. */
export const NATS_AUTHORIZATION_CONFIGMAP = "nats-authorization";
/** Key of the credential-free permission document in that ConfigMap. */
const PERMISSIONS_KEY = "permissions.json";

/** The NATS server's authorization as planned. */
export interface NatsDocuments {
    /** The ConfigMap resource, when the program declares one. */
    resource?: PlannedResource;
    /** Its data keys → wire-format values (a value may be a secret). */
    files: Record<string, unknown>;
    /** The parsed permission document, when present and readable. */
    permissions?: NatsPermissionStructure;
}

/** Whether a resource is the shared NATS authorization (changes with every tenant, by design). */
export function isNatsAuthorization(r: PlannedResource, natsNamespace: string): boolean {
    return r.kube?.kind === "ConfigMap" && r.kube.namespace === natsNamespace && r.kube.name === NATS_AUTHORIZATION_CONFIGMAP;
}

/** Finds the authorization ConfigMap among the planned resources and reads its documents. */
export function natsDocuments(resources: PlannedResource[], natsNamespace: string): NatsDocuments {
    const resource = resources.find((r) => isNatsAuthorization(r, natsNamespace));
    if (!resource) return { files: {} };
    const data = resource.kube!.manifest.data;
    // A wholly secret data map stays secret file by file, so writing it out redacts each one.
    const files = isSecret(data)
        ? Object.fromEntries(Object.entries((unwrapSecrets(data) ?? {}) as Record<string, unknown>).map(([k, v]) => [k, secret(v)]))
        : ((data as Record<string, unknown> | undefined) ?? {});
    let permissions: NatsPermissionStructure | undefined;
    const text = unwrapSecrets(files[PERMISSIONS_KEY]);
    if (typeof text === "string") {
        try {
            permissions = JSON.parse(text) as NatsPermissionStructure;
        } catch {
            permissions = undefined;
        }
    }
    return { resource, files, permissions };
}
