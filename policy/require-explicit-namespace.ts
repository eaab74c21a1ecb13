import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, readConfig, type GuardConfig } from "./config";
import { describeObject, isNamespacedKind, metadataOf } from "./helpers";

/** Checks that every namespaced Kubernetes object names its namespace explicitly. */
export const requireExplicitNamespace: ResourceValidationPolicy = {
    name: "require-explicit-namespace",
    description: "Checks that every namespaced Kubernetes object sets metadata.namespace explicitly.",
    enforcementLevel: "mandatory",
    configSchema: configSchemaFor(["tenantLabel"]),
    validateResource: (args, reportViolation) => {
        if (!isNamespacedKind(args.type)) return;
        const config = readConfig(args.getConfig<Partial<GuardConfig>>());
        const meta = metadataOf(args.props);
        if (meta.namespace) return;
        const tenantId = meta.labels[config.tenantLabel];
        const owner = tenantId ? ` (tenant ${tenantId})` : "";
        reportViolation(
            `${describeObject(args.type, args.name, args.props)}${owner} does not set metadata.namespace; ` +
                "every namespaced object must name its namespace so it can never land in the provider's default namespace.",
        );
    },
};
