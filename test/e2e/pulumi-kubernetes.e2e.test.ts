// The real Pulumi CLI and Kubernetes provider against its own control plane (test/e2e/support/cluster.ts): `pulumi up`
// of a Namespace and a ConfigMap through @pulumi/kubernetes, read back with @kubernetes/client-node, then
// `pulumi preview --policy-pack policy` on a program that breaks a rule of the repo's policy pack (the pack runs in
// its own process, started by the CLI through the language host's RunPlugin).

import path from "node:path";

import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startCluster, type Cluster } from "./support/cluster";
import { REPO_ROOT, createPulumiSandbox, type PulumiSandbox } from "./support/pulumi";

const PROGRAM = `
const k8s = require("@pulumi/kubernetes");
const provider = new k8s.Provider("e2e", { kubeconfig: process.env.E2E_KUBECONFIG });
const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "e2e-pulumi" } }, { provider });
const cm = new k8s.core.v1.ConfigMap("cm", {
    metadata: { name: "settings", namespace: ns.metadata.name },
    data: { greeting: "hello" },
}, { provider });
exports.namespace = ns.metadata.name;
exports.uid = cm.metadata.uid;
`;

// A ClusterRole that aggregates into the built-in "edit" role: restrict-cluster-roles forbids it.
const VIOLATING_PROGRAM = `
const k8s = require("@pulumi/kubernetes");
const provider = new k8s.Provider("e2e", { kubeconfig: process.env.E2E_KUBECONFIG });
new k8s.rbac.v1.ClusterRole("sneaky", {
    metadata: { name: "sneaky", labels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" } },
    rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }],
}, { provider });
`;

describe("pulumi with the kubernetes provider on the e2e control plane", () => {
    let cluster: Cluster;
    let sandbox: PulumiSandbox;
    let core: CoreV1Api;
    let rbac: RbacAuthorizationV1Api;

    beforeAll(async () => {
        sandbox = createPulumiSandbox(["pulumi", "pulumi-resource-kubernetes"]);
        cluster = await startCluster();
        const kc = new KubeConfig();
        kc.loadFromFile(cluster.kubeconfigPath);
        core = kc.makeApiClient(CoreV1Api);
        rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    });

    afterAll(async () => {
        await cluster?.stop();
        sandbox?.cleanup();
    });

    it("creates a namespace and a config map, and destroys them", async () => {
        const project = sandbox.project("e2e-k8s", { "index.js": PROGRAM });
        const env = { E2E_KUBECONFIG: cluster.kubeconfigPath };
        await sandbox.pulumi(["stack", "init", "dev"], project);
        await sandbox.pulumi(["up", "--yes", "--skip-preview"], project, { env, timeoutMs: 180_000 });

        const cm = await core.readNamespacedConfigMap({ name: "settings", namespace: "e2e-pulumi" });
        expect(cm.data).toEqual({ greeting: "hello" });
        const out = JSON.parse((await sandbox.pulumi(["stack", "output", "--json"], project)).stdout) as Record<string, string>;
        expect(out).toEqual({ namespace: "e2e-pulumi", uid: cm.metadata?.uid });

        await sandbox.pulumi(["destroy", "--yes", "--skip-preview"], project, { env, timeoutMs: 180_000 });
        const ns = await core.readNamespace({ name: "e2e-pulumi" }).catch((err: { code?: number }) => err.code);
        // Deleted, or still terminating while the namespace controller empties it.
        expect(ns === 404 || (typeof ns === "object" && ns.status?.phase === "Terminating")).toBe(true);
    }, 300_000);

    it("runs the repo's policy pack in `pulumi preview --policy-pack` and reports a violation", async () => {
        const project = sandbox.project("e2e-k8s-policy", { "index.js": VIOLATING_PROGRAM });
        await sandbox.pulumi(["stack", "init", "dev"], project);
        const preview = await sandbox.pulumi(["preview", "--policy-pack", path.join(REPO_ROOT, "policy")], project, {
            env: { E2E_KUBECONFIG: cluster.kubeconfigPath },
            allowFailure: true,
            timeoutMs: 180_000,
        });
        const output = preview.stdout + preview.stderr;
        expect(preview.code, output).not.toBe(0);
        expect(output).toContain("restrict-cluster-roles");
        expect(output).toContain("tenancy-guard");
        // Preview only: nothing reached the cluster.
        expect(await rbac.readClusterRole({ name: "sneaky" }).catch((err: { code?: number }) => err.code)).toBe(404);
    }, 300_000);
});
