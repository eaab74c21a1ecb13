import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { NATS_NAMESPACE, PLAN_ONLY_KEY, PLATFORM_CONTROLLER, PLATFORM_NAMESPACE } from "../contract";
import { shardSchema, WHOLE_REGISTRY } from "../registry";

const WHOLE = "must be a whole number ≥ 1";
const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "must be a DNS label" });

/** The Kubernetes client rate limit the program gives its provider when the stack sets none (see `kubeClient`). */
export const DEFAULT_KUBE_CLIENT: Readonly<{ qps: number; burst: number }> = Object.freeze({ qps: 200, burst: 400 });

/** The platform's settings in stack config (namespace `tenancy`), with defaults for a typical cluster. */
export const stackConfigSchema = z.strictObject({
    /** Registry directory, relative to the project root. @default "tenants" */
    tenantsDir: z.string().default("tenants"),
    /** Kubernetes context of the kubeconfig to use; ambient context when unset. */
    kubeContext: z.string().optional(),
    /** The platform's orchestration controller, bound in each tenant namespace to manage agent pods and PVCs. */
    platformController: z
        .strictObject({
            /** @default "platform-system" */
            namespace: dnsLabel.default(PLATFORM_NAMESPACE),
            /** @default "agent-orchestrator" */
            serviceAccount: dnsLabel.default(PLATFORM_CONTROLLER),
        })
        .default({ namespace: PLATFORM_NAMESPACE, serviceAccount: PLATFORM_CONTROLLER }),
    /** Where the NATS server runs and how tenants reach it. */
    nats: z
        .strictObject({
            /** Namespace of the NATS server; the authorization config is stored there. @default "nats" */
            namespace: dnsLabel.default(NATS_NAMESPACE),
            /** Client port. @default 4222 */
            port: z.number().int().min(1).max(65535).default(4222),
            /** URL agents connect to. @default "nats://nats.nats.svc.cluster.local:4222" */
            url: z.string().default("nats://nats.nats.svc.cluster.local:4222"),
        })
        .default({ namespace: NATS_NAMESPACE, port: 4222, url: "nats://nats.nats.svc.cluster.local:4222" }),
    /** The operator's per-tenant and per-tier recording rules; off by default (they need the Prometheus operator's CRDs). */
    monitoring: z
        .strictObject({
            /** Declare the PrometheusRule. @default false */
            prometheusRules: z.boolean().default(false),
            /** Namespace where the Prometheus operator picks up rules. @default "monitoring" */
            namespace: dnsLabel.default("monitoring"),
        })
        .default({ prometheusRules: false, namespace: "monitoring" }),
    /**
     * Generation of each tenant's NATS keys, by slug (default 1); raising one gives that tenant new
     * keys derived from tenancy:natsMasterKey (`tenancy rotate <slug>` prints the command).
     */
    natsKeyGenerations: z
        .record(dnsLabel, z.number({ error: WHOLE }).int({ error: WHOLE }).min(1, { error: WHOLE }), {
            error: (issue) => (issue.code === "invalid_key" ? "must be a tenant slug (a DNS label)" : WHOLE),
        })
        .default({}),
    /**
     * The part of the registry this stack declares, when one registry drives several stacks: shard
     * `index` of `count`, by a stable hash of each tenant's org id; shard 0 also declares the shared
     * objects. @default { index: 0, count: 1 }
     */
    shard: shardSchema.default(WHOLE_REGISTRY),
    /**
     * The Kubernetes provider's client rate limit (kubeClientSettings): requests per second and burst.
     * The provider's own 50/120 throttles a preview (one dry-run apply per object) and an update of
     * hundreds of tenants; 200/400 lets 32 operations in flight (`--parallel 32`, contract/pulumi-run.ts)
     * each send their few requests without waiting on the limiter. Lower it for a small API server.
     * @default { qps: 200, burst: 400 }
     */
    kubeClient: z
        .strictObject({
            /** Sustained requests per second. @default 200 */
            qps: z.number().positive().max(10_000).default(DEFAULT_KUBE_CLIENT.qps),
            /** Requests allowed at once above the sustained rate. @default 400 */
            burst: z.number({ error: WHOLE }).int({ error: WHOLE }).min(1, { error: WHOLE }).max(100_000).default(DEFAULT_KUBE_CLIENT.burst),
        })
        .refine((c) => c.burst >= c.qps, { error: "burst must be at least qps", path: ["burst"] })
        .default(DEFAULT_KUBE_CLIENT),
});

/** The validated, non-secret stack settings. */
export type StackConfig = z.infer<typeof stackConfigSchema>;

/** Stack config keys the schema reads (besides the secret ones read by the program). */
const PLAIN_KEYS = ["tenantsDir", "kubeContext", "platformController", "nats", "monitoring", "natsKeyGenerations", "shard", "kubeClient"] as const;

/**
 * Reads the non-secret stack settings from `tenancy:*` config and validates them; a bad value
 * fails with one message naming every bad key.
 */
export function readStackConfig(config: pulumi.Config = new pulumi.Config("tenancy")): StackConfig {
    const raw: Record<string, unknown> = {};
    for (const key of PLAIN_KEYS) {
        const text = config.get(key);
        if (text === undefined) continue;
        raw[key] = key === "tenantsDir" || key === "kubeContext" ? text : parseJson(key, text);
    }
    const result = stackConfigSchema.safeParse(raw);
    if (result.success) return result.data;
    const lines = result.error.issues.map((issue) => `  tenancy:${issue.path.join(".")}: ${issue.message}`);
    throw new pulumi.RunError(`invalid stack config:\n${lines.join("\n")}`);
}

function parseJson(key: string, text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        throw new pulumi.RunError(`invalid stack config: tenancy:${key} must be an object (set it with pulumi config set --path tenancy:${key}.<field> <value>)`);
    }
}


/**
 * The org ids `tenancy plan` asks the program to declare alone (JSON list in `tenancy:planOnlyTenants`),
 * or undefined. Only a preview may narrow the program: an update with it would delete every other tenant.
 */
export function readPlanOnly(dryRun: boolean = pulumi.runtime.isDryRun()): ReadonlySet<string> | undefined {
    const text = pulumi.runtime.getConfig(PLAN_ONLY_KEY);
    if (text === undefined) return undefined;
    if (!dryRun) throw new pulumi.RunError(`${PLAN_ONLY_KEY} is set; it narrows a preview for tenancy plan and would make this update delete every other tenant: remove it (pulumi config rm ${PLAN_ONLY_KEY}).`);
    let ids: unknown;
    try {
        ids = JSON.parse(text);
    } catch {
        ids = undefined;
    }
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) throw new pulumi.RunError(`invalid stack config: ${PLAN_ONLY_KEY} must be a JSON list of org ids`);
    return new Set(ids as string[]);
}
