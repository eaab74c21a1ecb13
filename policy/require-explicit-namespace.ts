import type { ResourceValidationPolicy } from "@pulumi/policy";
import { labelOf, shown } from "./metadata";
import { describeObject } from "./objects";
import { resourceRule } from "./rule-kit";
import { isUnknown } from "./unknowns";

// Kubernetes' own default namespace: neither a tenant's nor the platform's.
const DEFAULT_NAMESPACE = "default";

/** Checks that every namespaced Kubernetes object, in every form, names a namespace known during preview. */
export const requireExplicitNamespace: ResourceValidationPolicy = resourceRule(
    {
        name: "require-explicit-namespace",
        description: "Checks that every namespaced Kubernetes object, in every form it is declared, sets metadata.namespace explicitly to a value known during preview, and is not in the \"default\" namespace.",
        config: ["tenantLabel"],
    },
    ({ config, declaration }, report) => {
        for (const o of declaration.objects) {
            const { namespace } = o.meta;
            const tenantId = labelOf(o.meta, config.tenantLabel);
            const owner = tenantId ? ` (tenant ${shown(tenantId)})` : "";
            if (namespace !== undefined && isUnknown(namespace) && o.scope !== "cluster") {
                report(`${describeObject(o)}${owner} has a metadata.namespace that is unknown during preview; its namespace must be known so the pack can tell which tenant it belongs to.`);
            } else if (namespace === DEFAULT_NAMESPACE && o.scope === "namespaced") {
                // The real engine shows the pack the provider's checked inputs, where a missing namespace is already "default".
                report(
                    `${describeObject(o)}${owner} is in the "${DEFAULT_NAMESPACE}" namespace, where the provider puts objects that name none; ` +
                        "every namespaced object must name its tenant's or a platform namespace.",
                );
            } else if (namespace === undefined && o.scope === "namespaced") {
                report(
                    `${describeObject(o)}${owner} does not set metadata.namespace; ` +
                        "every namespaced object must name its namespace so it can never land in the provider's default namespace.",
                );
            }
        }
    },
);
