import { afterEach, describe, expect, it } from "vitest";
import type { PolicyDiagnostic, RecordedResource } from "../../../cli/engine";
import { treeOrder } from "../../../cli/engine/monitor";
import { inventory } from "../../../cli/plan/inventory";
import { validateObjects } from "../../../cli/plan/kube-validate";
import { sortDiagnostics } from "../../../cli/plan/policy";
import { tallyResources } from "../../../cli/plan/report";
import { ShardTally } from "../../../cli/plan/shard-tally";
import { DEFAULT_SHARD_SIZE, parseShardSize, pipelineBytes, pipelineCount, shardCount } from "../../../cli/plan/shards";
import { byOrder, orderKeys, stackWideResources, STACK_WIDE_RULE } from "../../../cli/plan/stack-union";
import { loadRegistry } from "../../../registry";
import { EXAMPLE_REGISTRY } from "../../support/registry-fixture";

const registry = loadRegistry(EXAMPLE_REGISTRY);
const STACK = "urn:pulumi:dev::tenancy::pulumi:pulumi:Stack::tenancy-dev";
const OPTIONS = { deletedWith: "", ignoreChanges: [], replaceOnChanges: [], aliases: [], additionalSecretOutputs: [], version: "", pluginDownloadURL: "", importId: "", hideDiffs: [], replaceWith: [], providers: {} };

function component(type: string, name: string, parent = STACK): RecordedResource {
    return { urn: `urn:pulumi:dev::tenancy::${type}::${name}`, type, name, custom: false, parent, provider: "", inputs: {}, outputs: {}, emulated: [], id: "", dependencies: [], propertyDependencies: {}, options: OPTIONS };
}

function object(kind: string, name: string, namespace: string, parent: string, extra: Record<string, unknown> = {}): RecordedResource {
    const inputs = { apiVersion: "v1", kind, metadata: { name, namespace }, ...extra };
    return { ...component(`kubernetes:core/v1:${kind}`, `${namespace}-${name}-${parent.length}`, parent), custom: true, inputs, outputs: inputs };
}

describe("shard sizes and pipelines", () => {
    afterEach(() => {
        delete process.env.TENANCY_PLAN_PIPELINES;
    });

    it("reads --shard-size as a whole number of tenants, at least 1", () => {
        expect(parseShardSize("1")).toEqual({ size: 1 });
        expect(parseShardSize("250")).toEqual({ size: 250 });
        for (const bad of ["0", "-1", "1.5", "1e3", "", "ten"]) expect(parseShardSize(bad)).toEqual({ problem: `--shard-size must be a whole number of tenants, at least 1, not "${bad}" (a size at least the registry's plans it in one pass)` });
    });

    it("splits N tenants into ceil(N / size) shards, one at most the size, at most 256", () => {
        expect(DEFAULT_SHARD_SIZE).toBe(250);
        expect([shardCount(0, 250), shardCount(250, 250), shardCount(251, 250), shardCount(1000, 250), shardCount(10_000, 250), shardCount(10_000, 1)]).toEqual([1, 1, 2, 4, 40, 256]);
    });

    it("runs one pipeline per core, no more than shards or than available memory holds, at least one", () => {
        const gib = 2 ** 30;
        expect(pipelineCount(4, 250, 2, 64 * gib)).toBe(2);
        expect(pipelineCount(1, 250, 8, 64 * gib)).toBe(1);
        expect(pipelineCount(40, 250, 8, 3 * pipelineBytes(250))).toBe(3);
        expect(pipelineCount(40, 250, 8, 0)).toBe(1);
        process.env.TENANCY_PLAN_PIPELINES = "5";
        expect(pipelineCount(40, 250, 2, 64 * gib)).toBe(5);
    });
});

describe("the whole plan's order across shards", () => {
    it("sorts resources of several recordings as the one recording's tree order does, prefixes of URNs included", () => {
        const stack = component("pulumi:pulumi:Stack", "tenancy-dev", "");
        const a = component("tenancy:tenant:Tenant", "a");
        const ab = component("tenancy:tenant:Tenant", "ab");
        const children = [object("ConfigMap", "x", "org-a", a.urn), object("ConfigMap", "y", "org-a", a.urn), object("ConfigMap", "x", "org-ab", ab.urn)];
        const whole = treeOrder([stack, ab, ...children, a]);
        const keys = orderKeys(whole);
        const shuffled = [...whole].reverse().map((r) => ({ order: keys.get(r.urn)!, urn: r.urn }));
        expect(shuffled.sort(byOrder).map((r) => r.urn)).toEqual(whole.map((r) => r.urn));
    });
});

