import * as fs from "node:fs";
import { LIFECYCLE_ANNOTATION, NAMESPACE_PREFIX, NATS_AUTHORIZATION_CONFIGMAP, NATS_CREDENTIALS_SECRET, ORG_ID_ANNOTATION, PERMISSIONS_JSON_KEY, PLATFORM_ACCOUNT, PLATFORM_BROADCAST_SUBJECT, QUOTA_FIELDS, STATUS_LOCAL_SUBJECT, TENANT_LABEL, tenantSubjects, TIER_LABEL, type QuotaField } from "../../contract";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchemaFor, DEFAULT_CONFIG, readConfig } from "../../policy/config";
import { stackConfigSchema } from "../../infra/config";


describe("pack configuration defaults", () => {
    it("match the program's labels and annotations", () => {
        expect(DEFAULT_CONFIG.tenantLabel).toBe(TENANT_LABEL);
        expect(DEFAULT_CONFIG.planLabel).toBe(TIER_LABEL);
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
    });

    it("match the plan catalog's quota ceilings", () => {
        const catalog = parse(fs.readFileSync(path.join(__dirname, "../../tenants/plans.yaml"), "utf8")) as {
            plans: Record<string, { quota: Record<string, string | number> }>;
        };
        const expected = Object.fromEntries(
            Object.entries(catalog.plans).map(([plan, { quota }]) => [
                plan,
                Object.fromEntries(Object.entries(quota).map(([key, value]) => [QUOTA_FIELDS[key as QuotaField], String(value)])),
            ]),
        );
        expect(DEFAULT_CONFIG.planCeilings).toEqual(expected);
    });

    it("match the program's NATS names and platform subjects", () => {
        expect(DEFAULT_CONFIG.platformNatsAccount).toBe(PLATFORM_ACCOUNT);
        expect(DEFAULT_CONFIG.natsAuthorizationConfigMap).toBe(NATS_AUTHORIZATION_CONFIGMAP);
        expect(DEFAULT_CONFIG.natsPermissionsKey).toBe(PERMISSIONS_JSON_KEY);
        expect(DEFAULT_CONFIG.natsCredentialsSecret).toBe(NATS_CREDENTIALS_SECRET);
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
