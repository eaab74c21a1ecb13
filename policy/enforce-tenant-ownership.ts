import type { StackValidationPolicy } from "@pulumi/policy";
import type { GuardConfig } from "./config";
import { namespaceOfTenant, tenantOfNamespace } from "./helpers";
import { annotationOf, labelOf, shown } from "./metadata";
import { describeObject, isKind } from "./objects";
import { stackRule, type Report } from "./rule-kit";
import type { StackIndex, StackObject } from "./stack-index";
import { isUnknown } from "./unknowns";

/** Checks that every tenant object lives in its tenant's namespace and carries that tenant's label. */
export const enforceTenantOwnership: StackValidationPolicy = stackRule(
    {
        name: "enforce-tenant-ownership",
        description:
            "Checks that objects created under a tenant live in that tenant's namespace and carry its tenant label, that every object in a tenant namespace carries that tenant's label, and that each tenant namespace is labelled with the tenant that created it, in every form they are declared and with every deciding value known during preview.",
        config: ["tenantNamespacePrefix", "tenantLabel", "orgIdAnnotation"],
    },
    (index, config, report) => {
        checkNamespaces(index, config, report);
        for (const [namespace, objects] of index.objectsByNamespace) {
            const nsTenant = tenantOfNamespace(namespace, config);
            const nsId = nsTenant ? (index.tenantIdOf(nsTenant, config) ?? index.namespaceLabel(namespace, config.tenantLabel)) : undefined;
            for (const object of objects) checkObject(index, config, object, namespace, nsTenant, nsId, report);
        }
    },
);

function checkNamespaces(index: StackIndex, config: GuardConfig, report: Report): void {
    const label = config.tenantLabel;
    const claimedBy = new Map<string, string>();
    for (const ns of index.objects.filter((o) => isKind(o, "Namespace") && o.meta.name !== undefined && isUnknown(o.meta.name))) {
        report(`${describeObject(ns)} has a name that is unknown during preview; a Namespace's name decides which tenant it belongs to and must be known.`, ns.resource.urn);
    }
    for (const [name, variants] of index.namespaces) {
        for (const ns of variants) {
            const owner = index.ownerOf(ns.resource);
            const nsTenant = tenantOfNamespace(name, config);
            const tenantId = labelOf(ns.meta, label);
            const what = describeObject(ns);
            if (owner && name !== namespaceOfTenant(owner, config)) {
                report(`${what} is created by tenant ${owner}; tenant ${owner}'s namespace must be named "${namespaceOfTenant(owner, config)}".`, ns.resource.urn);
            } else if (nsTenant && !owner && !ns.patch) {
                report(`${what} uses the tenant prefix "${config.tenantNamespacePrefix}" but is not created by tenant ${nsTenant}'s Tenant component; tenant namespaces must come from the registry.`, ns.resource.urn);
            }
            const tenant = owner ?? nsTenant;
            if (!tenant) continue;
            const expected = index.tenantIdOf(tenant, config);
            if (tenantId !== undefined && isUnknown(tenantId)) {
                report(`${what} of tenant ${tenant} carries ${label} unknown during preview; it must carry the tenant's id, known during preview.`, ns.resource.urn);
                continue;
            }
            if (expected !== undefined && !isUnknown(expected) && tenantId !== expected) {
                report(`${what} of tenant ${tenant} carries ${label}=${tenantId ?? "(none)"}; it must carry ${label}=${expected}, the id of the registry entry that created it.`, ns.resource.urn);
            }
            const annotated = annotationOf(ns.meta, config.orgIdAnnotation);
            if (annotated !== undefined && !isUnknown(annotated) && tenantId !== undefined && annotated !== tenantId) {
                report(`${what} of tenant ${tenant} carries ${label}=${tenantId} but ${config.orgIdAnnotation}=${annotated}; both must name the same tenant.`, ns.resource.urn);
            }
            if (tenantId === undefined) continue;
            const other = claimedBy.get(tenantId);
            if (other !== undefined && other !== name) {
                report(`${what} of tenant ${tenant} carries ${label}=${tenantId}, already carried by namespace "${other}"; each tenant id belongs to exactly one namespace.`, ns.resource.urn);
            } else claimedBy.set(tenantId, name);
        }
    }
}

function checkObject(
    index: StackIndex,
    config: GuardConfig,
    object: StackObject,
    namespace: string,
    nsTenant: string | undefined,
    nsId: string | undefined,
    report: Report,
): void {
    const label = config.tenantLabel;
    const what = describeObject(object);
    const tenantId = labelOf(object.meta, label);
    const owner = index.ownerOf(object.resource);
    if (owner && namespace !== namespaceOfTenant(owner, config)) {
        const there = nsTenant ? `namespace "${namespace}" of tenant ${nsTenant}` : `namespace "${namespace}"`;
        report(`${what} is created by tenant ${owner} but lives in ${there}; tenant ${owner}'s objects must live in "${namespaceOfTenant(owner, config)}".`, object.resource.urn);
        return;
    }
    const tenant = owner ?? nsTenant;
    if (!tenant) return;
    if (tenantId !== undefined && isUnknown(tenantId)) {
        report(`${what} of tenant ${tenant} carries ${label} unknown during preview; every object in "${namespace}" must carry ${label}=${shown(nsId, "(the tenant's id)")}, known during preview.`, object.resource.urn);
        return;
    }
    const expected = (owner ? index.tenantIdOf(owner, config) : undefined) ?? nsId;
    if (expected !== undefined && !isUnknown(expected) && tenantId !== expected) {
        report(`${what} of tenant ${tenant} carries ${label}=${tenantId ?? "(none)"}; every object in "${namespace}" must carry ${label}=${expected}.`, object.resource.urn);
    }
}
