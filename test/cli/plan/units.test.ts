import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RecordedResource } from "../../../cli/engine";
import { SECRET_SIG, SIG_KEY } from "../../../cli/engine/wire";
import { diffErrors, diffPlans, registryDelta } from "../../../cli/plan/diff";
import { inventory, type PlannedResource } from "../../../cli/plan/inventory";
import { preloadSchemas, validateKube, validateObjects } from "../../../cli/plan/kube-validate";
import { emulatedMasterKey } from "../../../cli/plan/master-key";
import { programConfig } from "../../../cli/plan/run";
import { readStackFiles } from "../../../cli/plan/stack-config";
import { manifestPath } from "../../../cli/plan/write-out";
import { loadRegistry } from "../../../registry";
import { EXAMPLE_REGISTRY } from "../../support/registry-fixture";
import { removeTempDirs, tempDir } from "./support";
afterAll(removeTempDirs);

const registry = loadRegistry(EXAMPLE_REGISTRY);
const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

function resource(name: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource {
    return {
        urn: `urn:pulumi:dev::tenancy::kubernetes:core/v1:${inputs.kind}::${name}`, type: `kubernetes:core/v1:${inputs.kind}`, name, custom: true,
        parent: "urn:pulumi:dev::tenancy::pulumi:pulumi:Stack::tenancy-dev", provider: "", inputs, outputs: inputs, emulated: [], id: "",
        dependencies: [], propertyDependencies: {},
        options: { deletedWith: "", ignoreChanges: [], replaceOnChanges: [], aliases: [], additionalSecretOutputs: [], version: "", pluginDownloadURL: "", importId: "", hideDiffs: [], replaceWith: [], providers: {} },
        ...extra,
    };
}

describe("field-level diff", () => {
    const before = resource("acme-creds", { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "org-acme" }, stringData: secret({ token: "old-token-value" }) });
    const after = resource("acme-creds", { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "org-acme", labels: { a: "b" } }, stringData: secret({ token: "new-token-value" }) });
    const plan = (r: RecordedResource) => inventory([r], registry);

    it("reports changed fields with secrets redacted", () => {
        const changes = diffPlans(plan(before), plan(after), () => false);
        expect(changes).toEqual([{
            change: "changed", urn: before.urn, type: before.type, name: "acme-creds", object: "Secret org-acme/creds", tenant: "acme", natsAuthorization: false,
            fields: [
                { path: "inputs.metadata.labels", after: { a: "b" } },
                { path: "inputs.stringData", before: { token: "[secret]" }, after: { token: "[secret]" } },
            ],
        }]);
        expect(JSON.stringify(changes)).not.toContain("token-value");
    });

    it("sees no change when a secret keeps its value", () => {
        expect(diffPlans(plan(before), plan({ ...before, inputs: { ...before.inputs, stringData: secret({ token: "old-token-value" }) } }), () => false)).toEqual([]);
    });

    it("lists added and removed resources", () => {
        const other = resource("globex-x", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "org-globex" } });
        const changes = diffPlans(plan(before), inventory([other], registry), () => false);
        expect(changes.map((c) => [c.change, c.name, c.tenant])).toEqual([["added", "globex-x", "globex"], ["removed", "acme-creds", "acme"]]);
    });
});

describe("registry delta and diff rules", () => {
    it("treats an edited plan as touching every tenant on it", () => {
        const head = { ...registry, entries: registry.entries.map((e) => (e.tenant.plan === "free" ? { ...e, plan: { ...e.plan, podHeadroom: 2 } } : e)) };
        expect([...registryDelta(registry, head).touched]).toEqual(["initech"]);
    });

    it("lets a removed decommissioned tenant go and stops an active one", () => {
        const head = { ...registry, entries: registry.entries.filter((e) => e.tenant.slug !== "acme") };
        const delta = registryDelta(registry, head);
        expect(diffErrors(delta, []).map((e) => e.tenant)).toEqual(["acme"]);
        const decommissioned = { ...registry, entries: registry.entries.map((e) => (e.tenant.slug === "acme" ? { ...e, tenant: { ...e.tenant, lifecycle: "decommissioned" as const } } : e)) };
        expect(diffErrors(registryDelta(decommissioned, head), [])).toEqual([]);
    });
});

