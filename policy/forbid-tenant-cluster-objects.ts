import type { StackValidationPolicy } from "@pulumi/policy";
import { tenantOfNamespace } from "./helpers";
import { describeObject, isKind } from "./objects";
import { stackRule } from "./rule-kit";
import { isUnknown } from "./unknowns";

/** Checks that no tenant declares a cluster-scoped object and no PersistentVolume is pre-bound into a tenant namespace. */
export const forbidTenantClusterObjects: StackValidationPolicy = stackRule(
    {
        name: "forbid-tenant-cluster-objects",
        description:
            "Checks that no cluster-scoped object (nor one of unknown scope without a namespace) is declared under a tenant's component, and that no PersistentVolume's claimRef points into a tenant namespace or is unknown during preview.",
        config: ["tenantNamespacePrefix"],
    },
    (index, config, report) => {
        for (const o of index.objects) {
            const owner = index.ownerOf(o.resource);
            const unscoped = o.scope === "unknown" && o.meta.namespace === undefined;
            if (owner && (o.scope === "cluster" || unscoped)) {
                const what = unscoped ? "an object of a kind the pack does not know, without a namespace," : "a cluster-scoped object";
                if (!isKind(o, "Namespace")) {
                    report(`${describeObject(o)} is ${what} declared under tenant ${owner}'s component; a tenant may declare only namespaced objects of its own namespace.`, o.resource.urn);
                }
            }
            if (!isKind(o, "PersistentVolume")) continue;
            const spec = o.body.spec as Record<string, unknown> | undefined;
            const claimRef = (isUnknown(spec) ? spec : spec?.claimRef) as Record<string, unknown> | undefined;
            const claimNamespace = isUnknown(claimRef) ? claimRef : claimRef?.namespace;
            if (claimNamespace !== undefined && isUnknown(claimNamespace)) {
                report(`${describeObject(o)} has a claimRef whose namespace is unknown during preview; a PersistentVolume's claimRef must be known and must not point into a tenant namespace.`, o.resource.urn);
                continue;
            }
            const slug = typeof claimNamespace === "string" ? tenantOfNamespace(claimNamespace, config) : undefined;
            if (slug) {
                report(`${describeObject(o)} is pre-bound by its claimRef to a claim in namespace "${claimNamespace}" of tenant ${slug}; no PersistentVolume may be pre-bound into a tenant namespace, where it would hand that tenant data it does not own.`, o.resource.urn);
            }
        }
    },
);
