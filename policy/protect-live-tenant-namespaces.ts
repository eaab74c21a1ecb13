import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, readConfig, type GuardConfig } from "./config";
import { kindOf, metadataOf, tenantOfNamespace } from "./helpers";

// Lifecycle states whose namespace holds live data; only `decommissioned` lifts protection.
const LIVE_STATES = new Set(["active", "suspended"]);

/** Checks that the namespace of every active or suspended tenant is protected against deletion. */
export const protectLiveTenantNamespaces: ResourceValidationPolicy = {
    name: "protect-live-tenant-namespaces",
    description: "Checks that the namespace of every active or suspended tenant is protected from deletion.",
    enforcementLevel: "mandatory",
    configSchema: configSchemaFor(["tenantNamespacePrefix", "tenantLabel", "lifecycleAnnotation"]),
    validateResource: (args, reportViolation) => {
        if (kindOf(args.type) !== "Namespace") return;
        const config = readConfig(args.getConfig<Partial<GuardConfig>>());
        const meta = metadataOf(args.props);
        const slug = tenantOfNamespace(meta.name, config);
        if (!slug && !meta.labels[config.tenantLabel]) return;
        // A tenant namespace without a lifecycle annotation is treated as active: the safe default.
        const lifecycle = meta.annotations[config.lifecycleAnnotation] ?? "active";
        if (!LIVE_STATES.has(lifecycle) || args.opts.protect) return;
        reportViolation(
            `Namespace "${meta.name ?? args.name}" of tenant ${slug ?? meta.labels[config.tenantLabel]} (lifecycle ${lifecycle}) is not protected; ` +
                "the namespace of an active or suspended tenant must set protect: true (mark the tenant decommissioned first to off-board it).",
        );
    },
};
