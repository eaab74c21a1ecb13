// The API server as the tests talk to it: @kubernetes/client-node with the admin kubeconfig, or a
// token of a real ServiceAccount.
import https from "node:https";
import { ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from "@kubernetes/client-node";

/** Generic object access as cluster admin. */
export interface AdminClient {
    /** The loaded kubeconfig. */
    config: KubeConfig;
    /** The object named by apiVersion, kind, namespace and name, or undefined when it does not exist. */
    read(object: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } }): Promise<Record<string, any> | undefined>;
    /** The items of a kind in a namespace (or the cluster), optionally by label selector, as raw JSON. */
    list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<Array<Record<string, any>>>;
    /** Creates an object; resolves with the API server's error status and message instead of throwing. */
    create(object: KubernetesObject): Promise<{ ok: true; object: Record<string, any> } | { ok: false; status: number; message: string }>;
    /** Deletes an object if it exists. */
    remove(object: KubernetesObject): Promise<void>;
}

/** The API server's refusal of a request, as status and message. */
export function refusal(error: unknown): { status: number; message: string } {
    if (error instanceof ApiException) {
        let message = String(error.body);
        try {
            message = (JSON.parse(String(error.body)) as { message?: string }).message ?? message;
        } catch {
            /* a body that is not a Status */
        }
        return { status: error.code, message };
    }
    throw error;
}

/** A client of the control plane as its admin (client certificate in system:masters). */
export function adminClient(kubeconfigPath: string): AdminClient {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfigPath);
    const api = KubernetesObjectApi.makeApiClient(config);
    const plurals = new Map<string, string>();
    // Raw JSON, as the API server stores it: the typed client renames fields such as `default` and `from`.
    const raw = async (urlPath: string): Promise<{ status: number; body: any }> => {
        const cluster = config.getCurrentCluster()!;
        const options: https.RequestOptions = { method: "GET", headers: { accept: "application/json" } };
        await config.applyToHTTPSOptions(options);
        return new Promise((resolve, reject) => {
            const req = https.request(new URL(urlPath, cluster.server), options, (res) => {
                let text = "";
                res.setEncoding("utf8").on("data", (c: string) => (text += c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
            });
            req.on("error", reject);
            req.end();
        });
    };
    const base = (apiVersion: string) => (apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
    const plural = async (apiVersion: string, kind: string) => {
        const key = `${apiVersion}/${kind}`;
        if (!plurals.has(key)) {
            const { body } = await raw(base(apiVersion));
            for (const r of (body?.resources ?? []) as Array<{ name: string; kind: string }>) if (!r.name.includes("/")) plurals.set(`${apiVersion}/${r.kind}`, r.name);
        }
        const name = plurals.get(key);
        if (!name) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
        return name;
    };
    return {
        config,
        async read(object) {
            const { apiVersion = "v1", kind = "", metadata = {} } = object;
            const ns = metadata.namespace ? `/namespaces/${metadata.namespace}` : "";
            const { status, body } = await raw(`${base(apiVersion)}${ns}/${await plural(apiVersion, kind)}/${metadata.name}`);
            if (status === 404) return undefined;
            if (status !== 200) throw new Error(`reading ${kind} ${metadata.namespace ?? ""}/${metadata.name}: ${status} ${JSON.stringify(body)}`);
            return body as Record<string, any>;
        },
        async list(apiVersion, kind, namespace, labelSelector) {
            const ns = namespace ? `/namespaces/${namespace}` : "";
            const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
            const { status, body } = await raw(`${base(apiVersion)}${ns}/${await plural(apiVersion, kind)}${query}`);
            if (status !== 200) throw new Error(`listing ${kind} in ${namespace ?? "the cluster"}: ${status} ${JSON.stringify(body)}`);
            return body.items as Array<Record<string, any>>;
        },
        async create(object) {
            try {
                return { ok: true, object: (await api.create(object)) as Record<string, any> };
            } catch (error) {
                return { ok: false, ...refusal(error) };
            }
        },
        async remove(object) {
            try {
                await api.delete(object);
            } catch (error) {
                if (refusal(error).status !== 404) throw error;
            }
        },
    };
}

/** Requests made with a real ServiceAccount's token. */
export interface TokenClient {
    /** GETs a path and resolves with the HTTP status. */
    get(urlPath: string): Promise<number>;
    /** POSTs an object to a path and resolves with the HTTP status and message. */
    post(urlPath: string, body: unknown): Promise<{ status: number; message: string }>;
}

/**
 * Asks the API server for a token of a ServiceAccount (TokenRequest, 10 minutes) and returns a
 * client that makes real requests with it, trusting the cluster's CA.
 */
export async function asToken(admin: AdminClient, namespace: string, serviceAccount: string): Promise<TokenClient> {
    const core = admin.config.makeApiClient(CoreV1Api);
    const request = await core.createNamespacedServiceAccountToken({
        name: serviceAccount,
        namespace,
        body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 600, audiences: [] } },
    });
    const token = request.status?.token;
    if (!token) throw new Error(`no token issued for ${namespace}/${serviceAccount}`);
    const cluster = admin.config.getCurrentCluster()!;
    const ca = cluster.caData ? Buffer.from(cluster.caData, "base64") : undefined;
    const call = (method: string, urlPath: string, body?: unknown) =>
        new Promise<{ status: number; message: string }>((resolve, reject) => {
            const url = new URL(urlPath, cluster.server);
            const req = https.request(url, { method, ca, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } }, (res) => {
                let text = "";
                res.setEncoding("utf8").on("data", (c: string) => (text += c));
                res.on("end", () => {
                    let message = text;
                    try {
                        message = (JSON.parse(text) as { message?: string }).message ?? text;
                    } catch {
                        /* not a Status */
                    }
                    resolve({ status: res.statusCode ?? 0, message });
                });
            });
            req.on("error", reject);
            req.end(body === undefined ? undefined : JSON.stringify(body));
        });
    return { get: async (p) => (await call("GET", p)).status, post: (p, body) => call("POST", p, body) };
}
