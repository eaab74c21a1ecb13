import { describe, expect, it } from "vitest";
import { protectLiveTenantNamespaces } from "../../policy/protect-live-tenant-namespaces";
import { ACME, namespaceProps } from "./fixtures";
import { fixture, runResourceRule } from "./support";

const TYPE = "kubernetes:core/v1:Namespace";

describe("protect-live-tenant-namespaces", () => {
    it("accepts a protected active namespace", () => {
        expect(runResourceRule(protectLiveTenantNamespaces, fixture(TYPE, "acme-namespace", namespaceProps(ACME), undefined, true))).toEqual([]);
    });

    it("reports an active namespace without protect", () => {
        expect(runResourceRule(protectLiveTenantNamespaces, fixture(TYPE, "acme-namespace", namespaceProps(ACME), undefined, false))).toEqual([
            `Namespace "org-acme" of tenant acme (lifecycle active) is not protected; the namespace of an active or suspended tenant must set protect: true (mark the tenant decommissioned first to off-board it).`,
        ]);
    });

    it("reports a suspended namespace without protect", () => {
        const props = namespaceProps({ ...ACME, lifecycle: "suspended" });
        expect(runResourceRule(protectLiveTenantNamespaces, fixture(TYPE, "acme-namespace", props))).toEqual([
            `Namespace "org-acme" of tenant acme (lifecycle suspended) is not protected; the namespace of an active or suspended tenant must set protect: true (mark the tenant decommissioned first to off-board it).`,
        ]);
    });

    it("treats a tenant namespace without lifecycle annotation as active", () => {
        const props = namespaceProps(ACME);
        delete (props.metadata.annotations as Record<string, string>)["tenancy.io/lifecycle"];
        expect(runResourceRule(protectLiveTenantNamespaces, fixture(TYPE, "acme-namespace", props))).toHaveLength(1);
    });

    it("lets a decommissioned tenant's namespace go unprotected", () => {
        const props = namespaceProps({ ...ACME, lifecycle: "decommissioned" });
        expect(runResourceRule(protectLiveTenantNamespaces, fixture(TYPE, "acme-namespace", props))).toEqual([]);
    });

    it("ignores platform namespaces", () => {
        expect(runResourceRule(protectLiveTenantNamespaces, fixture(TYPE, "nats", { metadata: { name: "nats" } }))).toEqual([]);
    });
});
