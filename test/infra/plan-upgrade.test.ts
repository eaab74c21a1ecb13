import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { decodeJwt } from "../../components/nats-jwt";
import { parseAccountConf } from "../../components/nats-server-config";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { installRecordingMocks, runRecorded, type MockedResource } from "../support/pulumi-mocks";
import { makeRegistry, tenantYaml } from "../support/registry-fixture";

const resources: MockedResource[] = installRecordingMocks();

// GIVEN a tenant on the free plan; WHEN its file says standard (and a standard agent limit); THEN
// its class, quota, LimitRange, NATS limits and agent limit change together, in one diff.
const FREE = tenantYaml("beta", "", "org_beta01").replace("plan: standard\nagentLimit: 5", "plan: free\nagentLimit: 2");
const STANDARD = tenantYaml("beta", "", "org_beta01").replace("agentLimit: 5", "agentLimit: 8");

/** Every leaf of a resource's inputs as `path = value`, so two runs compare field by field. */
function leaves(value: unknown, at = ""): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (v: unknown, p: string) => {
        // A NATS account file: its JWT's claims, not the signed text.
        const account = typeof v === "string" ? parseAccountConf(v) : undefined;
        if (account) return walk(decodeJwt(account.jwt).nats, `${p}(account jwt)`);
        if (typeof v === "string" && v.startsWith("{")) {
            try {
                return walk(JSON.parse(v), `${p}(json)`);
            } catch {
                /* a plain string that starts with a brace */
            }
        }
        if (v && typeof v === "object") for (const [k, child] of Object.entries(v)) walk(child, p ? `${p}.${k}` : k);
        else out.set(p, JSON.stringify(v));
    };
    walk(value, at);
    return out;
}

async function plan(tenantFile: string): Promise<Map<string, Map<string, string>>> {
    const { loadRegistry } = await import("../../registry");
    const { declareTenants } = await import("../../infra/program");
    const { stackConfigSchema } = await import("../../infra/config");
    const registry = loadRegistry(makeRegistry({ "beta.yaml": tenantFile }));
    const start = resources.length;
    await runRecorded(resources, async () => {
        await declareTenants({ registry, config: stackConfigSchema.parse({}), secretValues: {}, natsMasterKey: pulumi.secret(TEST_NATS_MASTER_KEY) });
        return {};
    });
    return new Map(resources.slice(start).filter((r) => r.inputs && Object.keys(r.inputs).length > 0).map((r) => [`${r.type}::${r.name}`, leaves(r.inputs)]));
}

function diff(before: Map<string, Map<string, string>>, after: Map<string, Map<string, string>>): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [key, fields] of after) {
        const old = before.get(key) ?? new Map<string, string>();
        const changed = [...new Set([...fields.keys(), ...old.keys()])]
            .filter((f) => fields.get(f) !== old.get(f))
            .sort()
            .map((f) => `${f}: ${old.get(f) ?? "(none)"} -> ${fields.get(f) ?? "(none)"}`);
        if (changed.length) out[key] = changed;
    }
    return out;
}

describe("a free → standard upgrade", () => {
    it("changes the class, quota, LimitRange, NATS limits and agent limit in one diff, and nothing else", async () => {
        const changes = diff(await plan(FREE), await plan(STANDARD));
        expect(changes).toMatchInlineSnapshot(`
          {
            "kubernetes:core/v1:ConfigMap::nats-account-org_beta01": [
              "data.org_beta01.conf(account jwt).limits.conn: 10 -> 50",
              "data.org_beta01.conf(account jwt).limits.payload: 262144 -> 1048576",
              "data.org_beta01.conf(account jwt).limits.subs: 200 -> 2000",
            ],
            "kubernetes:core/v1:LimitRange::beta-limits": [
              "metadata.labels.tier: "free" -> "standard"",
              "spec.limits.0.default.cpu: "1000m" -> "2000m"",
              "spec.limits.0.default.memory: "2Gi" -> "8Gi"",
              "spec.limits.0.defaultRequest.cpu: "250m" -> "500m"",
              "spec.limits.0.defaultRequest.memory: "512Mi" -> "2Gi"",
              "spec.limits.0.max.cpu: "2000m" -> "4000m"",
              "spec.limits.0.max.memory: "4Gi" -> "16Gi"",
            ],
            "kubernetes:core/v1:Namespace::beta-namespace": [
              "metadata.annotations.tenancy.io/agent-limit: "2" -> "8"",
              "metadata.annotations.tenancy.io/plan: "free" -> "standard"",
              "metadata.labels.tier: "free" -> "standard"",
            ],
            "kubernetes:core/v1:ResourceQuota::beta-priority-ceiling": [
              "metadata.labels.tier: "free" -> "standard"",
              "spec.scopeSelector.matchExpressions.0.values.1: "tenancy-standard" -> "tenancy-free"",
            ],
            "kubernetes:core/v1:ResourceQuota::beta-quota": [
              "metadata.labels.tier: "free" -> "standard"",
              "spec.hard.limits.cpu: "4" -> "20"",
              "spec.hard.limits.memory: "16Gi" -> "80Gi"",
              "spec.hard.persistentvolumeclaims: "4" -> "20"",
              "spec.hard.pods: "3" -> "13"",
              "spec.hard.requests.cpu: "2" -> "10"",
              "spec.hard.requests.memory: "8Gi" -> "40Gi"",
              "spec.hard.requests.storage: "20Gi" -> "200Gi"",
            ],
            "kubernetes:core/v1:Secret::beta-nats-credentials": [
              "metadata.labels.tier: "free" -> "standard"",
            ],
            "kubernetes:core/v1:ServiceAccount::beta-agent-sa": [
              "metadata.labels.tier: "free" -> "standard"",
            ],
            "kubernetes:networking.k8s.io/v1:NetworkPolicy::beta-allow-dns": [
              "metadata.labels.tier: "free" -> "standard"",
            ],
            "kubernetes:networking.k8s.io/v1:NetworkPolicy::beta-allow-nats": [
              "metadata.labels.tier: "free" -> "standard"",
            ],
            "kubernetes:networking.k8s.io/v1:NetworkPolicy::beta-allow-same-namespace": [
              "metadata.labels.tier: "free" -> "standard"",
            ],
            "kubernetes:networking.k8s.io/v1:NetworkPolicy::beta-default-deny": [
              "metadata.labels.tier: "free" -> "standard"",
            ],
            "kubernetes:rbac.authorization.k8s.io/v1:Role::beta-platform-agent-manager": [
              "metadata.labels.tier: "free" -> "standard"",
            ],
            "kubernetes:rbac.authorization.k8s.io/v1:Role::beta-secret-reader": [
              "metadata.labels.tier: "free" -> "standard"",
            ],
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::beta-platform-agent-manager": [
              "metadata.labels.tier: "free" -> "standard"",
            ],
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::beta-secret-reader": [
              "metadata.labels.tier: "free" -> "standard"",
            ],
          }
        `);
    });
});
