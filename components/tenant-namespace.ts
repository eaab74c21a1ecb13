import * as k8s from "@pulumi/kubernetes";
import { AGENT_LIMIT_ANNOTATION, LIFECYCLE_ANNOTATION, namespaceOf, ORG_ID_ANNOTATION, PLAN_ANNOTATION, podSecurityLabels } from "../contract";
import * as pulumi from "@pulumi/pulumi";
import { type Tenant } from "../registry";
import { tenantLabels } from "./labels";

/**
 * The Namespace object of a tenant: `org-<slug>`, labelled with the opaque org id (never the display
 * name) and with the Pod Security Admission level of its plan.
 */
export function namespaceSpec(tenant: Tenant) {
    return {
        metadata: {
            name: namespaceOf(tenant),
            labels: { ...tenantLabels(tenant), ...podSecurityLabels(tenant.plan) },
            annotations: {
                [ORG_ID_ANNOTATION]: tenant.id,
                [PLAN_ANNOTATION]: tenant.plan,
                [AGENT_LIMIT_ANNOTATION]: String(tenant.agentLimit),
                [LIFECYCLE_ANNOTATION]: tenant.lifecycle,
            },
        },
    };
}

/** Whether the tenant's namespace is protected from deletion: every tenant not decommissioned. */
export function isProtected(tenant: Pick<Tenant, "lifecycle">): boolean {
    return tenant.lifecycle !== "decommissioned";
}

/** Arguments of {@link TenantNamespace}. */
export interface TenantNamespaceArgs {
    /** The validated tenant entry. */
    tenant: Tenant;
}

/** A tenant's namespace, protected unless the tenant is decommissioned. */
export class TenantNamespace extends pulumi.ComponentResource {
    /** The Namespace object. */
    public readonly namespace: k8s.core.v1.Namespace;
    /** The namespace's name, `org-<slug>`. */
    public readonly name: string;

    constructor(name: string, args: TenantNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:tenant:TenantNamespace", name, {}, opts);
        this.name = namespaceOf(args.tenant);
        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, namespaceSpec(args.tenant), {
            parent: this,
            protect: isProtected(args.tenant),
        });
        this.registerOutputs({ name: this.name });
    }
}
