import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { Tenant as TenantComponent } from "../../components";
import type { RegistryEntry } from "../../registry";
import { installRecordingMocks, runRecorded, valueOf, type MockedResource } from "../support/pulumi-mocks";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";

// Mocks first, then the code under test (a static import would run against the SDK's silent test mode).
const resources: MockedResource[] = installRecordingMocks();
let acme: TenantComponent;
let decommissioned: TenantComponent;

const platformController = { namespace: "platform-system", serviceAccount: "agent-orchestrator" };
const nats = { namespace: "nats", port: 4222, url: "nats://nats.nats.svc.cluster.local:4222" };
const PRIORITY_CLASSES = ["tenancy-enterprise", "tenancy-free", "tenancy-standard"];
const natsKeys = { masterKey: pulumi.secret(TEST_NATS_MASTER_KEY) };
const acmeSecrets = { "openai-api": { apiKey: "sk-test-acme" }, "github-app": { appId: "42", privateKey: "pem-test" } };

beforeAll(async () => {
    const { Tenant } = await import("../../components");
    const { loadRegistry } = await import("../../registry");
    const registry = loadRegistry(EXAMPLE_REGISTRY);
    const entry = (slug: string): RegistryEntry => registry.entries.find((e) => e.tenant.slug === slug)!;
    await runRecorded(resources, () => {
        const a = entry("acme");
        acme = new Tenant("acme", { tenant: a.tenant, plan: a.plan, platformController, nats, priorityClasses: PRIORITY_CLASSES, secretValues: acmeSecrets, natsKeys });
        const i = entry("initech");
        decommissioned = new Tenant(
            "initech",
            { tenant: { ...i.tenant, lifecycle: "decommissioned" }, plan: i.plan, platformController, nats, priorityClasses: PRIORITY_CLASSES, secretValues: {}, natsKeys },
        );
        return {};
    });
});

const of = (prefix: string) => resources.filter((r) => r.name.startsWith(`${prefix}-`) || r.name === prefix);

describe("Tenant", () => {
    it("declares every object of a standard tenant, named <slug>-<role>", () => {
        const kinds = of("acme")
            .filter((r) => r.type.startsWith("kubernetes:"))
            .map((r) => `${r.type.split(":")[2]} ${r.name}`)
            .sort();
        expect(kinds).toEqual([
            "LimitRange acme-limits",
            "Namespace acme-namespace",
            "NetworkPolicy acme-allow-dns",
            "NetworkPolicy acme-allow-egress-cidrs",
            "NetworkPolicy acme-allow-nats",
            "NetworkPolicy acme-allow-same-namespace",
            "NetworkPolicy acme-default-deny",
            "ResourceQuota acme-priority-ceiling",
            "ResourceQuota acme-quota",
            "Role acme-platform-agent-manager",
            "Role acme-secret-reader",
            "RoleBinding acme-platform-agent-manager",
            "RoleBinding acme-secret-reader",
            "Secret acme-github-app",
            "Secret acme-nats-credentials",
            "Secret acme-openai-api",
            "ServiceAccount acme-agent-sa",
        ]);
    });

    it("parents every object under a sub-component of the tenant", () => {
        const components = of("acme").filter((r) => r.type.startsWith("tenancy:"));
        expect(components.map((r) => `${r.type} <- ${r.parentName ?? "(stack)"}`).sort()).toEqual([
            "tenancy:nats:NatsAccount <- acme",
            "tenancy:tenant:Tenant <- (stack)",
            "tenancy:tenant:TenantAccess <- acme",
            "tenancy:tenant:TenantNamespace <- acme",
            "tenancy:tenant:TenantNetwork <- acme",
            "tenancy:tenant:TenantQuota <- acme",
            "tenancy:tenant:TenantSecrets <- acme",
        ]);
        for (const r of of("acme").filter((x) => x.type.startsWith("kubernetes:"))) expect(r.parentName, r.name).toBe(r.name.startsWith("acme-nats-") ? "acme-nats" : "acme");
    });

    it("sets metadata.namespace explicitly on every namespaced object", () => {
        for (const r of of("acme").filter((x) => x.type.startsWith("kubernetes:") && !x.type.endsWith(":Namespace"))) {
            expect(r.inputs.metadata.namespace, r.name).toBe("org-acme");
        }
    });

    it("creates namespaced objects only after the namespace", () => {
        const namespaced = of("acme").filter((x) => x.type.startsWith("kubernetes:") && !x.type.endsWith(":Namespace"));
        for (const r of namespaced.filter((x) => !x.type.endsWith(":RoleBinding"))) expect(r.dependsOn, r.name).toEqual(["acme-namespace"]);
    });

    it("protects the namespace of a live tenant and lifts protection once decommissioned", () => {
        expect(resources.find((r) => r.name === "acme-namespace")?.protect).toBe(true);
        expect(resources.find((r) => r.name === "initech-namespace")?.protect).toBe(false);
        expect(decommissioned.namespaceName).toBe("org-initech");
    });

    it("keeps secret values secret end to end", async () => {
        const secret = acme.secrets.secrets["openai-api"];
        expect(await pulumi.isSecret(secret.stringData)).toBe(true);
        expect(await valueOf(secret.stringData)).toEqual({ apiKey: "sk-test-acme" });
        const registered = resources.find((r) => r.name === "acme-openai-api")!;
        expect(registered.inputs.metadata).toMatchObject({ name: "openai-api", namespace: "org-acme" });
    });

    it("exposes its parts for composition", () => {
        expect(acme.namespaceName).toBe("org-acme");
        expect(Object.keys(acme.network.policies)).toHaveLength(5);
        expect(Object.keys(acme.secrets.secrets).sort()).toEqual(["github-app", "openai-api"]);
    });
});
