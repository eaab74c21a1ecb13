import type { StackValidationPolicy } from "@pulumi/policy";
import { PRIORITY_CEILING_QUOTA } from "../contract";
import type { PlanCatalog } from "../registry";
import type { GuardConfig } from "./config";
import { tenantOfNamespace } from "./helpers";
import { describeObject, isKind } from "./objects";
import { ceilingProblem, priorityClassNames } from "./priority-ceiling";
import { stackRule, type Report } from "./rule-kit";
import { byName, type StackIndex } from "./stack-index";
import { entryFor, registryFor } from "./tenant-registry";
import { isUnknown } from "./unknowns";

/** Checks that no tenant's pods can run at a priority above its plan. */
export const limitTenantPriority: StackValidationPolicy = stackRule(
    {
        name: "limit-tenant-priority",
        description:
            "Checks that no tenant's pods can run above its plan's priority: every tenant namespace has a ResourceQuota allowing zero pods in every tenancy PriorityClass (from the registry's plan catalog) above its plan, no object in a tenant namespace names a PriorityClass above its plan, and each plan's PriorityClass the stack declares has its plan's value from the registry and is not the global default.",
        config: ["tenantNamespacePrefix", "orgIdAnnotation", "registryDir"],
    },
    (index, config, report) => {
        const classes = index.objects.filter((o) => isKind(o, "PriorityClass"));
        // The classes may live in another stack (one shard declares the shared objects): the
        // tenants' ceilings are checked against the registry's catalog whether or not they are here.
        const tenantNamespaces = [...index.namespaces].filter(([namespace]) => tenantOfNamespace(namespace, config));
        if (classes.length === 0 && tenantNamespaces.length === 0) return;
        const view = registryFor(config);
        if (!view.registry) {
            const first = classes[0]?.resource.urn ?? tenantNamespaces[0][1][0].resource.urn;
            report(`The registry at ${view.dir} did not load (${view.problem}); the pack needs its plan catalog to tell which PriorityClasses are above each tenant's plan.`, first);
            return;
        }
        const catalog = view.registry.plans;
        const tenancy = new Map(Object.entries(catalog.plans).map(([plan, p]) => [p.priorityClassName, { plan, priority: p.priority }]));
        for (const c of classes) {
            const own = tenancy.get(c.meta.name ?? "");
            const value = c.body.value;
            if (own && value !== own.priority) report(`${describeObject(c)} has value ${isUnknown(value) ? "unknown during preview" : String(value)}; the ${own.plan} plan's class must have the registry's priority ${own.priority}.`, c.resource.urn);
            const globalDefault = c.body.globalDefault;
            if (globalDefault === true || isUnknown(globalDefault)) report(`${describeObject(c)} is${globalDefault === true ? "" : " possibly"} the cluster's global default; no PriorityClass may be, or every pod that names none would run at its priority.`, c.resource.urn);
        }
        checkTenants(index, config, catalog, report);
    },
);

function checkTenants(index: StackIndex, config: GuardConfig, catalog: PlanCatalog, report: Report): void {
    const view = registryFor(config);
    for (const [namespace, nsObjects] of index.namespaces) {
        const slug = tenantOfNamespace(namespace, config);
        if (!slug) continue;
        const found = entryFor(view, slug, index.tenantIdOf(slug, config));
        const where = `Tenant namespace "${namespace}" (tenant ${slug})`;
        if ("problem" in found) {
            report(`${where}: the PriorityClasses its pods may use cannot be known because ${found.problem}; the registry must load and list the tenant.`, nsObjects[0].resource.urn);
            continue;
        }
        const ownPlan = found.entry.tenant.plan;
        const ownPriority = found.plan.priority;
        const entries = Object.entries(catalog.plans);
        const above = entries.filter(([plan, p]) => plan !== ownPlan && p.priority >= ownPriority).map(([, p]) => p.priorityClassName).sort();
        const allowed = entries.filter(([plan, p]) => plan === ownPlan || p.priority < ownPriority).map(([, p]) => p.priorityClassName).sort();
        const rule = `tenant ${slug} on the ${ownPlan} plan may use only ${allowed.join(", ")}`;
        if (above.length > 0) ceilingReport(index, namespace, slug, ownPlan, above, where, nsObjects[0].resource.urn, report);
        for (const o of index.objectsByNamespace.get(namespace) ?? []) {
            for (const { path, value } of priorityClassNames(o.body)) {
                if (typeof value === "string" && allowed.includes(value)) continue;
                const named = isUnknown(value) ? "a priorityClassName unknown during preview" : `priorityClassName ${JSON.stringify(value)}`;
                report(`${describeObject(o)} of tenant ${slug} names ${named} (${path}); ${rule}.`, o.resource.urn);
            }
        }
    }
}

function ceilingReport(index: StackIndex, namespace: string, slug: string, plan: string, above: string[], where: string, urn: string, report: Report): void {
    const quotas = byName(index.objectsOfKind(namespace, "ResourceQuota"));
    const satisfied = [...quotas.values()].some((variants) => variants.every((q) => ceilingProblem(q, above) === undefined));
    if (satisfied) return;
    const must = `it must allow "0" pods in every tenancy PriorityClass above the ${plan} plan (${above.join(", ")}), selected by scopeSelector PriorityClass In, with no other scope`;
    const named = quotas.get(PRIORITY_CEILING_QUOTA);
    if (!named) {
        report(`${where} has no ResourceQuota "${PRIORITY_CEILING_QUOTA}"; ${must}.`, urn);
        return;
    }
    for (const q of named) {
        const problem = ceilingProblem(q, above);
        if (problem) report(`${describeObject(q)} of tenant ${slug} ${problem}; ${must}.`, q.resource.urn);
    }
}
