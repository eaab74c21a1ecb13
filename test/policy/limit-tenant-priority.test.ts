import { describe, expect, it } from "vitest";
import { limitTenantPriority } from "../../policy/limit-tenant-priority";
import { byName, CONFIG, idOf, world } from "./fixtures";
import { fixture, runStackRule, type Fixture } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const MUST = (plan: string, above: string) => `it must allow "0" pods in every tenancy PriorityClass above the ${plan} plan (${above}), selected by scopeSelector PriorityClass In, with no other scope.`;
const run = (resources: Fixture[], config: object = CONFIG) => runStackRule(limitTenantPriority, resources, config);
const messages = async (resources: Fixture[]) => (await run(resources)).map((r) => r.message);
const withoutClasses = (resources: Fixture[]) => resources.filter((f) => !f.type.endsWith(":PriorityClass"));

function pod(slug: string, priorityClassName: unknown): Fixture {
    const parent = { urn: `urn:pulumi:dev::tenancy::tenancy:tenant:Tenant::${slug}` } as Fixture;
    return fixture("kubernetes:core/v1:Pod", `${slug}-debug`, {
        apiVersion: "v1", kind: "Pod",
        metadata: { name: "debug", namespace: `org-${slug}`, labels: { "tenancy.io/tenant-id": idOf(slug) } },
        spec: { priorityClassName, containers: [{ name: "sh", image: "busybox" }] },
    }, parent);
}

describe("limit-tenant-priority", () => {
    it("accepts the compliant stack: classes with the registry's values, a ceiling per tenant below the top plan", async () => {
        expect(await run(world())).toEqual([]);
    });

    it("checks tenants against the registry's classes even when another stack declares the PriorityClasses", async () => {
        // A shard that declares no shared objects: the ceilings still come from the plan catalog.
        const resources = withoutClasses(world(["acme"]));
        expect(await messages(resources)).toEqual([]);
        const reported = await messages([...resources.filter((f) => !f.name.endsWith("-priority-ceiling")), pod("acme", "tenancy-enterprise")]);
        expect(reported).toEqual([
            'Tenant namespace "org-acme" (tenant acme) has no ResourceQuota "priority-ceiling"; it must allow "0" pods in every tenancy PriorityClass above the standard plan (tenancy-enterprise), selected by scopeSelector PriorityClass In, with no other scope.',
            'Pod "org-acme/debug" of tenant acme names priorityClassName "tenancy-enterprise" (spec.priorityClassName); tenant acme on the standard plan may use only tenancy-free, tenancy-standard.',
        ]);
    });

    it("reports a missing ceiling, one that allows pods, misses a class or can be dodged by another scope", async () => {
        const resources = world(["initech"]);
        const ceiling = byName(resources, "initech-priority-ceiling");
        const say = (problem: string) => `ResourceQuota "org-initech/priority-ceiling" of tenant initech ${problem}; ${MUST("free", "tenancy-enterprise, tenancy-standard")}`;
        ceiling.props.spec.scopeSelector.matchExpressions[0].values = ["tenancy-enterprise"];
        expect(await messages(resources)).toEqual([say("does not cover tenancy-standard")]);
        ceiling.props.spec.scopeSelector.matchExpressions.push({ scopeName: "PriorityClass", operator: "NotIn", values: ["tenancy-standard"] });
        ceiling.props.spec.scopeSelector.matchExpressions[0].values = ["tenancy-enterprise", "tenancy-standard"];
        expect(await messages(resources)).toEqual([say("does not cover tenancy-standard")]);
        ceiling.props.spec.scopeSelector.matchExpressions = [{ scopeName: "PriorityClass", operator: "Exists" }, { scopeName: "Terminating", operator: "Exists" }];
        expect(await messages(resources)).toEqual([say("also selects by Terminating, which pods can avoid")]);
        ceiling.props.spec = { hard: { pods: "1" }, scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "Exists" }] } };
        expect(await messages(resources)).toEqual([say("allows 1 pods")]);
        ceiling.props.spec.hard.pods = UNKNOWN;
        expect(await messages(resources)).toEqual([say("has spec.hard.pods unknown during preview")]);
        expect(await messages(resources.filter((f) => f !== ceiling))).toEqual([`Tenant namespace "org-initech" (tenant initech) has no ResourceQuota "priority-ceiling"; ${MUST("free", "tenancy-enterprise, tenancy-standard")}`]);
    });

    it("accepts a ceiling written another way that keeps every class above out, and needs none on the top plan", async () => {
        const resources = world();
        byName(resources, "initech-priority-ceiling").props.spec.scopeSelector.matchExpressions = [{ scopeName: "PriorityClass", operator: "NotIn", values: ["tenancy-free"] }];
        byName(resources, "acme-priority-ceiling").props.spec.hard.pods = "0m";
        expect(await run(resources.filter((f) => f.name !== "globex-priority-ceiling"))).toEqual([]);
    });

    it("reports tenant objects that name a class above their plan, one it does not know, or one unknown during preview", async () => {
        const rule = "tenant acme on the standard plan may use only tenancy-free, tenancy-standard.";
        const resources = [...world(), pod("acme", "tenancy-enterprise")];
        expect(await messages(resources)).toEqual([`Pod "org-acme/debug" of tenant acme names priorityClassName "tenancy-enterprise" (spec.priorityClassName); ${rule}`]);
        expect(await messages([...world(), pod("acme", "system-cluster-critical")])).toEqual([
            `Pod "org-acme/debug" of tenant acme names priorityClassName "system-cluster-critical" (spec.priorityClassName); ${rule}`,
        ]);
        expect(await messages([...world(), pod("acme", UNKNOWN)])).toEqual([`Pod "org-acme/debug" of tenant acme names a priorityClassName unknown during preview (spec.priorityClassName); ${rule}`]);
        expect(await run([...world(), pod("acme", "tenancy-free"), pod("globex", "tenancy-enterprise")])).toEqual([]);
    });

    it("reports a tenancy class with another value than the registry's, or made the global default", async () => {
        const resources = world(["acme"]);
        const free = byName(resources, "plan-priority-free");
        free.props.value = 1000000;
        const standard = byName(resources, "plan-priority-standard");
        standard.props.globalDefault = UNKNOWN;
        expect(await messages(resources)).toEqual([
            `PriorityClass "tenancy-free" has value 1000000; the free plan's class must have the registry's priority 1000.`,
            `PriorityClass "tenancy-standard" is possibly the cluster's global default; no PriorityClass may be, or every pod that names none would run at its priority.`,
        ]);
    });

    it("fails closed when the registry does not load", async () => {
        const missing = `${CONFIG.registryDir}-missing`;
        const reported = await run(world(["acme"]), { registryDir: missing });
        expect(reported.map((r) => r.message)).toEqual([
            `The registry at ${missing} did not load (${missing}:1:1 (file): registry directory not found; pass --tenants DIR); the pack needs its plan catalog to tell which PriorityClasses are above each tenant's plan.`,
        ]);
    });
});
