import { describe, expect, it } from "vitest";
import { requireKnownObjectForms } from "../../policy/require-known-object-forms";
import { CONFIG, world } from "./fixtures";
import { fixture, runStackRule, type Fixture } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const CLASSIFY = "every object must have an apiVersion, kind and namespace known during preview so the pack can check it.";
const run = (resources: Fixture[]) => runStackRule(requireKnownObjectForms, resources, CONFIG);
const tenantChild = (resources: Fixture[]) => resources.find((f) => f.type === "tenancy:tenant:TenantAccess" && f.name === "acme");

describe("require-known-object-forms", () => {
    it("accepts the compliant stack and custom kinds outside tenants (the platform's PrometheusRule)", async () => {
        const rule = fixture("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "tenant-monitoring-rules", { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "tenancy-tenants", namespace: "monitoring" }, spec: { groups: [] } });
        expect(await run([...world(), rule])).toEqual([]);
    });

    it.each([
        ["kubernetes:apiextensions.k8s.io:CustomResource", { apiVersion: "v1", kind: UNKNOWN, metadata: { name: "x", namespace: "org-acme" } }, "its kind is unknown during preview"],
        ["kubernetes:apiextensions.k8s.io:CustomResource", { metadata: { name: "x", namespace: "org-acme" } }, "it names no apiVersion and kind"],
        ["kubernetes:core/v1:Secret", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "org-acme" } }, "its fields say v1 ConfigMap but its type says v1 Secret"],
        ["kubernetes:core/v1:SecretList", { items: UNKNOWN }, "its items are unknown during preview"],
        ["kubernetes:yaml/v2:ConfigGroup", { yaml: "kind: [unclosed" }, "its yaml input does not parse as YAML (Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 16:)"],
        ["kubernetes:yaml/v2:ConfigGroup", { objs: UNKNOWN }, "its objs input is unknown during preview"],
        ["kubernetes:not-a-version:Thing", {}, `"not-a-version" is not an apiVersion`],
    ])("reports %s it cannot classify: %j", async (type, props, reason) => {
        const resources = world(["acme"]);
        const f = fixture(type, "odd", props, tenantChild(resources));
        expect(await run([...resources, f])).toEqual([{ message: `${type} "odd" of tenant acme declares a Kubernetes object the pack cannot classify: ${reason}; ${CLASSIFY}`, urn: f.urn }]);
    });

    it("numbers the item of a List or yaml input it cannot classify", async () => {
        const f = fixture("kubernetes:yaml/v2:ConfigGroup", "bundle", { objs: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ok", namespace: "nats" } }, UNKNOWN] });
        expect(await run([...world(["acme"]), f])).toEqual([
            { message: `Object 2 of kubernetes:yaml/v2:ConfigGroup "bundle" declares a Kubernetes object the pack cannot classify: the object is unknown during preview; ${CLASSIFY}`, urn: f.urn },
        ]);
    });

    it("reports yaml, helm and kustomize resources whose objects it cannot see, and accepts them once their children are registered", async () => {
        const chart = fixture("kubernetes:helm.sh/v4:Chart", "agents", { chart: "oci://example.com/agents", namespace: "org-acme" });
        const release = fixture("kubernetes:helm.sh/v3:Release", "tools", { chart: "tools", namespace: "platform-system" });
        const files = fixture("kubernetes:yaml/v2:ConfigFile", "extra", { file: "extra.yaml" });
        expect(await run([...world(["acme"]), chart, release, files])).toEqual([
            { message: `kubernetes:helm.sh/v4:Chart "agents" declares objects from chart "oci://example.com/agents" that the pack cannot read, and none of them is registered in this preview; the objects it declares must be visible to the pack (registered as its children, or given as objs or yaml).`, urn: chart.urn },
            { message: `kubernetes:helm.sh/v3:Release "tools" installs objects with helm inside the cluster, where the engine never registers them, so the pack cannot check them; declare them as objects the pack can see (a Chart, a ConfigGroup or typed resources).`, urn: release.urn },
            { message: `kubernetes:yaml/v2:ConfigFile "extra" declares objects from file "extra.yaml" that the pack cannot read, and none of them is registered in this preview; the objects it declares must be visible to the pack (registered as its children, or given as objs or yaml).`, urn: files.urn },
        ]);
        const child = fixture("kubernetes:core/v1:ConfigMap", "extra-settings", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "nats" } }, files);
        expect(await run([...world(["acme"]), files, child])).toEqual([]);
    });

    it("reports an object of a kind it does not know in a tenant namespace or under a tenant, once per declaration", async () => {
        const resources = world(["acme"]);
        const cr = fixture("kubernetes:cilium.io/v2:CiliumNetworkPolicy", "acme-open", { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: "open", namespace: "org-acme" }, spec: {} });
        expect(await run([...resources, cr])).toEqual([
            { message: `CiliumNetworkPolicy "org-acme/open" of tenant acme is a cilium.io/v2 CiliumNetworkPolicy, a kind the pack does not know; tenants may declare only built-in Kubernetes kinds and Gateway API objects, which the pack can judge.`, urn: cr.urn },
        ]);
    });
});
