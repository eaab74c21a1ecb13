import { describe, expect, it } from "vitest";
import { requireExplicitNamespace } from "../../policy/require-explicit-namespace";
import { ACME, tenantStack } from "./fixtures";
import { clone, fixture, runResourceRule } from "./support";

describe("require-explicit-namespace", () => {
    it("accepts every object of a compliant tenant", () => {
        for (const f of tenantStack(ACME)) expect(runResourceRule(requireExplicitNamespace, f), f.name).toEqual([]);
    });

    it("reports a namespaced object without metadata.namespace, naming its tenant label", () => {
        const secret = clone(tenantStack(ACME).find((f) => f.name === "acme-openai-api")!);
        delete secret.props.metadata.namespace;
        expect(runResourceRule(requireExplicitNamespace, secret)).toEqual([
            `Secret "openai-api" (tenant org_7f3k2m9q) does not set metadata.namespace; every namespaced object must name its namespace so it can never land in the provider's default namespace.`,
        ]);
    });

    it("treats an empty namespace as missing and falls back to the Pulumi name", () => {
        const cm = fixture("kubernetes:core/v1:ConfigMap", "stray", { metadata: { namespace: "" }, data: {} });
        expect(runResourceRule(requireExplicitNamespace, cm)).toEqual([
            `ConfigMap "stray" does not set metadata.namespace; every namespaced object must name its namespace so it can never land in the provider's default namespace.`,
        ]);
    });

    it("ignores cluster-scoped kinds, components and providers", () => {
        for (const f of [
            fixture("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "reader", { metadata: { name: "reader" } }),
            fixture("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "org-acme" } }),
            fixture("tenancy:tenant:Tenant", "acme", {}),
            fixture("pulumi:providers:kubernetes", "default", {}),
            fixture("kubernetes:yaml/v2:ConfigGroup", "bundle", {}),
        ]) {
            expect(runResourceRule(requireExplicitNamespace, f), f.type).toEqual([]);
        }
    });
});
