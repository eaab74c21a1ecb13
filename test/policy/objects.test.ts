import { describe, expect, it } from "vitest";
import { declaredObjects, describeObject, formNote } from "../../policy/objects";
import { plainProps } from "../../policy/unknowns";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const cm = (name: string, extra: Record<string, unknown> = {}) => ({ metadata: { name, namespace: "org-acme" }, data: { a: "b" }, ...extra });
const shape = (type: string, props: Record<string, unknown>) =>
    declaredObjects(type, "r", props).objects.map((o) => [o.form, o.apiVersion, o.group, o.kind, o.patch, o.scope, o.meta.namespace, o.meta.name, o.item]);

describe("declaredObjects: one map from any Pulumi type and inputs to the Kubernetes objects it declares", () => {
    it("reads typed resources of the core and named groups, with or without their own apiVersion and kind", () => {
        expect(shape("kubernetes:core/v1:ConfigMap", cm("x"))).toEqual([["typed", "v1", "", "ConfigMap", false, "namespaced", "org-acme", "x", undefined]]);
        expect(shape("kubernetes:networking.k8s.io/v1:NetworkPolicy", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...cm("p") })).toEqual([
            ["typed", "networking.k8s.io/v1", "networking.k8s.io", "NetworkPolicy", false, "namespaced", "org-acme", "p", undefined],
        ]);
        expect(shape("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", { metadata: { name: "r" } })).toEqual([
            ["typed", "rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io", "ClusterRole", false, "cluster", undefined, "r", undefined],
        ]);
    });

    it("reads the Node SDK's CustomResource token (kubernetes:<apiVersion>:<Kind>) for core and custom kinds", () => {
        expect(shape("kubernetes:v1:Secret", { apiVersion: "v1", kind: "Secret", ...cm("s") })).toEqual([["typed", "v1", "", "Secret", false, "namespaced", "org-acme", "s", undefined]]);
        expect(shape("kubernetes:example.com/v1beta1:Widget", { apiVersion: "example.com/v1beta1", kind: "Widget", ...cm("w") })).toEqual([
            ["typed", "example.com/v1beta1", "example.com", "Widget", false, "unknown", "org-acme", "w", undefined],
        ]);
        expect(shape("kubernetes:v1:SecretPatch", { apiVersion: "v1", kind: "Secret", ...cm("s") })).toEqual([["patch", "v1", "", "Secret", true, "namespaced", "org-acme", "s", undefined]]);
    });

    it("reads Patch types as a change to the object they name", () => {
        expect(shape("kubernetes:core/v1:ResourceQuotaPatch", { apiVersion: "v1", kind: "ResourceQuota", ...cm("quota") })).toEqual([
            ["patch", "v1", "", "ResourceQuota", true, "namespaced", "org-acme", "quota", undefined],
        ]);
        expect(shape("kubernetes:apiextensions.k8s.io:CustomResourcePatch", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...cm("p") })).toEqual([
            ["patch", "networking.k8s.io/v1", "networking.k8s.io", "NetworkPolicy", true, "namespaced", "org-acme", "p", undefined],
        ]);
    });

    it("reads every item of a List type, items with their own kind included", () => {
        expect(shape("kubernetes:core/v1:ConfigMapList", { apiVersion: "v1", kind: "ConfigMapList", items: [cm("a"), { apiVersion: "v1", kind: "Secret", ...cm("b") }] })).toEqual([
            ["list", "v1", "", "ConfigMap", false, "namespaced", "org-acme", "a", 1],
            ["list", "v1", "", "Secret", false, "namespaced", "org-acme", "b", 2],
        ]);
    });

    it("reads the generic CustomResource by the apiVersion and kind in its inputs", () => {
        expect(shape("kubernetes:apiextensions.k8s.io:CustomResource", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", ...cm("b") })).toEqual([
            ["generic", "rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io", "RoleBinding", false, "namespaced", "org-acme", "b", undefined],
        ]);
    });

    it("reads the objects of yaml components from objs and yaml inputs, Lists expanded", () => {
        const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: org-acme}\n---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Secret, metadata: {name: b, namespace: org-acme}}\n`;
        expect(shape("kubernetes:yaml/v2:ConfigGroup", { yaml, objs: [{ apiVersion: "v1", kind: "ServiceAccount", ...cm("c") }] })).toEqual([
            ["component", "v1", "", "ServiceAccount", false, "namespaced", "org-acme", "c", 1],
            ["component", "v1", "", "ConfigMap", false, "namespaced", "org-acme", "a", 2],
            ["component", "v1", "", "Secret", false, "namespaced", "org-acme", "b", 3],
        ]);
        const chart = declaredObjects("kubernetes:helm.sh/v4:Chart", "agents", { chart: "agents", values: { x: 1 } });
        expect([chart.objects, chart.unclassified, chart.component?.hidden, chart.component?.release]).toEqual([[], [], 'chart "agents"', false]);
    });

    it("says what it cannot classify instead of skipping it", () => {
        const reasons = (type: string, props: Record<string, unknown>) => declaredObjects(type, "r", props).unclassified.map((u) => [u.item, u.reason]);
        expect(reasons("kubernetes:core/v1:Secret", { apiVersion: "v1", kind: UNKNOWN, ...cm("s") })).toEqual([[undefined, "its kind is unknown during preview"]]);
        expect(reasons("kubernetes:core/v1:Secret", { apiVersion: "v2", kind: "Secret" })).toEqual([[undefined, "its fields say v2 Secret but its type says v1 Secret"]]);
        expect(reasons("kubernetes:core/v1:SecretList", { items: [cm("a"), UNKNOWN, 3] })).toEqual([[2, "the object is unknown during preview"], [3, "the object is not a mapping"]]);
        expect(reasons("kubernetes:foo", {})).toEqual([[undefined, `"kubernetes:foo" is not a Kubernetes resource type the pack knows`]]);
        expect(reasons("kubernetes:apiextensions.k8s.io:CustomResource", { apiVersion: "not a version", kind: "X" })).toEqual([[undefined, `"not a version" is not an apiVersion`]]);
        expect(declaredObjects("random:index/randomBytes:RandomBytes", "k", {})).toEqual({ objects: [], unclassified: [] });
    });

    it("names objects with the form they are declared in", () => {
        const [patch] = declaredObjects("kubernetes:core/v1:ConfigMapPatch", "p", cm("x")).objects;
        expect(describeObject(patch)).toBe(`ConfigMap "org-acme/x" (patched by kubernetes:core/v1:ConfigMapPatch "p")`);
        expect(formNote({ form: "typed", type: "t", resourceName: "n" })).toBe("");
        const [unknownNs] = declaredObjects("kubernetes:core/v1:ConfigMap", "c", { metadata: { name: "x", namespace: UNKNOWN } }).objects;
        expect(describeObject(unknownNs)).toBe(`ConfigMap "(unknown during preview)/x"`);
    });
});

describe("plainProps: the raw properties, every unknown sentinel as one marker", () => {
    it("copies through @pulumi/policy's unknown-checking proxy without reading an unknown through it", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T };
        const props = unknownCheckingProxy({ metadata: { name: "x", labels: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff" }, list: [UNKNOWN, "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"] });
        expect(() => (props as { metadata: { labels: unknown } }).metadata.labels).toThrow("can't be known during preview");
        expect(plainProps(props)).toEqual({ metadata: { name: "x", labels: UNKNOWN }, list: [UNKNOWN, UNKNOWN] });
    });
});
