import * as pulumi from "@pulumi/pulumi";
import { TENANT_COMPONENT_TYPE } from "../contract";
import type { Plan, Tenant as TenantEntry } from "../registry";
import { NatsAccount, type NatsKeySource } from "./nats-account";
import { TenantAccess, type PlatformPrincipal } from "./tenant-access";
import { TenantNamespace } from "./tenant-namespace";
import { TenantNetwork, type NatsEndpoint } from "./tenant-network";
import { TenantQuota } from "./tenant-quota";
import { TenantSecrets, type TenantSecretValues } from "./tenant-secrets";

/** Arguments of {@link Tenant}. */
export interface TenantArgs {
    /** The validated registry entry; the component never reads YAML or config itself. */
    tenant: TenantEntry;
    /** The tenant's plan from the catalog. */
    plan: Plan;
    /** The platform's orchestration controller, bound in this namespace only. */
    platformController: PlatformPrincipal;
    /** Where the NATS server runs and how agents reach it. */
    nats: NatsEndpoint & {
        /** URL agents connect to. @default "nats://nats.nats.svc.cluster.local:4222" */
        url: string;
    };
    /** Every tenancy PriorityClass name (one per plan of the catalog). */
    priorityClasses: readonly string[];
    /** Values of the tenant's declared secrets (secret outputs). */
    secretValues: TenantSecretValues;
    /** Where the tenant's NATS keys come from: the stack's master key and the tenant's key generation. */
    natsKeys: NatsKeySource;
}

/**
 * Everything one organization gets: its namespace, quota, access, network policies and secrets.
 * Sub-components share the tenant's name (their types differ), so objects are named
 * `<slug>-<role>` rather than `<slug>-<component>-<role>`.
 */
export class Tenant extends pulumi.ComponentResource {
    /** The tenant's namespace. */
    public readonly namespace: TenantNamespace;
    /** ResourceQuota and LimitRange. */
    public readonly quota: TenantQuota;
    /** ServiceAccount, Roles and RoleBindings. */
    public readonly access: TenantAccess;
    /** NetworkPolicies. */
    public readonly network: TenantNetwork;
    /** Declared Secrets. */
    public readonly secrets: TenantSecrets;
    /** NATS account: derived nkey user and the `nats-credentials` Secret. */
    public readonly nats: NatsAccount;
    /** The namespace name, `org-<slug>`. */
    public readonly namespaceName: string;

    constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TENANT_COMPONENT_TYPE, name, {}, opts);
        const { tenant, plan } = args;
        this.namespace = new TenantNamespace(name, { tenant }, { parent: this });
        this.namespaceName = this.namespace.name;
        const inNamespace = { parent: this, dependsOn: [this.namespace.namespace] };
        this.quota = new TenantQuota(name, { tenant, plan, priorityClasses: args.priorityClasses }, inNamespace);
        this.access = new TenantAccess(name, { tenant, platformController: args.platformController }, inNamespace);
        this.network = new TenantNetwork(name, { tenant, nats: args.nats }, inNamespace);
        this.secrets = new TenantSecrets(name, { tenant, values: args.secretValues }, inNamespace);
        this.nats = new NatsAccount(`${name}-nats`, { tenant, plan, nats: args.nats, keys: args.natsKeys }, inNamespace);
        // The opaque id as a component output lets the policy pack tie objects to the registry entry.
        this.registerOutputs({ namespace: this.namespaceName, tenantId: tenant.id });
    }
}