describe("a plan's tally, shard by shard", () => {
    // acme's and globex's resources, a shared ConfigMap, and one object declared twice, in two shards:
    // by acme's component (first in the tree) and by globex's (in acme's namespace, so acme's too).
    const stack = component("pulumi:pulumi:Stack", "tenancy-dev", "");
    const acme = component("tenancy:tenant:Tenant", "acme");
    const globex = component("tenancy:tenant:Tenant", "globex");
    const acmeObjects = [object("ServiceAccount", "sa", "org-acme", acme.urn), object("ConfigMap", "twice", "org-acme", acme.urn), object("ConfigMap", "Bad_Name", "org-acme", acme.urn)];
    const globexObjects = [object("ServiceAccount", "sa", "org-globex", globex.urn), object("ConfigMap", "twice", "org-acme", globex.urn), object("ResourceQuota", "q", "org-globex", globex.urn, { spec: { hard: { pods: "3" } } })];
    const shared = object("ConfigMap", "operator", "nats", stack.urn, { data: { "operator.conf": "x".repeat(40) } });
    const shards = [treeOrder([stack, globex, ...globexObjects]), treeOrder([stack, acme, ...acmeObjects, shared])];
    const whole = inventory(treeOrder([stack, acme, globex, ...acmeObjects, ...globexObjects, shared]), registry);
    const diagnostic = (urn: string, policyName: string, message: string): PolicyDiagnostic =>
        ({ urn, policyName, message, description: "", policyPackName: "tenancy-guard", policyPackVersion: "1", enforcementLevel: "mandatory" }) as PolicyDiagnostic;
    const found = [
        diagnostic(acmeObjects[0].urn, "rule-a", "on acme"),
        diagnostic(globexObjects[2].urn, "rule-b", "on globex"),
        diagnostic("", "rule-c", "stack-wide"),
        diagnostic(shared.urn, STACK_WIDE_RULE, "on operator.conf"),
    ];

    it("equals the tally of the whole plan: counts, quotas, invalid objects with the duplicate across shards, findings", () => {
        const expected = tallyResources(whole, validateObjects(whole), sortDiagnostics([...found]), registry, () => true);
        const tally = new ShardTally(() => true, "nats", new Set(["org-acme", "org-globex", "org-initech"]));
        const byShard = (planned: RecordedResource[]) => found.filter((d) => d.urn === "" || planned.some((r) => r.urn === d.urn));
        // Shard 0 holds the shared objects; its stack-wide finding comes from the run over the union.
        for (const planned of [shards[1], shards[0]]) tally.add({ planned: inventory(planned, registry), diagnostics: byShard(planned), entries: [] });
        // In the whole plan's order: the tenant components with their parent, the ConfigMap outside tenant namespaces.
        const union = [stack, acme, globex, shared].map((r) => r.urn);
        expect(tally.stackWide().map((u) => u.engine.urn)).toEqual(whole.map((r) => r.urn).filter((urn) => union.includes(urn)));
        tally.addStackWide([diagnostic(shared.urn, STACK_WIDE_RULE, "on operator.conf"), diagnostic(acmeObjects[0].urn, "rule-a", "not taken from the union")]);
        const got = tally.finish();
        expect(got.resources).toBe(expected.resources);
        expect(got.kubernetesObjects).toBe(expected.kubernetesObjects);
        expect(got.shared).toEqual(expected.shared);
        expect(new Map([...got.tenants].sort())).toEqual(new Map([...expected.tenants].sort()));
        // The second "twice" is in acme's namespace, so acme's: after acme's own bad name, in the tree's order.
        expect(got.tenants.get("acme")!.invalid.map((i) => [i.object, i.problems.map((p) => p.message)])).toEqual([
            ["ConfigMap org-acme/Bad_Name", ['"Bad_Name" is not a valid ConfigMap name (a DNS subdomain of at most 253 characters)']],
            ["ConfigMap org-acme/twice", [`the same object is already declared by ${acmeObjects[1].urn}`]],
        ]);
        expect(got.tenants.get("acme")!.invalid[1].urn).toBe(globexObjects[1].urn);
        expect(got.tenants.get("globex")!.quota).toEqual({ pods: "3" });
    });

    it("sends the stack-wide check what may span shards: tenant components, Namespaces, ConfigMaps and Secrets outside tenant namespaces, Lists", () => {
        const namespace = { ...object("Namespace", "org-acme", "", acme.urn), type: "kubernetes:core/v1:Namespace" };
        const list = { ...object("ConfigMapList", "l", "org-acme", acme.urn), type: "kubernetes:core/v1:ConfigMapList" };
        const elsewhere = object("Secret", "creds", "platform", acme.urn);
        const mine = object("Secret", "creds", "org-acme", acme.urn, { data: { x: "y".repeat(100) } });
        const planned = inventory(treeOrder([stack, acme, ...acmeObjects, namespace, list, elsewhere, mine]), registry);
        const chosen = stackWideResources(planned, orderKeys(planned), new Set(["org-acme"])).map((u) => u.engine.urn);
        expect(chosen).toEqual(planned.map((r) => r.urn).filter((urn) => [stack.urn, acme.urn, namespace.urn, list.urn, elsewhere.urn].includes(urn)));
    });
});
