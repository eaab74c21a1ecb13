// Smoke test of the real control plane (test/e2e/support/cluster.ts): etcd + kube-apiserver +
// kube-controller-manager built by `npm run tools`, driven with @kubernetes/client-node.

import https from "node:https";

import { CoreV1Api, KubeConfig, VersionApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startCluster, type Cluster } from "./support/cluster";

const NS = "e2e-smoke";

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn().catch(() => undefined);
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

describe("e2e control plane", () => {
    let cluster: Cluster;
    let kc: KubeConfig;
    let core: CoreV1Api;

    beforeAll(async () => {
        cluster = await startCluster();
        console.log(`control plane ready in ${cluster.startupMs} ms at ${cluster.server} (${cluster.dir})`);
        kc = new KubeConfig();
        kc.loadFromFile(cluster.kubeconfigPath);
        core = kc.makeApiClient(CoreV1Api);
    });

    afterAll(async () => {
        await cluster?.stop();
    });

    it("serves the pinned Kubernetes version", async () => {
        const info = await kc.makeApiClient(VersionApi).getCode();
        expect(info.gitVersion).toBe(cluster.gitVersion);
        expect(info.major).toBe("1");
    });

    it("creates a namespace; the controller manager fills it, reports quota and deletes it", async () => {
        const created = await core.createNamespace({ body: { metadata: { name: NS } } });
        expect(created.metadata?.name).toBe(NS);

        // serviceaccount and root-ca-cert-publisher controllers.
        const sa = await eventually("default ServiceAccount in the new namespace", () =>
            core.readNamespacedServiceAccount({ name: "default", namespace: NS }),
        );
        expect(sa.metadata?.name).toBe("default");
        await eventually("kube-root-ca.crt in the new namespace", () =>
            core.readNamespacedConfigMap({ name: "kube-root-ca.crt", namespace: NS }),
        );

        // ResourceQuota admission and the quota controller's status.
        await core.createNamespacedResourceQuota({
            namespace: NS,
            body: { metadata: { name: "q" }, spec: { hard: { configmaps: "5" } } },
        });
        const used = await eventually("quota status", async () => {
            const q = await core.readNamespacedResourceQuota({ name: "q", namespace: NS });
            return q.status?.used?.configmaps;
        });
        expect(used).toBe("1"); // kube-root-ca.crt

        // Namespace deletion: the namespace controller empties and finalizes it.
        await core.deleteNamespace({ name: NS });
        await eventually(
            "namespace deletion",
            async () => {
                try {
                    await core.readNamespace({ name: NS });
                    return undefined;
                } catch (err) {
                    return (err as { code?: number }).code === 404 ? true : undefined;
                }
            },
            60_000,
        );
    }, 120_000);

    it("authorizes with RBAC: anonymous is denied, a service account gets only what it is bound to", async () => {
        const anonymous = await new Promise<number>((resolve, reject) => {
            https
                .get(`${cluster.server}/api/v1/namespaces`, { ca: cluster.caPem }, (res) => {
                    res.resume();
                    resolve(res.statusCode ?? 0);
                })
                .on("error", reject);
        });
        expect(anonymous).toBe(403);
        expect((await cluster.request("GET", "/api/v1/namespaces")).status).toBe(200);
        const review = await cluster.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SubjectAccessReview",
            spec: {
                user: "system:serviceaccount:default:default",
                groups: ["system:serviceaccounts"],
                resourceAttributes: { verb: "list", resource: "secrets" },
            },
        });
        expect(review.status).toBe(201);
        expect(JSON.parse(review.body).status.allowed).toBe(false);
    });
});
