import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { installRecordingMocks, type MockedResource } from "../support/pulumi-mocks";
import { EXAMPLE_REGISTRY, makeRegistry, tenantYaml } from "../support/registry-fixture";

const resources: MockedResource[] = installRecordingMocks();

/** Runs infra/index.ts with the given stack config and returns the error it fails with. */
async function failureOf(config: Record<string, string>): Promise<Error> {
    vi.resetModules();
    pulumi.runtime.setAllConfig({ "tenancy:tenantsDir": EXAMPLE_REGISTRY, ...config }, ["tenancy:secrets"]);
    try {
        // Outside a stack on purpose: every check must fail before the first registration.
        await import("../../infra/index");
    } catch (error) {
        return error as Error;
    }
    throw new Error("the program succeeded");
}

beforeEach(() => {
    resources.length = 0;
});

describe("program errors", () => {
    it("fails on an invalid registry with the validator's list, without a stack trace", async () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme").replace("plan: standard", "plan: gold") });
        const error = await failureOf({ "tenancy:tenantsDir": dir });
        expect(error).toBeInstanceOf(pulumi.RunError);
        expect(error.message).toBe(`1 problem in the tenant registry:\n${dir}/acme.yaml:5:7 plan: unknown plan "gold"; allowed: enterprise, free, standard`);
    });

    it("names every bad stack config key", async () => {
        const error = await failureOf({
            "tenancy:nats": JSON.stringify({ namespace: "NATS", port: 70000 }),
            "tenancy:platformController": JSON.stringify({ serviceAcount: "x" }),
        });
        expect(error.message).toBe(
            [
                "invalid stack config:",
                "  tenancy:platformController: Unrecognized key: \"serviceAcount\"",
                "  tenancy:nats.namespace: must be a DNS label",
                "  tenancy:nats.port: Too big: expected number to be <=65535",
            ].join("\n"),
        );
    });

    it("refuses secret values that are not text, without echoing them", async () => {
        const error = await failureOf({ "tenancy:secrets": JSON.stringify({ acme: { "openai-api": { apiKey: 12345 } } }) });
        expect(error.message).toBe("invalid stack config: tenancy:secrets.acme.openai-api.apiKey must be text values at tenancy:secrets.<slug>.<secret>.<key>");
        expect(error.message).not.toContain("12345");
    });
});