describe("tenant ownership", () => {
    it("follows the tenant label first, then the namespace, then the owning component", () => {
        const labelled = resource("x", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "org-acme", labels: { "tenancy.io/tenant-id": "org_k4x8p2wn" } } });
        const bare = resource("y", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "y", namespace: "org-initech" } });
        const shared = resource("z", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "z", namespace: "nats" } });
        const ns = resource("n", { apiVersion: "v1", kind: "Namespace", metadata: { name: "org-acme" } });
        const planned = inventory([labelled, bare, shared, ns], registry);
        expect(planned.map((r) => r.tenant)).toEqual(["globex", "initech", undefined, "acme"]);
        expect(planned.map((r) => manifestPath(r as PlannedResource))).toEqual([
            "org-acme/ConfigMap-x.yaml", "org-initech/ConfigMap-y.yaml", "nats/ConfigMap-z.yaml", "_cluster/Namespace-org-acme.yaml",
        ]);
    });
});

describe("Kubernetes validation", () => {
    const kube = (r: RecordedResource) => inventory([r], registry)[0].kube!;

    it("accepts a valid object", () => {
        expect(validateKube(kube(resource("q", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "quota", namespace: "org-acme" }, spec: { hard: { pods: "3" } } })))).toEqual([]);
    });

    it("loads an apiVersion's schemas on a later turn once a resource of it is recorded, and validates as before meanwhile", async () => {
        // apiVersions nothing else in this file validates.
        const lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "leader", namespace: "org-acme" } };
        const runtimeClass = { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "gvisor" }, handler: "runsc" };
        const loaded = (apiVersion: string) => require.resolve(`kubernetes-models/${apiVersion}`) in require.cache;
        expect([loaded(lease.apiVersion), loaded(runtimeClass.apiVersion)]).toEqual([false, false]);
        preloadSchemas(resource("lease", lease));
        preloadSchemas(resource("rc", runtimeClass));
        expect([loaded(lease.apiVersion), loaded(runtimeClass.apiVersion)]).toEqual([false, false]);
        // Validation before the preload's turn loads the schema itself.
        expect(validateKube(kube(resource("rc", runtimeClass)))).toEqual([]);
        expect([loaded(lease.apiVersion), loaded(runtimeClass.apiVersion)]).toEqual([false, true]);
        await new Promise((resolve) => setImmediate(resolve));
        expect(loaded(lease.apiVersion)).toBe(true);
        expect(validateKube(kube(resource("lease", lease)))).toEqual([]);
    });

    it("reports schema errors, bad names and bad labels", () => {
        const bad = resource("rb", {
            apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding",
            metadata: { name: "Bad_Name", namespace: "org-acme", labels: { tier: "x".repeat(64) } },
            subjects: [{ kind: "ServiceAccount" }],
        });
        bad.type = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
        expect(validateKube(kube(bad))).toEqual([
            { path: "/", message: 'must have required property "roleRef"' },
            { path: "/subjects/0", message: 'must have required property "name"' },
            { path: "/metadata/name", message: '"Bad_Name" is not a valid RoleBinding name (a DNS subdomain of at most 253 characters)' },
            { path: "/metadata/labels/tier", message: `label value "${"x".repeat(64)}" must be at most 63 characters of letters, digits, '-', '_' and '.', starting and ending alphanumeric` },
        ]);
    });

    it("flags one object declared by two resources", () => {
        const a = resource("a", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "same", namespace: "org-acme" } });
        const b = resource("b", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "same", namespace: "org-acme" } });
        const c = resource("c", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "same", namespace: "org-globex" } });
        expect([...validateObjects(inventory([a, b, c], registry))]).toEqual([
            [b.urn, [{ path: "/metadata/name", message: `the same object is already declared by ${a.urn}` }]],
        ]);
    });

    it("says so when there is no schema for a kind", () => {
        const crd = resource("w", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "org-acme" } });
        crd.type = "kubernetes:example.com/v1:Widget";
        expect(validateKube(kube(crd))).toEqual([{ path: "", message: "no Kubernetes schema for example.com/v1 Widget in kubernetes-models; the object could not be checked" }]);
    });
});

