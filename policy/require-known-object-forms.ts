import type { StackValidationPolicy } from "@pulumi/policy";
import { tenantOfNamespace } from "./helpers";
import { describeObject, describeUnclassified } from "./objects";
import { stackRule } from "./rule-kit";

/** Checks that the pack can see and classify every Kubernetes object of the stack, and knows every kind a tenant declares. */
export const requireKnownObjectForms: StackValidationPolicy = stackRule(
    {
        name: "require-known-object-forms",
        description:
            "Checks that every Kubernetes declaration is one the pack understands (typed, Patch, List, generic custom resource, yaml objs/yaml inputs, or yaml/helm/kustomize children it can see), that nothing a tenant declares is of a kind the pack does not know, and fails anything else closed.",
        config: ["tenantNamespacePrefix"],
    },
    (index, config, report) => {
        for (const { item, resource } of index.unclassified) {
            const owner = index.ownerOf(resource);
            report(
                `${describeUnclassified(item)}${owner ? ` of tenant ${owner}` : ""} declares a Kubernetes object the pack cannot classify: ${item.reason}; ` +
                    "every object must have an apiVersion, kind and namespace known during preview so the pack can check it.",
                resource.urn,
            );
        }
        for (const { declaration, resource } of index.components) {
            const what = `${resource.type} "${resource.name}"`;
            if (declaration.release) {
                report(`${what} installs objects with helm inside the cluster, where the engine never registers them, so the pack cannot check them; declare them as objects the pack can see (a Chart, a ConfigGroup or typed resources).`, resource.urn);
            } else if (declaration.hidden && !index.hasChildren(resource.urn)) {
                report(`${what} declares objects from ${declaration.hidden} that the pack cannot read, and none of them is registered in this preview; the objects it declares must be visible to the pack (registered as its children, or given as objs or yaml).`, resource.urn);
            }
        }
        const seen = new Set<string>();
        for (const o of index.objects) {
            if (o.scope !== "unknown") continue;
            const tenant = index.ownerOf(o.resource) ?? tenantOfNamespace(o.meta.namespace, config);
            const key = `${o.resource.urn}#${o.item ?? 0}`;
            if (!tenant || seen.has(key)) continue;
            seen.add(key);
            report(
                `${describeObject(o)} of tenant ${tenant} is a ${o.apiVersion} ${o.kind}, a kind the pack does not know; ` +
                    "tenants may declare only built-in Kubernetes kinds and Gateway API objects, which the pack can judge.",
                o.resource.urn,
            );
        }
    },
);
