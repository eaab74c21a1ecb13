import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, readConfig, type GuardConfig } from "./config";
import { describeObject, metadataOf, namespaceOfTenant, StackIndex, tenantOfNamespace } from "./helpers";

/** Checks that every tenant object lives in its tenant's namespace and carries that tenant's label. */
export const enforceTenantOwnership: StackValidationPolicy = {
    name: "enforce-tenant-ownership",
    description:
        "Checks that objects created under a tenant live in that tenant's namespace and carry its tenant label, that every object in a tenant namespace carries that tenant's label, and that each tenant namespace is labelled with the tenant that created it.",
    enforcementLevel: "mandatory",
    configSchema: configSchemaFor(["tenantNamespacePrefix", "tenantLabel", "orgIdAnnotation"]),
    validateStack: (args, reportViolation) => {
        const config = readConfig(args.getConfig<Partial<GuardConfig>>());
        const index = new StackIndex(args.resources);
        const ids = tenantIds(index, config);
        const label = config.tenantLabel;
        const claimedBy = new Map<string, string>();

        for (const [name, namespaces] of index.namespaces) {
            for (const ns of namespaces) {
                const meta = metadataOf(ns.props);
                const owner = index.ownerOf(ns);
                const nsTenant = tenantOfNamespace(name, config);
                const tenantId = meta.labels[label];
                if (owner && name !== namespaceOfTenant(owner, config)) {
                    reportViolation(
                        `Namespace "${name}" is created by tenant ${owner}; tenant ${owner}'s namespace must be named "${namespaceOfTenant(owner, config)}".`,
                        ns.urn,
                    );
                } else if (nsTenant && !owner) {
                    reportViolation(
                        `Namespace "${name}" uses the tenant prefix "${config.tenantNamespacePrefix}" but is not created by tenant ${nsTenant}'s Tenant component; tenant namespaces must come from the registry.`,
                        ns.urn,
                    );
                }
                const expected = owner ? ids.get(owner) : undefined;
                if (owner && expected !== undefined && tenantId !== expected) {
                    reportViolation(
                        `Namespace "${name}" of tenant ${owner} carries ${label}=${tenantId ?? "(none)"}; it must carry ${label}=${expected}, the id of the registry entry that created it.`,
                        ns.urn,
                    );
                }
                const annotated = meta.annotations[config.orgIdAnnotation];
                if (nsTenant && annotated !== undefined && tenantId !== undefined && annotated !== tenantId) {
                    reportViolation(
                        `Namespace "${name}" of tenant ${nsTenant} carries ${label}=${tenantId} but ${config.orgIdAnnotation}=${annotated}; both must name the same tenant.`,
                        ns.urn,
                    );
                }
                if (nsTenant && tenantId !== undefined) {
                    const other = claimedBy.get(tenantId);
                    if (other !== undefined && other !== name) {
                        reportViolation(
                            `Namespace "${name}" of tenant ${nsTenant} carries ${label}=${tenantId}, already carried by namespace "${other}"; each tenant id belongs to exactly one namespace.`,
                            ns.urn,
                        );
                    } else claimedBy.set(tenantId, name);
                }
            }
        }

        for (const [namespace, objects] of index.objectsByNamespace) {
            const nsTenant = tenantOfNamespace(namespace, config);
            const nsId = nsTenant ? (ids.get(nsTenant) ?? namespaceLabel(index, namespace, label)) : undefined;
            for (const object of objects) checkObject(object, namespace, nsTenant, nsId);
        }

        function checkObject(object: PolicyResource, namespace: string, nsTenant: string | undefined, nsId: string | undefined): void {
            const what = describeObject(object.type, object.name, object.props);
            const tenantId = metadataOf(object.props).labels[label];
            const owner = index.ownerOf(object);
            if (owner && namespace !== namespaceOfTenant(owner, config)) {
                const there = nsTenant ? `namespace "${namespace}" of tenant ${nsTenant}` : `namespace "${namespace}"`;
                reportViolation(
                    `${what} is created by tenant ${owner} but lives in ${there}; tenant ${owner}'s objects must live in "${namespaceOfTenant(owner, config)}".`,
                    object.urn,
                );
                return;
            }
            const expected = owner ? ids.get(owner) : nsId;
            const tenant = owner ?? nsTenant;
            if (tenant && expected !== undefined && tenantId !== expected) {
                reportViolation(
                    `${what} of tenant ${tenant} carries ${label}=${tenantId ?? "(none)"}; every object in "${namespace}" must carry ${label}=${expected}.`,
                    object.urn,
                );
            }
        }
    },
};

/**
 * The id of each tenant as its registry entry states it: the Tenant component's own `id` output when it
 * exposes one, else the org-id annotation its Namespace was given from the registry.
 */
function tenantIds(index: StackIndex, config: GuardConfig): Map<string, string> {
    const ids = new Map<string, string>();
    for (const [slug, component] of index.tenantComponents) {
        const fromComponent = [component.props.tenantId, component.props.id, component.props.orgId].find(
            (v): v is string => typeof v === "string" && v !== "",
        );
        if (fromComponent) {
            ids.set(slug, fromComponent);
            continue;
        }
        const ns = (index.namespaces.get(namespaceOfTenant(slug, config)) ?? []).find((n) => index.ownerOf(n) === slug);
        const annotated = ns ? metadataOf(ns.props).annotations[config.orgIdAnnotation] : undefined;
        if (annotated) ids.set(slug, annotated);
    }
    return ids;
}

function namespaceLabel(index: StackIndex, namespace: string, label: string): string | undefined {
    const ns = index.namespaces.get(namespace)?.[0];
    return ns ? metadataOf(ns.props).labels[label] : undefined;
}
