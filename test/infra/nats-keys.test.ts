import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { deriveUserNkey } from "../../components/nats-keys";
import { TEST_NATS_MASTER_KEY, TEST_NATS_MASTER_KEY_CONFIG } from "../support/nats-master-key";
import { installRecordingMocks, runRecorded, type MockedResource } from "../support/pulumi-mocks";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";

// The program in preview (the mocks run as one) with globex's keys at generation 3 and a stale
// generation for a tenant the registry does not have.
const resources: MockedResource[] = installRecordingMocks();
const warnings: string[] = [];

beforeAll(async () => {
    vi.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => void warnings.push(message));
    pulumi.runtime.setAllConfig(
        { "tenancy:tenantsDir": EXAMPLE_REGISTRY, "tenancy:natsKeyGenerations": JSON.stringify({ globex: 3, ghost: 2 }), ...TEST_NATS_MASTER_KEY_CONFIG },
        ["tenancy:natsMasterKey"],
    );
    await runRecorded(resources, async () => ({ ...(await import("../../infra/index")) }));
});

const seedOf = (slug: string) => {
    const data = resources.find((r) => r.name === `${slug}-nats-credentials`)!.inputs.stringData;
    return (data[pulumi.runtime.specialSigKey] ? data.value : data).NATS_NKEY_SEED as string;
};

describe("the program's NATS keys", () => {
    it("derive each tenant's key from tenancy:natsMasterKey, its org id and its generation in tenancy:natsKeyGenerations", () => {
        expect(seedOf("acme")).toBe(deriveUserNkey(TEST_NATS_MASTER_KEY, "org_7f3k2m9q", 1).seed);
        expect(seedOf("globex")).toBe(deriveUserNkey(TEST_NATS_MASTER_KEY, "org_k4x8p2wn", 3).seed);
        expect(seedOf("globex")).not.toBe(deriveUserNkey(TEST_NATS_MASTER_KEY, "org_k4x8p2wn", 1).seed);
        expect(seedOf("initech")).toBe(deriveUserNkey(TEST_NATS_MASTER_KEY, "org_q9d5t1ze", 1).seed);
    });

    it("give the server's account files as plain, known documents during preview, a rotated tenant's account keeping its identity", async () => {
        const { tenantMaterial, tenantAccountSpec, renderAccountConf, parseNatsMasterKey } = await import("../../components");
        const { loadRegistry } = await import("../../registry");
        const globex = loadRegistry(EXAMPLE_REGISTRY).entries.find((e) => e.tenant.slug === "globex")!;
        const expected = tenantMaterial(tenantAccountSpec(globex.tenant, globex.plan), parseNatsMasterKey(TEST_NATS_MASTER_KEY), 3);
        const file = resources.find((r) => r.name === "nats-account-org_k4x8p2wn")!.inputs.data["org_k4x8p2wn.conf"];
        expect(file).toBe(renderAccountConf(expected.accountPublicKey, expected.accountJwt));
        expect(expected.accountPublicKey).toBe(tenantMaterial(tenantAccountSpec(globex.tenant, globex.plan), parseNatsMasterKey(TEST_NATS_MASTER_KEY), 1).accountPublicKey);
        const conf = resources.find((r) => r.name === "nats-operator")!.inputs.data["operator.conf"];
        expect(typeof conf).toBe("string");
        expect(`${conf}${file}`).not.toContain(TEST_NATS_MASTER_KEY);
    });

    it("warn about a generation for a slug the registry does not have", () => {
        expect(warnings.filter((w) => w.includes("natsKeyGenerations"))).toEqual([
            "tenancy:natsKeyGenerations.ghost names no tenant of the registry; it has no effect (remove it with pulumi config rm --path 'tenancy:natsKeyGenerations.ghost').",
        ]);
    });
});
