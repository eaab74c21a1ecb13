import * as pulumi from "@pulumi/pulumi";
import { NatsAuthorization, PlanPriorityClasses, Tenant, TenantMonitoring, type TenantSecretValues } from "../components";
import { missingSecrets, type Registry } from "../registry";
import type { StackConfig } from "./config";

/** Everything the program needs, already read and validated; the program itself reads no files or config. */
export interface ProgramInputs {
    /** The validated registry. */
    registry: Registry;
    /** The validated stack settings. */
    config: StackConfig;
    /** Secret values per tenant slug, from `tenancy:secrets`. */
    secretValues: Record<string, TenantSecretValues>;
    /** The explicit Kubernetes provider every tenant object is created with. */
    provider?: pulumi.ProviderResource;
}

/** What the program declared, for stack outputs and tests. */
export interface ProgramResult {
    /** One Tenant component per registry entry, keyed by slug. */
    tenants: Record<string, Tenant>;
    /** The NATS server's authorization over all tenants, in the NATS namespace. */
    natsAuthorization: NatsAuthorization;
    /** One cluster-scoped PriorityClass per plan. */
    priorityClasses: PlanPriorityClasses;
    /** The operator's recording rules, when `tenancy:monitoring.prometheusRules` is on. */
    monitoring?: TenantMonitoring;
}

/**
 * Fails with one message listing every missing secret config path, so a partial stack is never
 * previewed; the program entry calls it before declaring anything, the provider included.
 */
export function assertSecretValuesComplete(registry: Registry, secretValues: Record<string, TenantSecretValues>): void {
    const missing = registry.entries.flatMap(({ tenant }) => missingSecrets(tenant, secretValues[tenant.slug]).map((m) => m.path));
    if (missing.length === 0) return;
    throw new pulumi.RunError(
        `missing secret config values for ${missing.length} declared secret key${missing.length === 1 ? "" : "s"}; set each with\n` +
            missing.map((p) => `  pulumi config set --secret --path '${p}' <value>`).join("\n"),
    );
}

/** Declares one Tenant per registry entry, after checking that every declared secret has a value. */
export function declareTenants(inputs: ProgramInputs): ProgramResult {
    const { registry, config, secretValues, provider } = inputs;
    assertSecretValuesComplete(registry, secretValues);
    const priorityClasses = new PlanPriorityClasses("plan-priority", { catalog: registry.plans }, { provider });
    const classNames = Object.values(registry.plans.plans).map((p) => p.priorityClassName);
    const tenants: Record<string, Tenant> = {};
    for (const { tenant, plan } of registry.entries) {
        tenants[tenant.slug] = new Tenant(
            tenant.slug,
            {
                tenant,
                plan,
                platformController: config.platformController,
                nats: config.nats,
                priorityClasses: classNames,
                secretValues: secretValues[tenant.slug] ?? {},
            },
            { provider },
        );
    }
    const natsAuthorization = new NatsAuthorization("nats", { nats: config.nats, tenants: Object.values(tenants).map((t) => t.nats) }, { provider });
    const monitoring = config.monitoring.prometheusRules ? new TenantMonitoring("tenant-monitoring", { namespace: config.monitoring.namespace }, { provider }) : undefined;
    return { tenants, natsAuthorization, priorityClasses, monitoring };
}
