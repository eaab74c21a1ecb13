// Every class of cross-tenant change, in every form an object can take, plus the same class hidden
// behind a value unknown during preview: each must be reported by its rule with its exact message.
import { describe, expect, it } from "vitest";
import { RULES } from "../../policy/rules";
import { CONFIG, idOf, natsOf, nkeyOf, world } from "./fixtures";
import { accountFile, editAccountConf } from "./nats-edit";
import { FORMS, rewrite, type FormName } from "./forms";
import { fixture, runPack, type Fixture } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const NETWORK_RULE = `; peers may select only namespace "org-acme", platform namespaces (platform-system, nats, kube-system) or namespaces pinned by name that belong to no tenant.`;
const IP_RULE = "tenant ipBlocks must stay outside the internet as a whole, link-local and cloud metadata addresses and the cluster's pod and Service ranges.";
const PRINCIPALS = "ServiceAccount platform-system/agent-orchestrator";

/** One class of change: the object, the change, the rule and its message for a given form note. */
interface Row {
    /** The change, in a reviewer's words. */
    change: string;
    /** Rule that must report it. */
    rule: string;
    /** Fixture changed (after `add`, if any). */
    target: string;
    /** Objects the change starts from that the program does not declare (added under acme's component). */
    add?: (w: Fixture[]) => Fixture[];
    /** The change. */
    apply: (body: Record<string, any>) => void;
    /** The exact message, given the form's note. */
    says: (note: string) => string;
    /** Forms that cannot express the change (e.g. a Patch cannot move an object). */
    skip?: FormName[];
    /** The objects the change starts from are already outside what the pack accepts (an unknown kind). */
    startBlocked?: boolean;
    /** The same class with its deciding value unknown during preview. */
    unknown?: { apply: (body: Record<string, any>) => void; says: string };
}

const under = (w: Fixture[], slug: string, type: string, name: string, props: Record<string, unknown>) => {
    const parent = w.find((f) => f.type === "tenancy:tenant:Tenant" && f.name === slug);
    return [...w, fixture(type, name, props, parent)];
};
const acmeMeta = (name: string) => ({ name, namespace: "org-acme", labels: { "tenancy.io/tenant-id": idOf("acme"), tier: "standard", "app.kubernetes.io/managed-by": "tenancy" } });
const ACME_FILE = accountFile(idOf("acme"));

