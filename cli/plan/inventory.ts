import type { RecordedResource } from "../engine/types";
import { namespaceOf, ORG_ID_ANNOTATION, TENANT_LABEL } from "../../contract";
import { unwrapSecrets } from "../engine/wire";
import { type Registry } from "../../registry";

/** Kinds the API server keeps outside namespaces (the ones a tenancy program may plausibly declare). */
const CLUSTER_SCOPED = new Set([
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass",
    "CustomResourceDefinition", "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "RuntimeClass", "IngressClass", "CSIDriver",
    "CSINode", "VolumeAttachment", "CertificateSigningRequest", "FlowSchema", "PriorityLevelConfiguration",
]);

/** A Kubernetes object as it would be applied. */
export interface KubeObject {
    /** apiVersion, e.g. `rbac.authorization.k8s.io/v1`. */
    apiVersion: string;
    /** Kind, e.g. `RoleBinding`. */
    kind: string;
    /** metadata.name (as the provider would set it). */
    name: string;
    /** Namespace, undefined for cluster-scoped kinds. */
    namespace?: string;
    /** The object in wire format: the resource's inputs with provider-computed names filled in. */
    manifest: Record<string, unknown>;
}

/** A recorded resource together with what plan derives from it. */
export interface PlannedResource extends RecordedResource {
    /** Slug of the tenant that owns it (by tenant label, namespace or component), or undefined when shared. */
    tenant?: string;
    /** The Kubernetes object, for custom resources of the Kubernetes provider. */
    kube?: KubeObject;
}

/**
 * Attaches each resource's owning tenant and Kubernetes object. Ownership is the tenant label's
 * org id, else the namespace `org-<slug>`, else the org id annotation (a tenant's NATS account
 * ConfigMap, which lives in the NATS namespace), else the nearest `tenancy:` component named after a
 * slug; each lookup is a map access, so the cost per resource is constant.
 */
export function inventory(resources: RecordedResource[], registry: Pick<Registry, "entries">): PlannedResource[] {
    const slugById = new Map<string, string>();
    const slugByNamespace = new Map<string, string>();
    for (const { tenant } of registry.entries) {
        slugById.set(tenant.id, tenant.slug);
        slugByNamespace.set(namespaceOf(tenant), tenant.slug);
    }
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const defaultNamespace = new Map<string, string>();
    for (const r of resources) {
        if (r.type === "pulumi:providers:kubernetes" && typeof r.inputs.namespace === "string") defaultNamespace.set(r.urn, r.inputs.namespace);
    }
    const componentOwner = new Map<string, string | undefined>();
    const ownerByComponents = (urn: string): string | undefined => {
        if (componentOwner.has(urn)) return componentOwner.get(urn);
        const resource = byUrn.get(urn);
        let owner: string | undefined;
        if (resource) {
            const named = resource.type.startsWith("tenancy:") && slugByNamespace.has(`org-${resource.name}`) ? resource.name : undefined;
            owner = named ?? (resource.parent ? ownerByComponents(resource.parent) : undefined);
        }
        componentOwner.set(urn, owner);
        return owner;
    };
    return resources.map((resource) => {
        const kube = kubeObject(resource, defaultNamespace);
        let tenant: string | undefined;
        if (kube) {
            const metadata = (unwrapSecrets(kube.manifest.metadata) ?? {}) as { labels?: unknown; annotations?: unknown };
            const labels = (unwrapSecrets(metadata.labels) ?? {}) as Record<string, unknown>;
            const annotated = ((unwrapSecrets(metadata.annotations) ?? {}) as Record<string, unknown>)[ORG_ID_ANNOTATION];
            const id = labels[TENANT_LABEL];
            tenant = (typeof id === "string" ? slugById.get(id) : undefined)
                ?? (kube.namespace ? slugByNamespace.get(kube.namespace) : undefined)
                ?? (kube.kind === "Namespace" ? slugByNamespace.get(kube.name) : undefined)
                ?? (typeof annotated === "string" ? slugById.get(annotated) : undefined);
        }
        tenant ??= ownerByComponents(resource.urn);
        return { ...resource, tenant, kube };
    });
}

function kubeObject(resource: RecordedResource, defaultNamespace: Map<string, string>): KubeObject | undefined {
    if (!resource.custom || !resource.type.startsWith("kubernetes:")) return undefined;
    const source = { ...resource.inputs, ...resource.outputs };
    const { apiVersion, kind } = source as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
    const metadata = (unwrapSecrets(source.metadata) ?? {}) as { name?: unknown; namespace?: unknown };
    const name = typeof metadata.name === "string" ? metadata.name : resource.name;
    const clusterScoped = CLUSTER_SCOPED.has(kind);
    // A namespaced object without a namespace goes to the provider's namespace, else "default".
    const providerUrn = resource.provider.slice(0, resource.provider.lastIndexOf("::"));
    const namespace = clusterScoped ? undefined : typeof metadata.namespace === "string" ? metadata.namespace : defaultNamespace.get(providerUrn) ?? "default";
    // Key order as kubectl prints objects: apiVersion, kind, metadata, then the rest.
    const manifest: Record<string, unknown> = { apiVersion, kind, metadata: source.metadata };
    for (const [key, value] of Object.entries(source)) if (!(key in manifest)) manifest[key] = value;
    return { apiVersion, kind, name, namespace, manifest };
}
