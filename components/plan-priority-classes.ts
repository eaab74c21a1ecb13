import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL } from "../contract";
import type { PlanCatalog } from "../registry";

/** One PriorityClass per plan of the catalog: its `priorityClassName`, its `priority`, never the cluster default. */
export function priorityClassSpecs(catalog: PlanCatalog) {
    return Object.entries(catalog.plans)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([plan, { priorityClassName, priority }]) => ({
            metadata: { name: priorityClassName, labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [COMPONENT_LABEL]: "plan-priority" } },
            value: priority,
            // A tenant's pods name their class; a default would hand every unlabelled pod of the cluster a tier.
            globalDefault: false,
            description: `Agents of tenants on the ${plan} plan.`,
        }));
}

/** Arguments of {@link PlanPriorityClasses}. */
export interface PlanPriorityClassesArgs {
    /** The validated plan catalog. */
    catalog: PlanCatalog;
}

/** The cluster-scoped PriorityClasses of every plan, declared once for the whole registry. */
export class PlanPriorityClasses extends pulumi.ComponentResource {
    /** The PriorityClasses, keyed by plan name. */
    public readonly classes: Record<string, k8s.scheduling.v1.PriorityClass>;

    constructor(name: string, args: PlanPriorityClassesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:platform:PlanPriorityClasses", name, {}, opts);
        this.classes = {};
        const plans = Object.keys(args.catalog.plans).sort((a, b) => a.localeCompare(b));
        priorityClassSpecs(args.catalog).forEach((spec, i) => {
            this.classes[plans[i]] = new k8s.scheduling.v1.PriorityClass(`${name}-${plans[i]}`, spec, { parent: this });
        });
        this.registerOutputs({});
    }
}
