import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Tenant } from "../registry";
import { DEFAULT_DENY_POLICY, NAMESPACE_NAME_LABEL } from "../contract";
import { tenantMetadata } from "./labels";

/** Where the NATS server runs, as the tenant's egress policy needs it. */
export interface NatsEndpoint {
    /** Namespace of the NATS server. @default "nats" */
    namespace: string;
    /** NATS client port. @default 4222 */
    port: number;
}


/**
 * The tenant's NetworkPolicies: deny everything, then allow the namespace itself, cluster DNS,
 * the NATS server and the declared egress CIDRs (only when some are declared).
 */
export function networkPolicySpecs(tenant: Tenant, nats: NatsEndpoint) {
    const policy = (name: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) => ({ metadata: tenantMetadata(tenant, name), spec });
    const inNamespace = [{ podSelector: {} }];
    const policies = [
        policy(DEFAULT_DENY_POLICY, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy("allow-same-namespace", {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: inNamespace }],
            egress: [{ to: inNamespace }],
        }),
        policy("allow-dns", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        {
                            namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } },
                            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                        },
                    ],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
            ],
        }),
        policy("allow-nats", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: nats.namespace } } }],
                    ports: [{ protocol: "TCP", port: nats.port }],
                },
            ],
        }),
    ];
    if (tenant.network.egress.length > 0) {
        policies.push(
            policy("allow-egress-cidrs", {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{ to: [...tenant.network.egress].sort().map((cidr) => ({ ipBlock: { cidr } })) }],
            }),
        );
    }
    return policies;
}

/** Arguments of {@link TenantNetwork}. */
export interface TenantNetworkArgs {
    /** The validated tenant entry. */
    tenant: Tenant;
    /** The NATS server the agents must reach. */
    nats: NatsEndpoint;
}

/** A tenant's NetworkPolicies: default deny plus the few flows agents need. */
export class TenantNetwork extends pulumi.ComponentResource {
    /** The policies, keyed by their Kubernetes name. */
    public readonly policies: Record<string, k8s.networking.v1.NetworkPolicy>;

    constructor(name: string, args: TenantNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:tenant:TenantNetwork", name, {}, opts);
        // Component dependsOn is not inherited by children; they must wait for the namespace themselves.
        const child = { parent: this, dependsOn: opts?.dependsOn };
        this.policies = {};
        for (const spec of networkPolicySpecs(args.tenant, args.nats)) {
            this.policies[spec.metadata.name] = new k8s.networking.v1.NetworkPolicy(`${name}-${spec.metadata.name}`, spec, child);
        }
        this.registerOutputs({});
    }
}
