import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Tenant } from "../registry";
import { AGENT_SERVICE_ACCOUNT, NATS_CREDENTIALS_SECRET, PLATFORM_AGENT_MANAGER_ROLE, SECRET_READER_ROLE } from "../contract";
import { tenantMetadata } from "./labels";

/** A ServiceAccount outside the tenants, e.g. the platform's orchestration controller. */
export interface PlatformPrincipal {
    /** Namespace of the ServiceAccount. @default "platform-system" */
    namespace: string;
    /** Name of the ServiceAccount. @default "agent-orchestrator" */
    serviceAccount: string;
}

/** The ServiceAccount the tenant's agents run as. */
export function agentServiceAccountSpec(tenant: Tenant) {
    return { metadata: tenantMetadata(tenant, AGENT_SERVICE_ACCOUNT), automountServiceAccountToken: true };
}

/**
 * Names of the Secrets the agents may read: the declared ones plus the NATS credentials, sorted
 * so the Role never changes when the registry lists secrets in another order.
 */
export function readableSecretNames(tenant: Tenant): string[] {
    return [...new Set([...tenant.secrets.map((s) => s.name), NATS_CREDENTIALS_SECRET])].sort();
}

/** The Role that may `get` exactly the tenant's secrets, by name (Kubernetes has no globs in resourceNames). */
export function secretReaderRoleSpec(tenant: Tenant) {
    return {
        metadata: tenantMetadata(tenant, SECRET_READER_ROLE),
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: readableSecretNames(tenant) }],
    };
}

/** Binds the secret reader Role to the tenant's agent ServiceAccount only. */
export function secretReaderBindingSpec(tenant: Tenant) {
    const metadata = tenantMetadata(tenant, SECRET_READER_ROLE);
    return {
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: SECRET_READER_ROLE },
        subjects: [{ kind: "ServiceAccount", name: AGENT_SERVICE_ACCOUNT, namespace: metadata.namespace }],
    };
}

/** The Role that lets the platform controller run the tenant's agents: pods and PVCs, nothing else. */
export function platformAgentManagerRoleSpec(tenant: Tenant) {
    const write = ["get", "list", "watch", "create", "update", "patch", "delete"];
    return {
        metadata: tenantMetadata(tenant, PLATFORM_AGENT_MANAGER_ROLE),
        rules: [
            { apiGroups: [""], resources: ["pods", "persistentvolumeclaims"], verbs: write },
            { apiGroups: [""], resources: ["pods/log", "pods/status"], verbs: ["get", "list", "watch"] },
        ],
    };
}

/** Binds the platform agent manager Role, in this namespace only, to the platform's controller. */
export function platformAgentManagerBindingSpec(tenant: Tenant, controller: PlatformPrincipal) {
    return {
        metadata: tenantMetadata(tenant, PLATFORM_AGENT_MANAGER_ROLE),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: PLATFORM_AGENT_MANAGER_ROLE },
        subjects: [{ kind: "ServiceAccount", name: controller.serviceAccount, namespace: controller.namespace }],
    };
}

/** Arguments of {@link TenantAccess}. */
export interface TenantAccessArgs {
    /** The validated tenant entry. */
    tenant: Tenant;
    /** The platform's orchestration controller, allowed to manage agent pods and PVCs here. */
    platformController: PlatformPrincipal;
}

/** A tenant's identities and least-privilege RBAC. */
export class TenantAccess extends pulumi.ComponentResource {
    /** The agents' ServiceAccount. */
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;
    /** Role reading exactly the tenant's secrets. */
    public readonly secretReaderRole: k8s.rbac.v1.Role;
    /** Binding of that Role to the agents' ServiceAccount. */
    public readonly secretReaderBinding: k8s.rbac.v1.RoleBinding;
    /** Role managing agent pods and PVCs. */
    public readonly platformRole: k8s.rbac.v1.Role;
    /** Binding of that Role to the platform controller. */
    public readonly platformBinding: k8s.rbac.v1.RoleBinding;

    constructor(name: string, args: TenantAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:tenant:TenantAccess", name, {}, opts);
        // Component dependsOn is not inherited by children; they must wait for the namespace themselves.
        const child = { parent: this, dependsOn: opts?.dependsOn };
        const { tenant, platformController } = args;
        this.serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-agent-sa`, agentServiceAccountSpec(tenant), child);
        this.secretReaderRole = new k8s.rbac.v1.Role(`${name}-secret-reader`, secretReaderRoleSpec(tenant), child);
        this.secretReaderBinding = new k8s.rbac.v1.RoleBinding(`${name}-secret-reader`, secretReaderBindingSpec(tenant), {
            parent: this,
            dependsOn: [this.serviceAccount, this.secretReaderRole],
        });
        this.platformRole = new k8s.rbac.v1.Role(`${name}-platform-agent-manager`, platformAgentManagerRoleSpec(tenant), child);
        this.platformBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-platform-agent-manager`,
            platformAgentManagerBindingSpec(tenant, platformController),
            { parent: this, dependsOn: [this.platformRole] },
        );
        this.registerOutputs({});
    }
}
