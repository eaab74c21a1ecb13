// Changes a platform engineer makes on purpose, in the ordinary and the other forms, and
// equal-value rewrites: none may be blocked.
import { UNKNOWN } from "../../cli/engine";
import { idOf } from "./fixtures";
import type { World } from "./world";

const ACME_ID = idOf("acme");
const acmeLabels = { "tenancy.io/tenant-id": ACME_ID, tier: "standard", "app.kubernetes.io/managed-by": "tenancy" };
const acmeMeta = (name: string) => ({ name, namespace: "org-acme", labels: acmeLabels });
const ACME = { type: "tenancy:tenant:Tenant", name: "acme" };
const RB = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const CM = "kubernetes:core/v1:ConfigMap";
const SA = (namespace: string, name = "agent-worker-sa") => ({ kind: "ServiceAccount", name, namespace });

/** Changes a platform engineer makes on purpose; none may be blocked. */
export const BENIGN: { change: string; apply: (w: World) => World }[] = [
    {
        change: "a ConfigMap in acme's namespace with acme's labels",
        apply: (w) => w.add(CM, "acme-agent-config", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "agent-config", namespace: "org-acme", labels: acmeLabels }, data: { mode: "fast" } }),
    },
    {
        change: "acme declares one more egress CIDR",
        apply: (w) => w.edit("acme-allow-egress-cidrs", (p) => p.spec.egress[0].to.push({ ipBlock: { cidr: "192.0.2.0/24" } })),
    },
    {
        change: "acme's quota lowered",
        apply: (w) => w.edit("acme-quota", (p) => (p.spec.hard["requests.cpu"] = "5")),
    },
    {
        change: "initech decommissioned: annotation set, protection lifted",
        apply: (w) =>
            w
                .edit("initech-namespace", (p) => (p.metadata.annotations["tenancy.io/lifecycle"] = "decommissioned"))
                .options("initech-namespace", (o) => (o.protect = false)),
    },
    {
        change: "acme admits ingress from the platform namespace",
        apply: (w) =>
            w.edit("acme-allow-same-namespace", (p) =>
                p.spec.ingress[0].from.push({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "platform-system" } } }),
            ),
    },
    {
        change: "acme's agents may read ConfigMaps and network policies",
        apply: (w) => w.edit("Role/acme-secret-reader", (p) => p.rules.push({ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] })),
    },
    {
        change: "a platform binding in platform-system for the orchestrator",
        apply: (w) =>
            w.add(RB, "orchestrator-leases", {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata: { name: "orchestrator-leases", namespace: "platform-system" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "leases" },
                subjects: [SA("platform-system", "agent-orchestrator")],
            }),
    },
    {
        change: "acme's reader binding also references ClusterRole view",
        apply: (w) =>
            w.add(RB, "acme-view", {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata: { name: "agent-view", namespace: "org-acme", labels: acmeLabels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
                subjects: [SA("org-acme")],
            }),
    },
];

/** Equal-value rewrites and benign changes in the new forms: none may be blocked. */
export const FORM_BENIGN: { change: string; apply: (w: World) => World }[] = [
    {
        change: "acme's quota written in other spellings of the same values (10000m, bytes, 0.2e2)",
        apply: (w) =>
            w.edit("acme-quota", (p) => {
                p.spec.hard["requests.cpu"] = "10000m";
                p.spec.hard["requests.memory"] = "42949672960";
                p.spec.hard["limits.cpu"] = "0.2e2";
            }),
    },
    {
        change: "a Patch that sets acme's quota to the values it has",
        apply: (w) => w.add("kubernetes:core/v1:ResourceQuotaPatch", "acme-quota-same", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "quota", namespace: "org-acme" }, spec: { hard: { "requests.cpu": "10", pods: "15" } } }),
    },
    {
        change: "a Patch that annotates acme's namespace",
        apply: (w) => w.add("kubernetes:core/v1:NamespacePatch", "acme-annotate", { apiVersion: "v1", kind: "Namespace", metadata: { name: "org-acme", annotations: { "example.com/team": "agents" } } }),
    },
    {
        change: "globex's egress CIDRs reordered, and acme's /24 split into two /25s",
        apply: (w) =>
            w
                .edit("globex-allow-egress-cidrs", (p) => p.spec.egress[0].to.reverse())
                .edit("acme-allow-egress-cidrs", (p) => (p.spec.egress[0].to = [{ ipBlock: { cidr: "203.0.113.128/25" } }, { ipBlock: { cidr: "203.0.113.0/25" } }])),
    },
    {
        change: "a Deployment in acme's namespace at its own plan's priority",
        apply: (w) =>
            w.add("kubernetes:apps/v1:Deployment", "acme-agents", {
                apiVersion: "apps/v1", kind: "Deployment", metadata: acmeMeta("agents"),
                spec: { selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "a" } }, spec: { priorityClassName: "tenancy-standard", containers: [{ name: "a", image: "a" }] } } },
            }, ACME),
    },
    {
        change: "a platform ConfigMap declared through a yaml ConfigGroup",
        apply: (w) => w.add("kubernetes:yaml/v2:ConfigGroup", "platform-settings", { objs: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "platform-system" }, data: { mode: "fast" } }] }),
    },
    {
        change: "globex's ServiceAccount re-declared as a List item with the same fields",
        apply: (w) => {
            const sa = structuredClone(w.get("globex-agent-sa"));
            return w.remove("globex-agent-sa").add("kubernetes:core/v1:ServiceAccountList", "globex-agent-sa-list", { apiVersion: "v1", kind: "ServiceAccountList", items: [sa] }, { type: "tenancy:tenant:TenantAccess", name: "globex" });
        },
    },
    {
        change: "acme's quota value unknown during preview in a field the plan does not cap",
        apply: (w) => w.edit("acme-quota", (p) => (p.spec.hard["count/configmaps"] = UNKNOWN)),
    },
];
