import { describe, expect, it } from "vitest";
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
    await runRecorded(resources, () => {
        declareTenants({ registry: loadRegistry(EXAMPLE_REGISTRY), config: stackConfigSchema.parse({}), secretValues });
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
        // 63 tenant objects + 3 × (NatsAccount, RandomBytes, Secret) + NatsAuthorization with its RandomBytes, Secret and two
        // ConfigMaps + PlanPriorityClasses with one PriorityClass per plan.
        expect(first.length).toBe(81);
        expect(second).toEqual(first);
    });
});
