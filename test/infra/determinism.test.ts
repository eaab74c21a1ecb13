import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { installRecordingMocks, runRecorded, type MockedResource } from "../support/pulumi-mocks";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";

const resources: MockedResource[] = installRecordingMocks();

const secretValues = {
    acme: { "openai-api": { apiKey: "k1" }, "github-app": { appId: "1", privateKey: "p" } },
    globex: { "anthropic-api": { apiKey: "k2" } },
};

/** Runs the program over a freshly loaded registry and returns its registrations in a canonical order. */
async function run(): Promise<string[]> {
    const { loadRegistry } = await import("../../registry");
    const { declareTenants } = await import("../../infra/program");
    const { stackConfigSchema } = await import("../../infra/config");
    const start = resources.length;
    await runRecorded(resources, async () => {
        await declareTenants({ registry: loadRegistry(EXAMPLE_REGISTRY), config: stackConfigSchema.parse({}), secretValues, natsMasterKey: pulumi.secret(TEST_NATS_MASTER_KEY) });
        return {};
    });
    return resources
        .slice(start)
        .map((r) => JSON.stringify(r))
        .sort();
}

describe("determinism", () => {
    it("registers identical resources, inputs and options on two runs, so pulumi up shows no spurious diff", async () => {
        const first = await run();
        const second = await run();
        // 63 tenant objects + 3 × (NatsAccount, Secret) + NatsAuthorization with its Secret, operator.conf and one account ConfigMap
        // per tenant + PlanPriorityClasses with one PriorityClass per plan. The NATS keys and JWTs derive from the master key (fixed
        // iat): no random resource, nothing in state decides them.
        expect(first.length).toBe(79);
        expect(first.filter((r) => r.includes('"type":"random:'))).toEqual([]);
        expect(second).toEqual(first);
    });
});
