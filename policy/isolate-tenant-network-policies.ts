import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, readConfig, type GuardConfig } from "./config";
import { arrayOf, describeObject, kindOf, metadataOf, tenantOfNamespace } from "./helpers";

/** Label every namespace carries with its own name (Kubernetes ≥ 1.21). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

// Catch-all CIDRs: they include every pod IP of every tenant.
const CATCH_ALL = new Set(["0.0.0.0/0", "::/0"]);

interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

interface Peer {
    namespaceSelector?: LabelSelector;
    podSelector?: LabelSelector;
    ipBlock?: { cidr?: string; except?: string[] };
}

/** Context of the NetworkPolicy being checked. */
interface Own {
    namespace: string;
    tenantId: string | undefined;
    config: GuardConfig;
}

/** Checks that NetworkPolicies in tenant namespaces admit no traffic from or to other tenants' namespaces. */
export const isolateTenantNetworkPolicies: ResourceValidationPolicy = {
    name: "isolate-tenant-network-policies",
    description:
        "Checks that NetworkPolicies in tenant namespaces admit no traffic from or to other tenants: no empty or unpinned namespaceSelector, no selector of another tenant, no 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    configSchema: configSchemaFor(["tenantNamespacePrefix", "tenantLabel", "platformNamespaces"]),
    validateResource: (args, reportViolation) => {
        if (kindOf(args.type) !== "NetworkPolicy") return;
        const config = readConfig(args.getConfig<Partial<GuardConfig>>());
        const meta = metadataOf(args.props);
        const slug = tenantOfNamespace(meta.namespace, config);
        if (!slug || !meta.namespace) return;
        const own: Own = { namespace: meta.namespace, tenantId: meta.labels[config.tenantLabel], config };
        const policy = `${describeObject(args.type, args.name, args.props)} of tenant ${slug}`;
        const rule =
            `; peers may select only namespace "${own.namespace}", platform namespaces (${config.platformNamespaces.join(", ")}) ` +
            "or namespaces pinned by name that belong to no tenant.";
        const spec = (args.props.spec ?? {}) as { ingress?: unknown; egress?: unknown };
        for (const [direction, field, preposition] of [
            ["ingress", "from", "from"],
            ["egress", "to", "to"],
        ] as const) {
            arrayOf<Record<string, unknown>>(spec[direction]).forEach((entry, i) => {
                arrayOf<Peer>(entry[field]).forEach((peer, j) => {
                    const problem = peerProblem(peer, own);
                    if (problem) {
                        reportViolation(`${policy} admits ${direction} ${preposition} ${problem} (${direction} rule ${i + 1}, peer ${j + 1})${rule}`);
                    }
                });
            });
        }
    },
};

// Describes what a peer opens beyond the tenant, or undefined when it stays inside allowed namespaces.
function peerProblem(peer: Peer, own: Own): string | undefined {
    const cidr = peer.ipBlock?.cidr;
    if (cidr !== undefined && CATCH_ALL.has(cidr)) return `${cidr}, which includes every tenant's pods`;
    const selector = peer.namespaceSelector;
    if (selector === undefined || selector === null) return undefined; // podSelector alone: same namespace
    const labels = selector.matchLabels ?? {};
    const expressions = arrayOf<{ key?: string; operator?: string; values?: string[] }>(selector.matchExpressions);
    if (Object.keys(labels).length === 0 && expressions.length === 0) return "every namespace (empty namespaceSelector)";
    // The selector is safe when one of its terms pins the namespaces to allowed ones (terms are ANDed).
    const verdicts: (string | undefined)[] = [];
    for (const key of Object.keys(labels)) {
        const verdict = pinVerdict(key, [labels[key]], own);
        if (verdict !== null) verdicts.push(verdict);
    }
    for (const e of expressions) {
        if (e.operator !== "In") continue;
        const verdict = pinVerdict(e.key ?? "", arrayOf<string>(e.values), own);
        if (verdict !== null) verdicts.push(verdict);
    }
    if (verdicts.some((v) => v === undefined)) return undefined;
    const foreign = verdicts.find((v) => v !== undefined);
    return foreign ?? `namespaces selected by ${JSON.stringify(selector)}, which may include other tenants' namespaces`;
}

// null: the term does not pin namespaces; undefined: pinned to allowed namespaces; string: pinned to another tenant.
function pinVerdict(key: string, values: string[], own: Own): string | undefined | null {
    if (key === NAMESPACE_NAME_LABEL) {
        for (const value of values) {
            if (value === own.namespace || own.config.platformNamespaces.includes(value)) continue;
            const other = tenantOfNamespace(value, own.config);
            if (other) return `namespace "${value}" of tenant ${other}`;
        }
        return undefined;
    }
    if (key === own.config.tenantLabel) {
        const foreign = values.find((v) => v !== own.tenantId);
        return foreign === undefined ? undefined : `namespaces of tenant ${foreign} (${key}=${foreign})`;
    }
    return null;
}
