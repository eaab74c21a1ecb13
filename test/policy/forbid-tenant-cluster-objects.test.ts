import { describe, expect, it } from "vitest";
import { forbidTenantClusterObjects } from "../../policy/forbid-tenant-cluster-objects";
import { CONFIG, world } from "./fixtures";
import { fixture, runStackRule, type Fixture } from "./support";

const run = (resources: Fixture[]) => runStackRule(forbidTenantClusterObjects, resources, CONFIG);
const acmeComponent = (resources: Fixture[]) => resources.find((f) => f.type === "tenancy:tenant:TenantAccess" && f.name === "acme");

describe("forbid-tenant-cluster-objects", () => {
    it("accepts the compliant stack: cluster-scoped PriorityClasses belong to the platform, each tenant's Namespace to it", async () => {
        expect(await run(world())).toEqual([]);
    });

    it("reports a cluster-scoped object, or one of a kind the pack does not know without a namespace, under a tenant", async () => {
        const resources = world(["acme"]);
        const parent = acmeComponent(resources);
        const role = fixture("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "acme-reader", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "acme-reader" }, rules: [] }, parent);
        const widget = fixture("kubernetes:example.com/v1:Widget", "acme-widget", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "widget" } }, parent);
        expect(await run([...resources, role, widget])).toEqual([
            { message: `ClusterRole "acme-reader" is a cluster-scoped object declared under tenant acme's component; a tenant may declare only namespaced objects of its own namespace.`, urn: role.urn },
            { message: `Widget "widget" is an object of a kind the pack does not know, without a namespace, declared under tenant acme's component; a tenant may declare only namespaced objects of its own namespace.`, urn: widget.urn },
        ]);
    });

    it("accepts a PersistentVolume bound to no tenant's claim", async () => {
        const pv = fixture("kubernetes:core/v1:PersistentVolume", "cache", { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "cache" }, spec: { claimRef: { namespace: "platform-system", name: "cache" } } });
        expect(await run([...world(["acme"]), pv])).toEqual([]);
    });
});
