import { describe, expect, it } from "vitest";
import { protectLiveTenantNamespaces } from "../../policy/protect-live-tenant-namespaces";
import { byName, CONFIG, world } from "./fixtures";
import { rewrite } from "./forms";
import { clone, fixture, runResourceRule, type Fixture } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const TYPE = "kubernetes:core/v1:Namespace";
const RULE =
    "the namespace of an active or suspended tenant, or of a tenant or lifecycle unknown during preview, must set protect: true (mark the tenant decommissioned first to off-board it).";

function namespace(slug: string, change: (props: any) => void = () => undefined, protect = false): Fixture {
    const ns = clone(byName(world(), `${slug}-namespace`));
    change(ns.props);
    return { ...ns, protect };
}

describe("protect-live-tenant-namespaces", () => {
    it("accepts the program's namespaces, protected as the program declares them", () => {
        for (const f of world().filter((x) => x.type === TYPE)) expect(runResourceRule(protectLiveTenantNamespaces, f, CONFIG), f.name).toEqual([]);
    });

    it("reports an active namespace without protect", () => {
        expect(runResourceRule(protectLiveTenantNamespaces, namespace("acme"), CONFIG)).toEqual([`Namespace "org-acme" of tenant acme (lifecycle active) is not protected; ${RULE}`]);
    });

    it("reports a suspended namespace without protect", () => {
        expect(runResourceRule(protectLiveTenantNamespaces, namespace("initech"), CONFIG)).toEqual([`Namespace "org-initech" of tenant initech (lifecycle suspended) is not protected; ${RULE}`]);
    });

    it("treats a tenant namespace without lifecycle annotation, or with one unknown during preview, as live", () => {
        const absent = namespace("acme", (p) => delete p.metadata.annotations["tenancy.io/lifecycle"]);
        expect(runResourceRule(protectLiveTenantNamespaces, absent, CONFIG)).toEqual([`Namespace "org-acme" of tenant acme (lifecycle active) is not protected; ${RULE}`]);
        const unknown = namespace("acme", (p) => (p.metadata.annotations["tenancy.io/lifecycle"] = UNKNOWN));
        expect(runResourceRule(protectLiveTenantNamespaces, unknown, CONFIG)).toEqual([`Namespace "org-acme" of tenant acme (lifecycle (unknown during preview)) is not protected; ${RULE}`]);
    });

    it("requires protect of a namespace whose name or tenant label is unknown during preview", () => {
        const name = fixture(TYPE, "mystery", { metadata: { name: UNKNOWN, annotations: { "tenancy.io/lifecycle": "decommissioned" } } });
        expect(runResourceRule(protectLiveTenantNamespaces, name, CONFIG)).toEqual([
            `Namespace "(unknown during preview)" of tenant (unknown during preview) (lifecycle decommissioned) is not protected; ${RULE}`,
        ]);
        const label = fixture(TYPE, "shared", { metadata: { name: "shared", labels: { "tenancy.io/tenant-id": UNKNOWN } } });
        expect(runResourceRule(protectLiveTenantNamespaces, label, CONFIG)).toEqual([`Namespace "shared" of tenant (unknown during preview) (lifecycle active) is not protected; ${RULE}`]);
    });

    it("requires protect of the resource that declares a tenant namespace as a List item or yaml input", () => {
        const { fixtures, urn } = rewrite(world(), "acme-namespace", "list", () => undefined);
        const list = { ...fixtures.find((f) => f.urn === urn)!, protect: false };
        expect(runResourceRule(protectLiveTenantNamespaces, list, CONFIG)).toEqual([
            `Namespace "org-acme" (item 1 of kubernetes:core/v1:NamespaceList "acme-namespace-list") of tenant acme (lifecycle active) is not protected; ${RULE}`,
        ]);
        expect(runResourceRule(protectLiveTenantNamespaces, { ...list, protect: true }, CONFIG)).toEqual([]);
    });

    it("does not require protect of a Patch, whose deletion never deletes the namespace", () => {
        const { fixtures, urn } = rewrite(world(), "acme-namespace", "patch", (b) => (b.metadata.annotations = { "example.com/owner": "team-a" }));
        expect(runResourceRule(protectLiveTenantNamespaces, fixtures.find((f) => f.urn === urn)!, CONFIG)).toEqual([]);
    });

    it("lets a decommissioned tenant's namespace go unprotected, and ignores platform namespaces", () => {
        const decommissioned = namespace("acme", (p) => (p.metadata.annotations["tenancy.io/lifecycle"] = "decommissioned"));
        expect(runResourceRule(protectLiveTenantNamespaces, decommissioned, CONFIG)).toEqual([]);
        expect(runResourceRule(protectLiveTenantNamespaces, fixture(TYPE, "nats", { metadata: { name: "nats" } }), CONFIG)).toEqual([]);
    });
});