describe("stack config", () => {
    it("reads plain values, drops encrypted ones, plans placeholders for them and leaves unset ones missing", () => {
        const root = tempDir("stack");
        fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: tenancy\nmain: infra/index.ts\nconfig:\n  tenancy:tenantsDir:\n    type: string\n    default: tenants\n");
        fs.writeFileSync(path.join(root, "Pulumi.ci.yaml"), [
            "encryptionsalt: v1:abc",
            "config:",
            "  tenancy:kubeContext: kind",
            "  tenancy:nats:",
            "    port: 4333",
            "  tenancy:kubeconfig:",
            "    secure: v1:AAAA",
            "  tenancy:secrets:",
            "    acme:",
            "      openai-api:",
            "        apiKey: sk-plain-in-file",
            "      github-app:",
            "        appId:",
            "          secure: v1:BBBB",
            "",
        ].join("\n"));
        const files = readStackFiles(root, "ci", true);
        expect(files).toEqual({
            project: "tenancy", main: "infra/index.ts", stackFile: "Pulumi.ci.yaml",
            config: {
                "tenancy:kubeContext": "kind",
                "tenancy:nats": '{"port":4333}',
                "tenancy:secrets": '{"acme":{"openai-api":{"apiKey":"sk-plain-in-file"},"github-app":{}}}',
                "tenancy:tenantsDir": "tenants",
            },
            secretKeys: ["tenancy:kubeconfig", "tenancy:secrets"],
            encrypted: ["tenancy:kubeconfig", "tenancy:secrets.acme.github-app.appId"],
        });
        const planKey = Buffer.alloc(32, 9);
        const { config, secretKeys, missing } = programConfig(files, "/abs/tenants", registry, planKey);
        expect(config["tenancy:tenantsDir"]).toBe("/abs/tenants");
        // The stack names no NATS master key: plan emulates one from the plan key, as a secret.
        expect(config["tenancy:natsMasterKey"]).toBe(emulatedMasterKey(planKey));
        expect(config["tenancy:natsMasterKey"]).toMatch(/^[0-9a-f]{64}$/);
        expect(secretKeys).toEqual(["tenancy:kubeconfig", "tenancy:natsMasterKey", "tenancy:secrets"]);
        // Encrypted values are set (pulumi up reads them): planned with a placeholder. Unset ones stay
        // missing, as for pulumi up, so their Secret is not planned.
        expect(JSON.parse(config["tenancy:secrets"])).toEqual({
            acme: { "openai-api": { apiKey: "sk-plain-in-file" }, "github-app": { appId: "<placeholder: tenancy:secrets.acme.github-app.appId is not available to tenancy plan>" } },
        });
        expect(missing).toEqual([
            { path: "tenancy:secrets.acme.github-app.appId", tenant: "acme", secret: "github-app", state: "encrypted", reason: "encrypted in Pulumi.ci.yaml; tenancy plan cannot decrypt it and planned a placeholder" },
            { path: "tenancy:secrets.acme.github-app.privateKey", tenant: "acme", secret: "github-app", state: "missing", reason: "not set in Pulumi.ci.yaml; Secret github-app is created once it is" },
            { path: "tenancy:secrets.globex.anthropic-api.apiKey", tenant: "globex", secret: "anthropic-api", state: "missing", reason: "not set in Pulumi.ci.yaml; Secret anthropic-api is created once it is" },
        ]);
    });
});
