import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL, NAMESPACE_PREFIX, RESOURCE_QUOTA_NAME, TENANT_LABEL, TIER_LABEL } from "../contract";

/** Name of the PrometheusRule holding the per-tenant and per-tier recording rules. */
export const TENANT_RULES_NAME = "tenancy-tenants";

/** The label kube-state-metrics gives a Namespace label in `kube_namespace_labels` (`tier` → `label_tier`). */
export function kubeStateMetricsLabel(key: string): string {
    return `label_${key.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

/**
 * The operator's per-tenant and per-tier view as recording rules. Every rule selects tenant
 * namespaces only and aggregates by the opaque tenant id or the tier, the labels the program stamps
 * on each tenant Namespace; display names never appear, so the rules cross no boundary.
 */
export function tenantRecordingRules() {
    const tenant = kubeStateMetricsLabel(TENANT_LABEL);
    const tier = kubeStateMetricsLabel(TIER_LABEL);
    const ns = `namespace=~"${NAMESPACE_PREFIX}.+"`;
    // kube_namespace_labels is 1 per namespace: multiplying joins the tenant's labels onto a series.
    const withLabels = (series: string, labels: string) => `${series} * on (namespace) group_left (${labels}) kube_namespace_labels{${ns}}`;
    return [
        {
            record: "tenancy:agents_running:count",
            expr: `count by (${tenant}, ${tier}) (${withLabels(`(kube_pod_status_phase{phase="Running", ${ns}} == 1)`, `${tenant}, ${tier}`)})`,
        },
        { record: "tenancy:agents_running:count_by_tier", expr: `sum by (${tier}) (tenancy:agents_running:count)` },
        {
            record: "tenancy:cpu_usage_cores:sum_by_tier",
            expr: `sum by (${tier}) (${withLabels(`rate(container_cpu_usage_seconds_total{${ns}, container!=""}[5m])`, tier)})`,
        },
        {
            record: "tenancy:cpu_requests_quota_cores:sum_by_tier",
            expr: `sum by (${tier}) (${withLabels(`kube_resourcequota{${ns}, resourcequota="${RESOURCE_QUOTA_NAME}", resource="requests.cpu", type="hard"}`, tier)})`,
        },
        {
            record: "tenancy:cpu_utilization:ratio_by_tier",
            expr: "tenancy:cpu_usage_cores:sum_by_tier / on (" + tier + ") tenancy:cpu_requests_quota_cores:sum_by_tier",
        },
    ];
}

/** The PrometheusRule object (prometheus-operator's `monitoring.coreos.com/v1`) in the monitoring namespace. */
export function tenantRulesSpec(namespace: string) {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: TENANT_RULES_NAME, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [COMPONENT_LABEL]: "tenant-monitoring" } },
        spec: { groups: [{ name: "tenancy.tenants", interval: "1m", rules: tenantRecordingRules() }] },
    };
}

/** Arguments of {@link TenantMonitoring}. */
export interface TenantMonitoringArgs {
    /** Namespace where the Prometheus operator picks up rules. @default "monitoring" */
    namespace: string;
}

/** The recording rules that give the operator running agents per organization and utilization per tier. */
export class TenantMonitoring extends pulumi.ComponentResource {
    /** The PrometheusRule. */
    public readonly rules: k8s.apiextensions.CustomResource;

    constructor(name: string, args: TenantMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:platform:TenantMonitoring", name, {}, opts);
        this.rules = new k8s.apiextensions.CustomResource(`${name}-rules`, tenantRulesSpec(args.namespace), { parent: this });
        this.registerOutputs({});
    }
}
