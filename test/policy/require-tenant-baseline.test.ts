import { describe, expect, it } from "vitest";
import { requireTenantBaseline } from "../../policy/require-tenant-baseline";
import { byName, CONFIG, world } from "./fixtures";
import { writeRegistry, POLICY_TENANTS } from "./registry";
import { clone, runStackRule, type Fixture } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const QUOTA_RULE = "every tenant namespace needs exactly one unscoped ResourceQuota, its baseline, so that every pod is constrained.";
const without = (resources: Fixture[], name: string) => resources.filter((r) => r !== byName(resources, name));
const run = (resources: Fixture[], config: object = CONFIG) => runStackRule(requireTenantBaseline, resources, config);
const messages = async (resources: Fixture[]) => (await run(resources)).map((r) => r.message);

describe("require-tenant-baseline", () => {
    it("accepts the compliant stack: baseline and priority-ceiling quotas, limits and default-deny of every tenant", async () => {
        expect(await run(world())).toEqual([]);
    });

    it("reports a missing ResourceQuota, LimitRange and default-deny policy", async () => {
        const resources = without(without(without(world(), "acme-quota"), "acme-priority-ceiling"), "globex-limits");
        const ns = (slug: string) => byName(resources, `${slug}-namespace`).urn;
        expect(await run(without(resources, "initech-default-deny"))).toEqual([
            { message: `Tenant namespace "org-acme" (tenant acme) has no ResourceQuota; ${QUOTA_RULE}`, urn: ns("acme") },
            { message: `Tenant namespace "org-globex" (tenant globex) has no LimitRange; every tenant namespace needs exactly one LimitRange.`, urn: ns("globex") },
            {
                message: `Tenant namespace "org-initech" (tenant initech) has no default-deny NetworkPolicy; every tenant namespace needs one with podSelector {}, policyTypes Ingress and Egress and no rules, in every form it is declared.`,
                urn: ns("initech"),
            },
        ]);
    });

    it("reports a namespace whose only quota is scoped, and a second unscoped quota", async () => {
        expect(await messages(without(world(["acme"]), "acme-quota"))).toEqual([`Tenant namespace "org-acme" (tenant acme) has no unscoped ResourceQuota (only priority-ceiling); ${QUOTA_RULE}`]);
        const resources = world(["acme"]);
        const extra = clone(byName(resources, "acme-quota"));
        extra.name = "acme-quota-extra";
        extra.urn += "-extra";
        extra.props.metadata.name = "quota-extra";
        expect(await messages([...resources, extra])).toEqual([`Tenant namespace "org-acme" (tenant acme) has 2 unscoped ResourceQuotas (quota, quota-extra); ${QUOTA_RULE}`]);
    });

    it("counts a Patch whose name is unknown during preview as a quota it cannot place, and says so", async () => {
        const patch = { ...clone(byName(world(["acme"]), "acme-quota")), type: "kubernetes:core/v1:ResourceQuotaPatch", name: "acme-quota-any", urn: "urn:pulumi:dev::tenancy::kubernetes:core/v1:ResourceQuotaPatch::acme-quota-any", parent: undefined };
        patch.props.metadata.name = UNKNOWN;
        patch.props.spec = { hard: { "requests.cpu": "64" } };
        expect(await messages([...world(["acme"]), patch])).toEqual([
            `Tenant namespace "org-acme" (tenant acme) has 2 unscoped ResourceQuotas (quota, (unknown during preview)); ${QUOTA_RULE}`,
            `ResourceQuota "org-acme/(unknown during preview)" (patched by kubernetes:core/v1:ResourceQuotaPatch "acme-quota-any") of tenant acme sets requests.cpu to 64, above the standard plan's ceiling of 10.`,
            `ResourceQuota "org-acme/(unknown during preview)" (patched by kubernetes:core/v1:ResourceQuotaPatch "acme-quota-any") of tenant acme does not set requests.memory; the standard plan caps it at 40Gi.`,
            `ResourceQuota "org-acme/(unknown during preview)" (patched by kubernetes:core/v1:ResourceQuotaPatch "acme-quota-any") of tenant acme does not set limits.cpu; the standard plan caps it at 20.`,
            `ResourceQuota "org-acme/(unknown during preview)" (patched by kubernetes:core/v1:ResourceQuotaPatch "acme-quota-any") of tenant acme does not set limits.memory; the standard plan caps it at 80Gi.`,
            `ResourceQuota "org-acme/(unknown during preview)" (patched by kubernetes:core/v1:ResourceQuotaPatch "acme-quota-any") of tenant acme does not set requests.storage; the standard plan caps it at 200Gi.`,
            `ResourceQuota "org-acme/(unknown during preview)" (patched by kubernetes:core/v1:ResourceQuotaPatch "acme-quota-any") of tenant acme does not set persistentvolumeclaims; the standard plan caps it at 20.`,
            `ResourceQuota "org-acme/(unknown during preview)" (patched by kubernetes:core/v1:ResourceQuotaPatch "acme-quota-any") of tenant acme does not set pods; the standard plan caps it at 15.`,
        ]);
    });

    it("accepts an additional scoped quota that only restricts further", async () => {
        const resources = world(["acme"]);
        const extra = clone(byName(resources, "acme-quota"));
        extra.name = "acme-quota-best-effort";
        extra.urn += "-best-effort";
        extra.props.metadata.name = "best-effort";
        extra.props.spec = { hard: { pods: "2" }, scopes: ["BestEffort"] };
        expect(await run([...resources, extra])).toEqual([]);
    });

    it("reports quota values above the plan, missing, not quantities, or unknown, and accepts equal values in any spelling", async () => {
        const resources = world(["acme"]);
        const quota = byName(resources, "acme-quota");
        quota.props.spec.hard["requests.cpu"] = "10001m";
        quota.props.spec.hard["limits.memory"] = "lots";
        quota.props.spec.hard["requests.storage"] = UNKNOWN;
        delete quota.props.spec.hard.pods;
        quota.props.spec.hard["requests.memory"] = "42949672960";
        quota.props.spec.hard.persistentvolumeclaims = 20;
        expect(await run(resources)).toEqual([
            { message: `ResourceQuota "org-acme/quota" of tenant acme sets requests.cpu to 10001m, above the standard plan's ceiling of 10.`, urn: quota.urn },
            { message: `ResourceQuota "org-acme/quota" of tenant acme sets limits.memory to "lots", which is not a Kubernetes quantity; it must be at most 80Gi.`, urn: quota.urn },
            { message: `ResourceQuota "org-acme/quota" of tenant acme sets requests.storage to a value unknown during preview; it must be known and at most the standard plan's 200Gi.`, urn: quota.urn },
            { message: `ResourceQuota "org-acme/quota" of tenant acme does not set pods; the standard plan caps it at 15.`, urn: quota.urn },
        ]);
    });

    it("takes the ceilings from the registry's plan for the tenant, never from the tier label its objects carry", async () => {
        const resources = world(["acme"]);
        byName(resources, "acme-namespace").props.metadata.labels.tier = "enterprise";
        byName(resources, "acme-quota").props.metadata.labels.tier = "enterprise";
        byName(resources, "acme-quota").props.spec.hard["requests.cpu"] = "40";
        expect(await messages(resources)).toEqual([`ResourceQuota "org-acme/quota" of tenant acme sets requests.cpu to 40, above the standard plan's ceiling of 10.`]);
    });

    it("reports LimitRange max and defaults above the plan, a missing Container item, and an unknown spec", async () => {
        const resources = world(["acme"]);
        const limits = byName(resources, "acme-limits");
        limits.props.spec.limits[0].max.memory = "17Gi";
        limits.props.spec.limits[0].default.cpu = "2.5";
        delete limits.props.spec.limits[0].defaultRequest.memory;
        expect(await messages(resources)).toEqual([
            `LimitRange "org-acme/limits" of tenant acme sets max.memory to 17Gi, above the standard plan's ceiling of 16Gi.`,
            `LimitRange "org-acme/limits" of tenant acme sets default.cpu to 2.5, above the standard plan's ceiling of 2000m.`,
            `LimitRange "org-acme/limits" of tenant acme does not set defaultRequest.memory; the standard plan caps it at 2Gi.`,
        ]);
        limits.props.spec.limits = [{ type: "PersistentVolumeClaim", max: { storage: "10Gi" } }];
        expect(await messages(resources)).toEqual([
            `LimitRange "org-acme/limits" of tenant acme has no Container limits; it must cap containers at the standard plan's max (cpu 4000m, memory 16Gi) and set its defaults.`,
        ]);
        limits.props.spec = UNKNOWN;
        expect(await messages(resources)).toEqual([`LimitRange "org-acme/limits" of tenant acme has spec unknown during preview; its container limits must be known and within the standard plan's.`]);
    });

    it("reports a default-deny policy that is not really default-deny, or unknown during preview", async () => {
        const message = `Tenant namespace "org-acme" (tenant acme) has no default-deny NetworkPolicy; every tenant namespace needs one with podSelector {}, policyTypes Ingress and Egress and no rules, in every form it is declared.`;
        const resources = world(["acme"]);
        byName(resources, "acme-default-deny").props.spec.policyTypes = ["Ingress"];
        expect(await messages(resources)).toEqual([message]);
        byName(resources, "acme-default-deny").props.spec.policyTypes = UNKNOWN;
        expect(await messages(resources)).toEqual([message.replace("default-deny NetworkPolicy;", "default-deny NetworkPolicy known during preview;")]);
    });

    it("fails closed when the registry cannot be loaded or does not list the tenant", async () => {
        const broken = writeRegistry({ ...POLICY_TENANTS, "acme.yaml": POLICY_TENANTS["acme.yaml"].replace("plan: standard", "plan: gold") });
        const noAcme = writeRegistry({ "globex.yaml": POLICY_TENANTS["globex.yaml"] });
        expect((await run(world(["acme"]), { registryDir: noAcme })).map((r) => r.message)).toEqual([
            `Tenant namespace "org-acme" (tenant acme): its quota and LimitRange cannot be checked against its plan because tenant id org_7f3k2m9q is not in the registry at ${noAcme}; the registry must load and list the tenant.`,
        ]);
        const failed = (await run(world(["acme"]), { registryDir: broken })).map((r) => r.message);
        expect(failed).toHaveLength(1);
        expect(failed[0]).toMatch(new RegExp(`^Tenant namespace "org-acme" \\(tenant acme\\): its quota and LimitRange cannot be checked against its plan because the registry at ${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} did not load \\(.*acme\\.yaml:\\d+:\\d+ plan: unknown plan "gold"; allowed: enterprise, free, standard\\); the registry must load and list the tenant\\.$`));
    });

    it("ignores platform namespaces", async () => {
        const ns = { ...clone(byName(world(["acme"]), "acme-namespace")), name: "nats", urn: "urn:pulumi:dev::tenancy::kubernetes:core/v1:Namespace::nats", parent: undefined };
        ns.props.metadata = { name: "nats" };
        expect(await run([...world(["acme"]), ns])).toEqual([]);
    });
});
