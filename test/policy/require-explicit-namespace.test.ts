import { describe, expect, it } from "vitest";
import { requireExplicitNamespace } from "../../policy/require-explicit-namespace";
import { byName, CONFIG, idOf, world } from "./fixtures";
import { rewrite } from "./forms";
import { clone, fixture, runResourceRule } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const RULE = "every namespaced object must name its namespace so it can never land in the provider's default namespace.";

describe("require-explicit-namespace", () => {
    it("accepts every object of the compliant stack", () => {
        for (const f of world()) expect(runResourceRule(requireExplicitNamespace, f, CONFIG), f.name).toEqual([]);
    });

    it("reports a namespaced object without metadata.namespace, naming its tenant label", () => {
        const secret = clone(byName(world(), "acme-openai-api"));
        delete secret.props.metadata.namespace;
        expect(runResourceRule(requireExplicitNamespace, secret, CONFIG)).toEqual([`Secret "openai-api" (tenant ${idOf("acme")}) does not set metadata.namespace; ${RULE}`]);
    });

    it("reports an object in the default namespace, which is what the real engine shows for a missing namespace", () => {
        // The Kubernetes provider's Check fills in "default" before the engine calls the pack.
        const secret = clone(byName(world(), "acme-openai-api"));
        secret.props.metadata.namespace = "default";
        expect(runResourceRule(requireExplicitNamespace, secret, CONFIG)).toEqual([
            `Secret "default/openai-api" (tenant ${idOf("acme")}) is in the "default" namespace, where the provider puts objects that name none; every namespaced object must name its tenant's or a platform namespace.`,
        ]);
    });

    it("treats an empty namespace as missing and falls back to the Pulumi name", () => {
        const cm = fixture("kubernetes:core/v1:ConfigMap", "stray", { metadata: { namespace: "" }, data: {} });
        expect(runResourceRule(requireExplicitNamespace, cm, CONFIG)).toEqual([`ConfigMap "stray" does not set metadata.namespace; ${RULE}`]);
    });

    it("reports the same omission in a Patch, a List item and a yaml input", () => {
        // The Patch carries only what it changes: no labels, so no tenant to name.
        for (const [form, note] of [
            ["patch", ' (patched by kubernetes:core/v1:SecretPatch "acme-openai-api-patch")'],
            ["list", ` (item 1 of kubernetes:core/v1:SecretList "acme-openai-api-list") (tenant ${idOf("acme")})`],
            ["yaml-text", ` (object 1 of kubernetes:yaml/v2:ConfigGroup "acme-openai-api-yaml") (tenant ${idOf("acme")})`],
        ] as const) {
            const { fixtures, urn } = rewrite(world(), "acme-openai-api", form, (b) => delete b.metadata.namespace);
            const declaring = fixtures.find((f) => f.urn === urn)!;
            expect(runResourceRule(requireExplicitNamespace, declaring, CONFIG), form).toEqual([`Secret "openai-api"${note} does not set metadata.namespace; ${RULE}`]);
        }
    });

    it("reports a namespace unknown during preview, since it decides the tenant", () => {
        const cm = fixture("kubernetes:core/v1:ConfigMap", "handoff", { metadata: { name: "handoff", namespace: UNKNOWN }, data: {} });
        expect(runResourceRule(requireExplicitNamespace, cm, CONFIG)).toEqual([
            `ConfigMap "(unknown during preview)/handoff" has a metadata.namespace that is unknown during preview; its namespace must be known so the pack can tell which tenant it belongs to.`,
        ]);
    });

    it("stays quiet about an unknown value that decides nothing (a ConfigMap's data)", () => {
        const cm = fixture("kubernetes:core/v1:ConfigMap", "settings", { metadata: { name: "settings", namespace: "org-acme" }, data: { mode: UNKNOWN } });
        expect(runResourceRule(requireExplicitNamespace, cm, CONFIG)).toEqual([]);
    });

    it("ignores cluster-scoped kinds, custom kinds of unknown scope, components and providers", () => {
        for (const f of [
            fixture("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "reader", { metadata: { name: "reader" } }),
            fixture("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "org-acme" } }),
            fixture("kubernetes:example.com/v1:Widget", "widget", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "widget" } }),
            fixture("tenancy:tenant:Tenant", "acme", {}),
            fixture("pulumi:providers:kubernetes", "default", {}),
            fixture("kubernetes:yaml/v2:ConfigGroup", "bundle", {}),
        ]) {
            expect(runResourceRule(requireExplicitNamespace, f, CONFIG), f.type).toEqual([]);
        }
    });
});