const ROWS: Row[] = [
    {
        change: "acme's quota raised above its plan",
        rule: "require-tenant-baseline",
        target: "acme-quota",
        apply: (b) => (b.spec.hard["requests.cpu"] = "64"),
        says: (n) => `ResourceQuota "org-acme/quota"${n} of tenant acme sets requests.cpu to 64, above the standard plan's ceiling of 10.`,
        unknown: { apply: (b) => (b.spec.hard["requests.cpu"] = UNKNOWN), says: `ResourceQuota "org-acme/quota" of tenant acme sets requests.cpu to a value unknown during preview; it must be known and at most the standard plan's 10.` },
    },
    {
        change: "acme's baseline quota scoped to terminating pods",
        rule: "require-tenant-baseline",
        target: "acme-quota",
        apply: (b) => (b.spec.scopes = ["Terminating"]),
        says: (n) => `ResourceQuota "org-acme/quota"${n} of tenant acme sets spec.scopes (Terminating); the baseline quota "quota" must constrain every pod, so it must set neither scopes nor scopeSelector (add a separate scoped quota to restrict some pods further).`,
        unknown: { apply: (b) => (b.spec.scopeSelector = UNKNOWN), says: `ResourceQuota "org-acme/quota" of tenant acme has spec.scopeSelector unknown during preview; the baseline quota "quota" must be known to set neither scopes nor scopeSelector, so that it constrains every pod.` },
    },
    {
        change: "acme's LimitRange max raised above its plan",
        rule: "require-tenant-baseline",
        target: "acme-limits",
        apply: (b) => (b.spec.limits[0].max.cpu = "64"),
        says: (n) => `LimitRange "org-acme/limits"${n} of tenant acme sets max.cpu to 64, above the standard plan's ceiling of 4000m.`,
        unknown: { apply: (b) => (b.spec.limits[0].default = UNKNOWN), says: `LimitRange "org-acme/limits" of tenant acme has spec.limits[0].default unknown during preview; its container limits must be known and within the standard plan's.` },
    },
    {
        change: "acme's default-deny policy opened to every source",
        rule: "isolate-tenant-network-policies",
        target: "acme-default-deny",
        apply: (b) => (b.spec.ingress = [{}]),
        says: (n) => `NetworkPolicy "org-acme/default-deny"${n} of tenant acme admits ingress from every peer (ingress rule 1 has no "from")${NETWORK_RULE}`,
        unknown: { apply: (b) => (b.spec.ingress = UNKNOWN), says: `NetworkPolicy "org-acme/default-deny" of tenant acme has ingress rules that are unknown during preview; what a tenant NetworkPolicy admits must be known.` },
    },
    {
        change: "acme's egress covers the internet minus the private ranges",
        rule: "isolate-tenant-network-policies",
        target: "acme-allow-egress-cidrs",
        apply: (b) => (b.spec.egress[0].to = [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "169.254.0.0/16"] } }]),
        says: (n) => `NetworkPolicy "org-acme/allow-egress-cidrs"${n} of tenant acme admits egress to the whole IPv4 internet (ipBlocks 0.0.0.0/0 except 10.0.0.0/8, 169.254.0.0/16); ${IP_RULE}`,
        unknown: {
            apply: (b) => (b.spec.egress[0].to = [{ ipBlock: { cidr: UNKNOWN } }]),
            says: `NetworkPolicy "org-acme/allow-egress-cidrs" of tenant acme admits egress to an ipBlock whose cidr is unknown during preview; every ipBlock must be a CIDR known during preview, and ${IP_RULE}`,
        },
    },
    {
        change: "acme's egress reaches the cloud metadata address through NAT64",
        rule: "isolate-tenant-network-policies",
        target: "acme-allow-egress-cidrs",
        apply: (b) => b.spec.egress[0].to.push({ ipBlock: { cidr: "64:ff9b::a9fe:a9fe/128" } }),
        says: (n) => `NetworkPolicy "org-acme/allow-egress-cidrs"${n} of tenant acme admits egress to the cloud metadata address 169.254.169.254 (ipBlock 64:ff9b::a9fe:a9fe/128); ${IP_RULE}`,
    },
    {
        change: "acme's reader binding names globex's ServiceAccount",
        rule: "restrict-role-binding-subjects",
        target: "RoleBinding/acme-secret-reader",
        apply: (b) => (b.subjects = [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-globex" }]),
        says: (n) => `RoleBinding "org-acme/agent-secret-reader"${n} of tenant acme binds ServiceAccount "org-globex/agent-worker-sa" of tenant globex; every subject must be in namespace "org-acme" or be a platform principal (${PRINCIPALS}).`,
        unknown: {
            apply: (b) => (b.subjects[0].namespace = UNKNOWN),
            says: `RoleBinding "org-acme/agent-secret-reader" of tenant acme binds a subject whose namespace is unknown during preview; every subject must be known so the pack can tell whose principal it is.`,
        },
    },
    {
        change: "acme's reader binding references ClusterRole cluster-admin",
        rule: "restrict-cluster-roles",
        target: "RoleBinding/acme-secret-reader",
        apply: (b) => (b.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }),
        says: (n) => `RoleBinding "org-acme/agent-secret-reader"${n} of tenant acme references ClusterRole "cluster-admin", which grants write access to the whole namespace; RoleBindings in tenant namespaces may reference only the ClusterRoles view or a Role of their own namespace.`,
        unknown: { apply: (b) => (b.roleRef.name = UNKNOWN), says: `RoleBinding "org-acme/agent-secret-reader" of tenant acme has a roleRef.name that is unknown during preview; the role a tenant RoleBinding grants must be known.` },
    },
    {
        change: "a ClusterRole aggregates into view",
        rule: "restrict-cluster-roles",
        target: "secret-peek",
        add: (w) => [...w, fixture("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "secret-peek", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "secret-peek" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] })],
        apply: (b) => (b.metadata.labels = { "rbac.authorization.k8s.io/aggregate-to-view": "true" }),
        says: (n) => `ClusterRole "secret-peek"${n} carries rbac.authorization.k8s.io/aggregate-to-view=true, so it aggregates into ClusterRole "view"; no ClusterRole may add rules to or redefine view, edit, admin, cluster-admin, which tenant namespaces may be granted.`,
        unknown: { apply: (b) => (b.metadata.labels = UNKNOWN), says: `ClusterRole "secret-peek" has labels that are unknown during preview, so it may aggregate into view, edit, admin, cluster-admin; no ClusterRole may add rules to or redefine view, edit, admin, cluster-admin, which tenant namespaces may be granted.` },
    },
    {
        change: "globex's namespace labelled with acme's id",
        rule: "enforce-tenant-ownership",
        target: "globex-namespace",
        apply: (b) => (b.metadata.labels["tenancy.io/tenant-id"] = idOf("acme")),
        says: (n) => `Namespace "org-globex"${n} of tenant globex carries tenancy.io/tenant-id=${idOf("acme")}; it must carry tenancy.io/tenant-id=${idOf("globex")}, the id of the registry entry that created it.`,
        unknown: { apply: (b) => (b.metadata.labels["tenancy.io/tenant-id"] = UNKNOWN), says: `Namespace "org-globex" of tenant globex carries tenancy.io/tenant-id unknown during preview; it must carry the tenant's id, known during preview.` },
    },
    {
        change: "acme's namespace enforces privileged pods",
        rule: "require-pod-security-admission",
        target: "acme-namespace",
        apply: (b) => (b.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged"),
        says: (n) => `Namespace "org-acme"${n} of tenant acme enforces Pod Security "privileged" (pod-security.kubernetes.io/enforce); tenant acme's standard plan requires at least "restricted".`,
        unknown: {
            apply: (b) => (b.metadata.labels["pod-security.kubernetes.io/enforce"] = UNKNOWN),
            says: `Namespace "org-acme" of tenant acme has pod-security.kubernetes.io/enforce unknown during preview; it must be known, and tenant acme's standard plan requires at least "restricted".`,
        },
    },
    {
        change: "an ExternalName Service in acme's namespace",
        rule: "restrict-cross-namespace-references",
        target: "acme-alias",
        add: (w) => under(w, "acme", "kubernetes:core/v1:Service", "acme-alias", { apiVersion: "v1", kind: "Service", metadata: acmeMeta("alias"), spec: { type: "ClusterIP", ports: [{ port: 80 }] } }),
        apply: (b) => (b.spec = { type: "ExternalName", externalName: "api.org-globex.svc.cluster.local" }),
        says: (n) => `Service "org-acme/alias"${n} of tenant acme is an ExternalName Service (to "api.org-globex.svc.cluster.local"), which can alias any other tenant's Service; tenant Services may not be ExternalName; objects in "org-acme" may reach only their own namespace and the platform's.`,
        unknown: { apply: (b) => (b.spec.type = UNKNOWN), says: `Service "org-acme/alias" of tenant acme has a spec.type unknown during preview; a tenant Service must be known not to be ExternalName; objects in "org-acme" may reach only their own namespace and the platform's.` },
    },
    {
        change: "a PersistentVolume pre-bound to a claim in acme's namespace",
        rule: "forbid-tenant-cluster-objects",
        target: "stolen-volume",
        add: (w) => [...w, fixture("kubernetes:core/v1:PersistentVolume", "stolen-volume", { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "stolen-volume" }, spec: { capacity: { storage: "1Gi" }, hostPath: { path: "/data/globex" } } })],
        apply: (b) => (b.spec.claimRef = { namespace: "org-acme", name: "data" }),
        says: (n) => `PersistentVolume "stolen-volume"${n} is pre-bound by its claimRef to a claim in namespace "org-acme" of tenant acme; no PersistentVolume may be pre-bound into a tenant namespace, where it would hand that tenant data it does not own.`,
        unknown: { apply: (b) => (b.spec.claimRef = { namespace: UNKNOWN, name: "data" }), says: `PersistentVolume "stolen-volume" has a claimRef whose namespace is unknown during preview; a PersistentVolume's claimRef must be known and must not point into a tenant namespace.` },
    },
    {
        change: "acme's pods ask for the enterprise plan's priority",
        rule: "limit-tenant-priority",
        target: "acme-agents",
        add: (w) => under(w, "acme", "kubernetes:apps/v1:Deployment", "acme-agents", {
            apiVersion: "apps/v1", kind: "Deployment", metadata: acmeMeta("agents"),
            spec: { selector: { matchLabels: { app: "agents" } }, template: { metadata: { labels: { app: "agents" } }, spec: { priorityClassName: "tenancy-standard", containers: [{ name: "agent", image: "agent:1" }] } } },
        }),
        apply: (b) => (b.spec.template.spec.priorityClassName = "tenancy-enterprise"),
        says: (n) => `Deployment "org-acme/agents"${n} of tenant acme names priorityClassName "tenancy-enterprise" (spec.template.spec.priorityClassName); tenant acme on the standard plan may use only tenancy-free, tenancy-standard.`,
        unknown: { apply: (b) => (b.spec.template.spec.priorityClassName = UNKNOWN), says: `Deployment "org-acme/agents" of tenant acme names a priorityClassName unknown during preview (spec.template.spec.priorityClassName); tenant acme on the standard plan may use only tenancy-free, tenancy-standard.` },
    },
    {
        change: "acme's priority ceiling allows pods",
        rule: "limit-tenant-priority",
        target: "acme-priority-ceiling",
        apply: (b) => (b.spec.hard.pods = "5"),
        says: (n) => `ResourceQuota "org-acme/priority-ceiling"${n} of tenant acme allows 5 pods; it must allow "0" pods in every tenancy PriorityClass above the standard plan (tenancy-enterprise), selected by scopeSelector PriorityClass In, with no other scope.`,
        unknown: { apply: (b) => (b.spec.scopeSelector = UNKNOWN), says: `ResourceQuota "org-acme/priority-ceiling" of tenant acme has spec.scopeSelector unknown during preview; it must allow "0" pods in every tenancy PriorityClass above the standard plan (tenancy-enterprise), selected by scopeSelector PriorityClass In, with no other scope.` },
    },
    {
        change: "the server's acme account imports globex's subjects",
        rule: "isolate-tenant-nats",
        target: `nats-account-${idOf("acme")}`,
        apply: (b) =>
            (b.data[ACME_FILE] = editAccountConf(b.data[ACME_FILE], (n) => n.imports.push({ name: "x", subject: "org.globex.>", account: natsOf("globex").accountPublicKey, type: "stream" }))),
        says: (n) => `ConfigMap "nats/nats-account-${idOf("acme").replace("_", "-")}"${n} key ${ACME_FILE}: NATS account "${idOf("acme")}" of tenant acme imports stream "org.globex.>" from tenant globex's account "${idOf("globex")}"; tenants may import only from PLATFORM.`,
        unknown: {
            apply: (b) => (b.data[ACME_FILE] = UNKNOWN),
            says: `ConfigMap "nats/nats-account-${idOf("acme").replace("_", "-")}" key ${ACME_FILE} is unknown during preview; what the NATS server may load must be known so every tenant's account can be checked.`,
        },
    },
    {
        change: "acme's nkey seed copied into a Secret in globex's namespace",
        rule: "isolate-tenant-nats",
        target: "handoff",
        add: (w) => [...w, fixture("kubernetes:core/v1:Secret", "handoff", { apiVersion: "v1", kind: "Secret", metadata: { name: "handoff", namespace: "org-globex", labels: { "tenancy.io/tenant-id": idOf("globex") } }, stringData: { note: "empty" } })],
        apply: (b) => (b.stringData.note = `creds: ${nkeyOf("acme").seed}`),
        says: (n) => `Secret "org-globex/handoff"${n} holds the nkey seed of ${nkeyOf("acme").publicKey}, tenant acme's user, in tenant globex's namespace; that credential may exist only in "org-acme".`,
    },
    {
        change: "a Calico NetworkPolicy (a kind the pack does not know) in acme's namespace",
        rule: "require-known-object-forms",
        target: "acme-calico",
        add: (w) => under(w, "acme", "kubernetes:crd.projectcalico.org/v1:NetworkPolicy", "acme-calico", { apiVersion: "crd.projectcalico.org/v1", kind: "NetworkPolicy", metadata: acmeMeta("allow-all"), spec: { selector: "all()" } }),
        apply: (b) => (b.spec.ingress = [{ action: "Allow" }]),
        startBlocked: true,
        says: (n) => `NetworkPolicy "org-acme/allow-all"${n} of tenant acme is a crd.projectcalico.org/v1 NetworkPolicy, a kind the pack does not know; tenants may declare only built-in Kubernetes kinds and Gateway API objects, which the pack can judge.`,
    },
];

async function findings(fixtures: Fixture[], rule: string): Promise<string[]> {
    return (await runPack(fixtures, CONFIG, RULES.filter((r) => r.name === rule))).map((f) => f.message);
}

describe("every class in every form", () => {
    const cases = ROWS.flatMap((row) => FORMS.filter((form) => !row.skip?.includes(form)).map((form) => [row.change, form, row] as const));

    it.each(cases)("blocks %s, written as %s", async (_change, form, row) => {
        const start = row.add ? row.add(world()) : world();
        const { fixtures, note } = rewrite(start, row.target, form, row.apply);
        expect(await findings(fixtures, row.rule)).toContain(row.says(note));
    });

    it.each(ROWS.filter((r) => r.unknown).map((r) => [r.change, r] as const))("blocks %s when the deciding value is unknown during preview", async (_change, row) => {
        const start = row.add ? row.add(world()) : world();
        const { fixtures } = rewrite(start, row.target, "typed", row.unknown!.apply);
        expect(await findings(fixtures, row.rule)).toContain(row.unknown!.says);
    });

    it.each(ROWS.filter((r) => !r.startBlocked).map((r) => [r.change, r] as const))("passes the stack the class starts from: %s", async (_change, row) => {
        const start = row.add ? row.add(world()) : world();
        expect(await findings(start, row.rule)).toEqual([]);
    });
});
