// Which Kubernetes kinds the pack knows, by API group, and whether each is namespaced. A kind it
// does not know (a custom resource, or a known kind name in another group, like Calico's
// NetworkPolicy) has scope "unknown": the pack cannot say what it does, so no tenant may declare one.

/** Scope of a kind: namespaced, cluster-scoped, or unknown (a kind the pack does not know). */
export type Scope = "namespaced" | "cluster" | "unknown";

// "group/Kind" (core group: "/Kind") of every built-in kind (Kubernetes 1.33) and the Gateway API.
const CLUSTER: readonly string[] = [
    "/Namespace", "/Node", "/PersistentVolume", "/ComponentStatus",
    "storage.k8s.io/StorageClass", "storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode", "storage.k8s.io/VolumeAttachment",
    "storage.k8s.io/VolumeAttributesClass",
    "rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
    "apiextensions.k8s.io/CustomResourceDefinition", "apiregistration.k8s.io/APIService",
    "scheduling.k8s.io/PriorityClass", "node.k8s.io/RuntimeClass",
    "networking.k8s.io/IngressClass", "networking.k8s.io/IPAddress", "networking.k8s.io/ServiceCIDR",
    "admissionregistration.k8s.io/MutatingWebhookConfiguration", "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/ValidatingAdmissionPolicy", "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
    "admissionregistration.k8s.io/MutatingAdmissionPolicy", "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
    "certificates.k8s.io/CertificateSigningRequest", "certificates.k8s.io/ClusterTrustBundle",
    "flowcontrol.apiserver.k8s.io/FlowSchema", "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
    "internal.apiserver.k8s.io/StorageVersion", "storagemigration.k8s.io/StorageVersionMigration",
    "resource.k8s.io/DeviceClass", "resource.k8s.io/ResourceSlice", "resource.k8s.io/DeviceTaintRule",
    "authentication.k8s.io/TokenReview", "authentication.k8s.io/SelfSubjectReview",
    "authorization.k8s.io/SubjectAccessReview", "authorization.k8s.io/SelfSubjectAccessReview", "authorization.k8s.io/SelfSubjectRulesReview",
    "policy/PodSecurityPolicy", "extensions/PodSecurityPolicy", "gateway.networking.k8s.io/GatewayClass",
];

const NAMESPACED: readonly string[] = [
    "/Pod", "/PodTemplate", "/ReplicationController", "/Service", "/Endpoints", "/ConfigMap", "/Secret", "/ServiceAccount",
    "/PersistentVolumeClaim", "/LimitRange", "/ResourceQuota", "/Event", "/Binding",
    "apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet", "apps/ControllerRevision",
    "extensions/Deployment", "extensions/DaemonSet", "extensions/ReplicaSet", "extensions/Ingress", "extensions/NetworkPolicy",
    "batch/Job", "batch/CronJob", "autoscaling/HorizontalPodAutoscaler", "policy/PodDisruptionBudget",
    "coordination.k8s.io/Lease", "storage.k8s.io/CSIStorageCapacity", "authorization.k8s.io/LocalSubjectAccessReview",
    "discovery.k8s.io/EndpointSlice", "events.k8s.io/Event",
    "rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/RoleBinding",
    "networking.k8s.io/NetworkPolicy", "networking.k8s.io/Ingress",
    "resource.k8s.io/ResourceClaim", "resource.k8s.io/ResourceClaimTemplate", "resource.k8s.io/PodSchedulingContext",
    "gateway.networking.k8s.io/Gateway", "gateway.networking.k8s.io/HTTPRoute", "gateway.networking.k8s.io/GRPCRoute",
    "gateway.networking.k8s.io/TLSRoute", "gateway.networking.k8s.io/TCPRoute", "gateway.networking.k8s.io/UDPRoute",
    "gateway.networking.k8s.io/ReferenceGrant", "gateway.networking.k8s.io/BackendTLSPolicy",
];

const SCOPES = new Map<string, Scope>([...CLUSTER.map((k) => [k, "cluster"] as const), ...NAMESPACED.map((k) => [k, "namespaced"] as const)]);

/** Scope of a kind of an API group ("" for core); "unknown" for kinds the pack does not know. */
export function scopeOf(group: string, kind: string): Scope {
    return SCOPES.get(`${group}/${kind}`) ?? "unknown";
}
