import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { LIFECYCLE_ANNOTATION, NAMESPACE_PREFIX, ORG_ID_ANNOTATION, PLATFORM_ACCOUNT, PLATFORM_BROADCAST_SUBJECT, STATUS_LOCAL_SUBJECT, TENANT_LABEL, tenantSubjects } from "../../contract";
import { stackConfigSchema } from "../../infra/config";
import { configSchemaFor, DEFAULT_CONFIG, readConfig } from "../../policy/config";
import { registryFor } from "../../policy/tenant-registry";
import { REGISTRY_DIR } from "./registry";


describe("pack configuration defaults", () => {
    it("match the program's labels and annotations", () => {
        expect(DEFAULT_CONFIG.tenantLabel).toBe(TENANT_LABEL);
        expect(DEFAULT_CONFIG.lifecycleAnnotation).toBe(LIFECYCLE_ANNOTATION);
        expect(DEFAULT_CONFIG.orgIdAnnotation).toBe(ORG_ID_ANNOTATION);
        expect(DEFAULT_CONFIG.tenantNamespacePrefix).toBe(NAMESPACE_PREFIX);
    });

    it("match the program's default platform controller and NATS namespace", () => {
        const stack = stackConfigSchema.parse({});
        expect(DEFAULT_CONFIG.platformPrincipals).toEqual([
            { kind: "ServiceAccount", namespace: stack.platformController.namespace, name: stack.platformController.serviceAccount },
        ]);
        expect(DEFAULT_CONFIG.platformNamespaces).toContain(stack.nats.namespace);
        expect(DEFAULT_CONFIG.platformNamespaces).toContain(stack.platformController.namespace);
        expect(DEFAULT_CONFIG.natsNamespaces).toEqual([stack.nats.namespace]);
    });

    it("read the repository's registry next to the pack by default, and any registry the configuration names", () => {
        expect(registryFor(DEFAULT_CONFIG).dir).toBe(path.resolve(__dirname, "../../tenants"));
        const view = registryFor({ ...DEFAULT_CONFIG, registryDir: REGISTRY_DIR });
        expect([view.dir, view.problem, view.registry?.entries.map((e) => e.tenant.slug)]).toEqual([REGISTRY_DIR, undefined, ["acme", "globex", "initech"]]);
        expect(registryFor({ ...DEFAULT_CONFIG, registryDir: REGISTRY_DIR })).toBe(view);
    });

    it("cover the kubeadm pod and Service ranges unless the cluster's are configured", () => {
        expect([DEFAULT_CONFIG.podCidrs, DEFAULT_CONFIG.serviceCidrs]).toEqual([["10.244.0.0/16"], ["10.96.0.0/12"]]);
    });

    it("match the program's NATS names and platform subjects", () => {
        expect(DEFAULT_CONFIG.platformNatsAccount).toBe(PLATFORM_ACCOUNT);
        expect(DEFAULT_CONFIG.platformNatsSubjects.map((s) => s.replace("{slug}", "acme"))).toEqual([
            PLATFORM_BROADCAST_SUBJECT,
            STATUS_LOCAL_SUBJECT,
            tenantSubjects("acme").platformStatus,
        ]);
    });

    it("fills unset properties with defaults and keeps configured ones", () => {
        expect(readConfig({})).toEqual(DEFAULT_CONFIG);
        expect(readConfig(undefined)).toEqual(DEFAULT_CONFIG);
        expect(readConfig({ allowedClusterRoles: [] }).allowedClusterRoles).toEqual([]);
        expect(readConfig({ allowedClusterRoles: [] }).platformNamespaces).toEqual(DEFAULT_CONFIG.platformNamespaces);
    });

    it("builds a schema with defaults for exactly the requested properties", () => {
        const schema = configSchemaFor(["allowedClusterRoles"]);
        expect(schema).toEqual({
            properties: {
                allowedClusterRoles: {
                    type: "array",
                    items: { type: "string" },
                    description: "ClusterRoles a RoleBinding in a tenant namespace may reference.",
                    default: ["view"],
                },
            },
        });
    });
});
