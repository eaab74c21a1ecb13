import { describe, expect, it } from "vitest";
import { enforceTenantOwnership } from "../../policy/enforce-tenant-ownership";
import { ACME, byName, GLOBEX, tenantStack } from "./fixtures";
import { fixture, runStackRule } from "./support";

const world = () => [...tenantStack(ACME), ...tenantStack(GLOBEX)];

describe("enforce-tenant-ownership", () => {
    it("accepts two compliant tenants", async () => {
        expect(await runStackRule(enforceTenantOwnership, world())).toEqual([]);
    });

    it("reports a secret of acme moved into globex's namespace", async () => {
        const resources = world();
        const secret = byName(resources, "acme-openai-api");
        secret.props.metadata.namespace = "org-globex";
        expect(await runStackRule(enforceTenantOwnership, resources)).toEqual([
            {
                message: `Secret "org-globex/openai-api" is created by tenant acme but lives in namespace "org-globex" of tenant globex; tenant acme's objects must live in "org-acme".`,
                urn: secret.urn,
            },
        ]);
    });

    it("reports an object of acme carrying globex's label", async () => {
        const resources = world();
        const sa = byName(resources, "acme-agent-sa");
        sa.props.metadata.labels["tenancy.io/tenant-id"] = GLOBEX.id;
        expect(await runStackRule(enforceTenantOwnership, resources)).toEqual([
            {
                message: `ServiceAccount "org-acme/agent-worker-sa" of tenant acme carries tenancy.io/tenant-id=org_k4x8p2wn; every object in "org-acme" must carry tenancy.io/tenant-id=org_7f3k2m9q.`,
                urn: sa.urn,
            },
        ]);
    });

    it("reports a hand-written object in acme's namespace without a tenant label", async () => {
        const cm = fixture("kubernetes:core/v1:ConfigMap", "debug", { metadata: { name: "debug", namespace: "org-acme" }, data: {} });
        expect(await runStackRule(enforceTenantOwnership, [...world(), cm])).toEqual([
            {
                message: `ConfigMap "org-acme/debug" of tenant acme carries tenancy.io/tenant-id=(none); every object in "org-acme" must carry tenancy.io/tenant-id=org_7f3k2m9q.`,
                urn: cm.urn,
            },
        ]);
    });

    it("reports a tenant namespace labelled with another tenant's id", async () => {
        const resources = world();
        const ns = byName(resources, "globex-namespace");
        ns.props.metadata.labels["tenancy.io/tenant-id"] = ACME.id;
        const reported = await runStackRule(enforceTenantOwnership, resources);
        expect(reported.map((r) => r.message)).toContain(
            `Namespace "org-globex" of tenant globex carries tenancy.io/tenant-id=org_7f3k2m9q; it must carry tenancy.io/tenant-id=org_k4x8p2wn, the id of the registry entry that created it.`,
        );
        expect(reported.map((r) => r.message)).toContain(
            `Namespace "org-globex" of tenant globex carries tenancy.io/tenant-id=org_7f3k2m9q, already carried by namespace "org-acme"; each tenant id belongs to exactly one namespace.`,
        );
    });

    it("reports a tenant's namespace created under another name", async () => {
        const resources = world();
        const ns = byName(resources, "acme-namespace");
        ns.props.metadata.name = "org-acme2";
        const reported = await runStackRule(enforceTenantOwnership, resources);
        expect(reported[0]).toEqual({
            message: `Namespace "org-acme2" is created by tenant acme; tenant acme's namespace must be named "org-acme".`,
            urn: ns.urn,
        });
    });

    it("reports a namespace with the tenant prefix that no Tenant component created", async () => {
        const ns = fixture("kubernetes:core/v1:Namespace", "rogue", { metadata: { name: "org-rogue", labels: {} } });
        expect(await runStackRule(enforceTenantOwnership, [...world(), ns])).toEqual([
            {
                message: `Namespace "org-rogue" uses the tenant prefix "org-" but is not created by tenant rogue's Tenant component; tenant namespaces must come from the registry.`,
                urn: ns.urn,
            },
        ]);
    });

    it("ignores objects in platform namespaces", async () => {
        const cm = fixture("kubernetes:core/v1:ConfigMap", "nats-auth", { metadata: { name: "nats-auth", namespace: "nats" } });
        expect(await runStackRule(enforceTenantOwnership, [...world(), cm])).toEqual([]);
    });
});
