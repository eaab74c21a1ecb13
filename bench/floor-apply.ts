// The physical floor of a deployment: the program's rendered Kubernetes objects server-side applied
// straight to the API server (what `kubectl apply --server-side` would send), a fixed number of
// requests in flight, with nothing of Pulumi in between. bench/preview.ts sets each real-engine time
// against it.
import * as https from "node:https";
import type { KubeObject } from "../cli/plan/inventory";
import { adminRequest, type Cluster } from "../test/e2e/support/cluster";

/** What a request to the API server needs: its address and the admin credentials. */
export type ApiConnection = Pick<Cluster, "server" | "caPem" | "adminCertPem" | "adminKeyPem">;

/** A manifest to apply, with where it goes. */
export type FloorObject = Pick<KubeObject, "apiVersion" | "kind" | "name" | "namespace"> & { manifest: Record<string, unknown> };

/** How each kind is addressed, from the API server's discovery documents. */
interface KindInfo {
    plural: string;
    namespaced: boolean;
}

/** Requests in flight at once by default: the bench's stated floor. */
export const FLOOR_IN_FLIGHT = 32;

const FIELD_MANAGER = "tenancy-bench-floor";

function request(conn: ApiConnection, agent: https.Agent, method: string, urlPath: string, body?: string, contentType?: string): Promise<{ status: number; body: string }> {
    return adminRequest(conn, method, urlPath, body, { agent, contentType, timeoutMs: 60_000 });
}

// Kind → plural and scope for every apiVersion the objects use (one discovery request each).
async function discover(conn: ApiConnection, agent: https.Agent, apiVersions: Iterable<string>): Promise<Map<string, KindInfo>> {
    const kinds = new Map<string, KindInfo>();
    for (const apiVersion of new Set(apiVersions)) {
        const url = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        const res = await request(conn, agent, "GET", url);
        if (res.status !== 200) throw new Error(`discovery of ${apiVersion} failed (${res.status}): ${res.body.slice(0, 500)}`);
        const list = JSON.parse(res.body) as { resources: Array<{ name: string; kind: string; namespaced: boolean }> };
        for (const r of list.resources) if (!r.name.includes("/")) kinds.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
    }
    return kinds;
}

function objectUrl(o: FloorObject, info: KindInfo): string {
    const base = o.apiVersion.includes("/") ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
    const scope = info.namespaced ? `/namespaces/${encodeURIComponent(o.namespace ?? "default")}` : "";
    return `${base}${scope}/${info.plural}/${encodeURIComponent(o.name)}?fieldManager=${FIELD_MANAGER}&force=true`;
}

/** What one floor apply did. */
export interface FloorResult {
    /** Wall time of every request, discovery excluded. */
    ms: number;
    /** Objects applied. */
    objects: number;
}

/**
 * Server-side applies `objects` (PATCH, application/apply-patch+yaml, force) with `inFlight`
 * requests at once over kept-alive connections: Namespaces and the other cluster-scoped objects
 * first (namespaced objects need their Namespace), then the rest. Throws on the first failed apply.
 */
export async function applyObjects(conn: ApiConnection, objects: readonly FloorObject[], inFlight = FLOOR_IN_FLIGHT): Promise<FloorResult> {
    const agent = new https.Agent({ keepAlive: true, maxSockets: inFlight });
    try {
        const kinds = await discover(conn, agent, objects.map((o) => o.apiVersion));
        const info = (o: FloorObject) => {
            const found = kinds.get(`${o.apiVersion}/${o.kind}`);
            if (!found) throw new Error(`the API server serves no ${o.kind} in ${o.apiVersion}`);
            return found;
        };
        const clusterWide = objects.filter((o) => !info(o).namespaced);
        const namespaced = objects.filter((o) => info(o).namespaced);
        const started = Date.now();
        for (const wave of [clusterWide, namespaced]) {
            let next = 0;
            const worker = async () => {
                while (next < wave.length) {
                    const o = wave[next++];
                    const res = await request(conn, agent, "PATCH", objectUrl(o, info(o)), JSON.stringify(o.manifest), "application/apply-patch+yaml");
                    if (res.status !== 200 && res.status !== 201) throw new Error(`applying ${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name} failed (${res.status}): ${res.body.slice(0, 500)}`);
                }
            };
            await Promise.all(Array.from({ length: Math.min(inFlight, wave.length) }, worker));
        }
        return { ms: Date.now() - started, objects: objects.length };
    } finally {
        agent.destroy();
    }
}
