import { MANAGED_BY, MANAGED_BY_LABEL, namespaceOf, TENANT_LABEL, TIER_LABEL } from "../contract";
import type { Tenant } from "../registry";

/** Labels every object of a tenant carries: tenant id, tier and manager. */
export function tenantLabels(tenant: Pick<Tenant, "id" | "plan">): Record<string, string> {
    return { [TENANT_LABEL]: tenant.id, [TIER_LABEL]: tenant.plan, [MANAGED_BY_LABEL]: MANAGED_BY };
}

/** Metadata of a namespaced object of the tenant: explicit name, explicit namespace, tenant labels. */
export function tenantMetadata(tenant: Pick<Tenant, "id" | "plan" | "slug">, name: string) {
    return { name, namespace: namespaceOf(tenant), labels: tenantLabels(tenant) };
}
