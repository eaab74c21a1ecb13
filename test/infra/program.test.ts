import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installRecordingMocks, runRecorded, type MockedResource } from "../support/pulumi-mocks";
import { TEST_NATS_MASTER_KEY_CONFIG } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";

/** Stack config as `pulumi config set` would store it for the example registry. */
const SECRET_VALUES = {
    acme: { "openai-api": { apiKey: "sk-test-acme-1" }, "github-app": { appId: "42", privateKey: "pem-test-acme" } },
    globex: { "anthropic-api": { apiKey: "sk-test-globex-1" } },
};

const resources: MockedResource[] = installRecordingMocks();
let outputs: Record<string, unknown> | undefined;

beforeAll(async () => {
    pulumi.runtime.setAllConfig(
        {
            "tenancy:kubeContext": "prod-eu-1",
            "tenancy:tenantsDir": EXAMPLE_REGISTRY,
            "tenancy:nats": JSON.stringify({ namespace: "messaging", port: 4333 }),
            "tenancy:secrets": JSON.stringify(SECRET_VALUES),
            ...TEST_NATS_MASTER_KEY_CONFIG,
        },
        ["tenancy:secrets", "tenancy:natsMasterKey"],
    );
    outputs = await runRecorded(resources, async () => ({ ...(await import("../../infra/index")) }));
});

const kube = () => resources.filter((r) => r.type.startsWith("kubernetes:"));

describe("the program over the example registry", () => {
    it("creates one explicit Kubernetes provider from stack config", () => {
        const providers = resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        expect(providers.map((p) => [p.name, p.inputs.context])).toEqual([["cluster", "prod-eu-1"]]);
        // No tenancy:kubeClient in this stack: the program's defaults, not the provider's 50/120
        // (a provider's object input reaches it as JSON text).
        expect(JSON.parse(providers[0].inputs.kubeClientSettings)).toEqual({ qps: 200, burst: 400 });
        for (const r of kube()) expect(r.provider, r.name).toMatch(/pulumi:providers:kubernetes::cluster::cluster-id$/);
    });

    it("applies every Kubernetes object as the one field manager tenancy, in every run", () => {
        expect(kube().length).toBeGreaterThan(50);
        for (const r of kube()) expect(r.inputs.metadata.annotations?.["pulumi.com/patchFieldManager"], r.name).toBe("tenancy");
        // What the spec builders set stays: the quota's skipAwait next to it.
        expect(resources.find((r) => r.name === "acme-quota")!.inputs.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true", "pulumi.com/patchFieldManager": "tenancy" });
    });

    it("gives every tenant its namespace, quota, limits, access, network policies and secrets", () => {
        const count = (slug: string) => {
            const mine = kube().filter((r) => r.name.startsWith(`${slug}-`));
            const tally: Record<string, number> = {};
            for (const r of mine) tally[r.type.split(":")[2]] = (tally[r.type.split(":")[2]] ?? 0) + 1;
            return tally;
        };
        // Two ResourceQuotas: the plan's and the priority ceiling.
        const base = { Namespace: 1, ResourceQuota: 2, LimitRange: 1, ServiceAccount: 1, Role: 2, RoleBinding: 2 };
        expect(count("acme")).toEqual({ ...base, NetworkPolicy: 5, Secret: 3 });
        expect(count("globex")).toEqual({ ...base, NetworkPolicy: 5, Secret: 2 });
        expect(count("initech")).toEqual({ ...base, NetworkPolicy: 4, Secret: 1 });
    });

    it("uses the stack's NATS settings in the egress policy", () => {
        const allowNats = resources.find((r) => r.name === "globex-allow-nats")!;
        expect(allowNats.inputs.spec.egress).toEqual([
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "messaging" } } }],
                ports: [{ protocol: "TCP", port: 4333 }],
            },
        ]);
    });

    it("applies plan, overrides and lifecycle to each quota", () => {
        const hard = (slug: string) => resources.find((r) => r.name === `${slug}-quota`)!.inputs.spec.hard;
        expect(hard("acme")).toMatchObject({ "requests.cpu": "10", "limits.memory": "80Gi", pods: "15" });
        expect(hard("globex")).toMatchObject({ "requests.cpu": "32", "limits.memory": "256Gi", pods: "50" });
        expect(hard("initech")).toMatchObject({ "requests.cpu": "2", pods: "0" });
    });

    it("protects the namespaces of active and suspended tenants", () => {
        const namespaces = kube().filter((r) => r.type === "kubernetes:core/v1:Namespace");
        expect(namespaces.map((n) => [n.inputs.metadata.name, n.protect])).toEqual(
            expect.arrayContaining([
                ["org-acme", true],
                ["org-globex", true],
                ["org-initech", true],
            ]),
        );
    });

    it("labels every object with its tenant's opaque id", () => {
        const ids: Record<string, string> = { acme: "org_7f3k2m9q", globex: "org_k4x8p2wn", initech: "org_q9d5t1ze" };
        for (const r of kube()) expect(r.inputs.metadata.labels["tenancy.io/tenant-id"], r.name).toBe(ids[r.name.split("-")[0]]);
    });

    it("exports each tenant's namespace, no missing secret and no secret value", () => {
        expect(outputs?.namespaces).toEqual({ acme: "org-acme", globex: "org-globex", initech: "org-initech" });
        expect(outputs?.missingSecrets).toEqual([]);
        expect(JSON.stringify(outputs)).not.toContain("sk-test");
    });
});
