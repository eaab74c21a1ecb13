import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { GuardConfig } from "./config";
import { arrayOf, tenantOfNamespace } from "./helpers";
import { describeObject, type DeclaredObject } from "./objects";
import { resourceRule } from "./rule-kit";
import { firstUnknown, isUnknown } from "./unknowns";

const GATEWAY_GROUP = "gateway.networking.k8s.io";
const ROUTES = ["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"];

/** Checks that nothing in a tenant namespace routes traffic or data to another tenant's namespace. */
export const restrictCrossNamespaceReferences: ResourceValidationPolicy = resourceRule(
    {
        name: "restrict-cross-namespace-references",
        description:
            "Checks that no object in a tenant namespace reaches another tenant's namespace: no ExternalName Service, no Gateway API route, ReferenceGrant or volume data source naming another tenant's namespace, no Gateway that admits other namespaces' routes, and no Ingress or route pointing at another tenant's Service by its cluster DNS name.",
        config: ["tenantNamespacePrefix"],
    },
    ({ config, declaration }, report) => {
        for (const o of declaration.objects) {
            const slug = tenantOfNamespace(o.meta.namespace, config);
            if (!slug || o.scope === "unknown") continue;
            for (const problem of referenceProblems(o, config)) report(`${describeObject(o)} of tenant ${slug} ${problem}`);
        }
    },
);

function referenceProblems(o: DeclaredObject, config: GuardConfig): string[] {
    const own = o.meta.namespace!;
    const spec = o.body.spec as Record<string, unknown> | undefined;
    const rule = `; objects in "${own}" may reach only their own namespace and the platform's.`;
    if (o.kind === "Service") {
        const type = isUnknown(spec) ? spec : spec?.type;
        if (isUnknown(type)) return [`has a spec.type unknown during preview; a tenant Service must be known not to be ExternalName${rule}`];
        if (type === "ExternalName") return [`is an ExternalName Service (to ${JSON.stringify(spec?.externalName)}), which can alias any other tenant's Service; tenant Services may not be ExternalName${rule}`];
        return [];
    }
    if (o.kind === "PersistentVolumeClaim") return namespaceRefs(spec?.dataSourceRef, "spec.dataSourceRef", own, config).map((p) => `${p}${rule}`);
    if (o.group === GATEWAY_GROUP && (ROUTES.includes(o.kind) || o.kind === "ReferenceGrant")) {
        return [...namespaceRefs(spec, "spec", own, config), ...dnsRefs(o.body, own, config)].map((p) => `${p}${rule}`);
    }
    if (o.group === GATEWAY_GROUP && o.kind === "Gateway") return gatewayProblems(spec).map((p) => `${p}${rule}`);
    if (o.kind === "Ingress") return dnsRefs(o.body, own, config).map((p) => `${p}${rule}`);
    return [];
}

// Every `namespace` field under `value` that names another tenant's namespace or is unknown.
function namespaceRefs(value: unknown, path: string, own: string, config: GuardConfig): string[] {
    if (isUnknown(value)) return [`has ${path} unknown during preview, so it may name another tenant's namespace`];
    if (value === null || typeof value !== "object") return [];
    if (Array.isArray(value)) return value.flatMap((v, i) => namespaceRefs(v, `${path}[${i}]`, own, config));
    const out: string[] = [];
    for (const [key, v] of Object.entries(value)) {
        const at = `${path}.${key}`;
        if (key === "namespace" && typeof v === "string" && v !== own) {
            const other = tenantOfNamespace(v, config);
            if (other) out.push(`names namespace "${v}" of tenant ${other} (${at})`);
        } else out.push(...namespaceRefs(v, at, own, config));
    }
    return out;
}

// A Gateway in a tenant namespace must admit routes of its own namespace only.
function gatewayProblems(spec: Record<string, unknown> | undefined): string[] {
    const unknown = firstUnknown(spec?.listeners, "spec.listeners");
    if (isUnknown(spec) || unknown) return [`has ${unknown ?? "spec"} unknown during preview, so it may admit routes of other tenants`];
    return arrayOf<Record<string, unknown>>(spec?.listeners).flatMap((listener, i) => {
        const from = ((((listener?.allowedRoutes ?? {}) as Record<string, unknown>).namespaces ?? {}) as Record<string, unknown>).from;
        return from === undefined || from === "Same" ? [] : [`admits routes from ${String(from)} namespaces on listener ${i + 1}, including other tenants'`];
    });
}

// Cluster DNS names of Services in other tenants' namespaces (svc.ns, svc.ns.svc, svc.ns.svc.cluster.local) in any string.
function dnsRefs(body: unknown, own: string, config: GuardConfig): string[] {
    const prefix = config.tenantNamespacePrefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const pattern = new RegExp(`[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\\.(${prefix}[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)(?=\\.svc\\b|$|[:/\\s"',;])`, "g");
    const found = new Set<string>();
    for (const match of JSON.stringify(body).matchAll(pattern)) if (match[1] !== own) found.add(match[0]);
    return [...found].map((host) => `points at "${host}", a Service of tenant ${tenantOfNamespace(host.split(".")[1], config)}'s namespace`);
}
