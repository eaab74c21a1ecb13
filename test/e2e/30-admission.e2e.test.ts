// Quota, LimitRange, Pod Security and priority tiers as the API server's admission chain enforces
// them (no kubelet: admitted pods stay Pending, which is all admission needs).
import { describe, expect, inject, it } from "vitest";
import { AGENT_SERVICE_ACCOUNT, namespaceOf, PRIORITY_CEILING_QUOTA, RESOURCE_QUOTA_NAME } from "../../contract";
import { compareQuantities, loadRegistry, parseExactQuantity, type ExactQuantity, type Plan, type Tenant } from "../../registry";
import { ONBOARDED } from "./support/context";
import { adminClient } from "./support/kube";

const e2e = inject("e2e");
const admin = adminClient(e2e.kubeconfigPath);
const registry = loadRegistry(e2e.registryDir);
const entries = registry.entries;
const onboarded = entries.find((e) => e.tenant.slug === ONBOARDED)!;
let counter = 0;

const times = (q: ExactQuantity, n: number): ExactQuantity => ({ ...q, num: q.num * BigInt(n) });
const sameQuantity = (a: string, b: string) => compareQuantities(parseExactQuantity(a)!, parseExactQuantity(b)!) === 0;

/** A pod that the `restricted` Pod Security standard admits, with the given container resources. */
function pod(tenant: Tenant, options: { resources?: object; containers?: number; priorityClassName?: string; privileged?: boolean } = {}) {
    const container = (i: number) => ({
        name: `agent-${i}`,
        image: "registry.example/agent:1",
        ...(options.resources ? { resources: options.resources } : {}),
        securityContext: options.privileged
            ? { privileged: true }
            : { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    });
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `e2e-pod-${++counter}`, namespace: namespaceOf(tenant) },
        spec: {
            serviceAccountName: AGENT_SERVICE_ACCOUNT,
            ...(options.priorityClassName ? { priorityClassName: options.priorityClassName } : {}),
            containers: Array.from({ length: options.containers ?? 1 }, (_, i) => container(i)),
        },
    };
}

async function admitted(object: ReturnType<typeof pod>) {
    const result = await admin.create(object as never);
    if (result.ok) await admin.remove(object as never);
    return result;
}

const activeByPlan = new Map<string, { tenant: Tenant; plan: Plan }>();
for (const e of entries) if (e.tenant.lifecycle === "active" && !activeByPlan.has(e.tenant.plan)) activeByPlan.set(e.tenant.plan, e);

describe("admission, enforced by the real API server", () => {
    it("gives a pod without resources the plan's LimitRange defaults", async () => {
        for (const { tenant, plan } of activeByPlan.values()) {
            const object = pod(tenant);
            const result = await admin.create(object as never);
            expect(result.ok, `${tenant.slug}: ${result.ok ? "" : result.message}`).toBe(true);
            if (!result.ok) continue;
            await admin.remove(object as never);
            const resources = result.object.spec.containers[0].resources;
            // The API server writes quantities in canonical form (2000m becomes 2): compare values.
            for (const [kind, expected] of [["limits", plan.limitRange.default], ["requests", plan.limitRange.defaultRequest]] as const) {
                expect(Object.keys(resources[kind]).sort()).toEqual(["cpu", "memory"]);
                for (const r of ["cpu", "memory"] as const) expect(sameQuantity(resources[kind][r], expected[r]), `${tenant.slug} ${kind}.${r}: ${resources[kind][r]} vs ${expected[r]}`).toBe(true);
            }
        }
    });

    it("refuses a container over the plan's LimitRange maximum", async () => {
        for (const { tenant, plan } of activeByPlan.values()) {
            const over = `${Number.parseInt(plan.limitRange.max.memory, 10) * 2}${plan.limitRange.max.memory.replace(/^\d+/, "")}`;
            const result = await admitted(pod(tenant, { resources: { limits: { cpu: plan.limitRange.max.cpu, memory: over } } }));
            expect(result.ok).toBe(false);
            if (!result.ok) expect(result.message).toContain(`maximum memory usage per Container is ${plan.limitRange.max.memory}, but limit is ${over}`);
        }
    });

    it("refuses a pod whose requests exceed the plan's quota", async () => {
        for (const { tenant, plan } of activeByPlan.values()) {
            const quota = await admin.read({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: RESOURCE_QUOTA_NAME, namespace: namespaceOf(tenant) } });
            const hard = parseExactQuantity(quota!.spec.hard["requests.cpu"])!;
            // Every container at the LimitRange maximum, which LimitRanger admits; together they ask
            // for more CPU than the quota allows, so only the quota can refuse the pod.
            const max = plan.limitRange.max.cpu;
            let containers = 1;
            while (compareQuantities(times(parseExactQuantity(max)!, containers), hard) <= 0) containers++;
            const result = await admitted(pod(tenant, { containers, resources: { requests: { cpu: max }, limits: { cpu: max } } }));
            expect(result.ok).toBe(false);
            if (!result.ok) expect(result.message).toContain(`exceeded quota: ${RESOURCE_QUOTA_NAME}, requested: `);
        }
    });

    it("admits no pod at all in a suspended tenant's namespace", async () => {
        const suspended = entries.filter((e) => e.tenant.lifecycle === "suspended");
        for (const { tenant } of suspended) {
            const result = await admitted(pod(tenant));
            expect(result.ok).toBe(false);
            if (!result.ok) expect(result.message).toContain(`exceeded quota: ${RESOURCE_QUOTA_NAME}, requested: pods=1, used: pods=0, limited: pods=0`);
        }
    });

    it("refuses a privileged pod under the namespace's Pod Security level", async () => {
        const { tenant } = [...activeByPlan.values()][0];
        const result = await admitted(pod(tenant, { privileged: true }));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.message).toContain('violates PodSecurity');
    });

    it("refuses a higher tier's PriorityClass for a lowest-tier tenant and admits its own", async () => {
        const { tenant, plan } = onboarded;
        const higher = Object.values(registry.plans.plans).filter((p) => p.priority > plan.priority);
        expect(higher.length).toBeGreaterThan(0);
        for (const other of higher) {
            const result = await admitted(pod(tenant, { priorityClassName: other.priorityClassName }));
            expect(result.ok, `${other.priorityClassName} was admitted`).toBe(false);
            if (!result.ok) expect(result.message).toContain(`exceeded quota: ${PRIORITY_CEILING_QUOTA}, requested: pods=1, used: pods=0, limited: pods=0`);
        }
        const own = await admitted(pod(tenant, { priorityClassName: plan.priorityClassName }));
        expect(own.ok, own.ok ? "" : own.message).toBe(true);
        if (own.ok) expect(own.object.spec.priority).toBe(plan.priority);
    });

    it("has admitted every tenant's NetworkPolicies (enforcing them needs a CNI this cluster does not run)", async () => {
        for (const { tenant } of entries) {
            const policy = await admin.read({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: namespaceOf(tenant) } });
            expect(policy?.spec.policyTypes).toEqual(["Ingress", "Egress"]);
        }
    });
});
