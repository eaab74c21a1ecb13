import type { ResourceValidationPolicy } from "@pulumi/policy";
import { tenantOfNamespace } from "./helpers";
import { annotationOf, labelOf, shown } from "./metadata";
import { describeObject, isKind } from "./objects";
import { resourceRule } from "./rule-kit";
import { isUnknown } from "./unknowns";

// Lifecycle states whose namespace holds live data; only `decommissioned` lifts protection.
const LIVE_STATES = new Set(["active", "suspended"]);

/** Checks that the namespace of every active or suspended tenant is protected against deletion. */
export const protectLiveTenantNamespaces: ResourceValidationPolicy = resourceRule(
    {
        name: "protect-live-tenant-namespaces",
        description:
            "Checks that the namespace of every active or suspended tenant, in every form it is declared, is protected from deletion, and that a namespace whose tenant or lifecycle is unknown during preview is protected too.",
        config: ["tenantNamespacePrefix", "tenantLabel", "lifecycleAnnotation"],
    },
    ({ config, declaration, args }, report) => {
        // Deleting a Patch resource releases its fields; it never deletes the namespace, so only whole declarations count.
        for (const o of declaration.objects.filter((x) => isKind(x, "Namespace") && !x.patch)) {
            const slug = tenantOfNamespace(o.meta.name, config);
            const label = labelOf(o.meta, config.tenantLabel);
            const nameUnknown = o.meta.name !== undefined && isUnknown(o.meta.name);
            const unknownTenant = nameUnknown || (!slug && label !== undefined && isUnknown(label));
            if (!slug && !label && !nameUnknown) continue;
            // A tenant namespace without a lifecycle annotation is treated as active: the safe default.
            const lifecycle = annotationOf(o.meta, config.lifecycleAnnotation) ?? "active";
            const live = LIVE_STATES.has(lifecycle) || isUnknown(lifecycle) || unknownTenant;
            if (!live || args.opts.protect) continue;
            const tenant = slug ?? shown(label, "(unknown during preview)");
            report(
                `${describeObject(o)} of tenant ${tenant} (lifecycle ${shown(lifecycle)}) is not protected; ` +
                    "the namespace of an active or suspended tenant, or of a tenant or lifecycle unknown during preview, must set protect: true (mark the tenant decommissioned first to off-board it).",
            );
        }
    },
);
