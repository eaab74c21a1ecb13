import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { installRecordingMocks, type MockedResource } from "../support/pulumi-mocks";
import { TEST_NATS_MASTER_KEY, TEST_NATS_MASTER_KEY_CONFIG } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY, makeRegistry, tenantYaml } from "../support/registry-fixture";

const resources: MockedResource[] = installRecordingMocks();

/** Runs infra/index.ts with the given stack config and returns the error it fails with. */
async function failureOf(config: Record<string, string>, secretKeys = ["tenancy:secrets", "tenancy:natsMasterKey"]): Promise<Error> {
    vi.resetModules();
    pulumi.runtime.setAllConfig({ "tenancy:tenantsDir": EXAMPLE_REGISTRY, ...TEST_NATS_MASTER_KEY_CONFIG, ...config }, secretKeys);
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

    it("names a bad NATS key generation", async () => {
        const error = await failureOf({ "tenancy:natsKeyGenerations": JSON.stringify({ acme: 0, Globex: 2, initech: 1.5 }) });
        expect(error.message).toBe(
            [
                "invalid stack config:",
                "  tenancy:natsKeyGenerations.acme: must be a whole number ≥ 1",
                "  tenancy:natsKeyGenerations.Globex: must be a tenant slug (a DNS label)",
                "  tenancy:natsKeyGenerations.initech: must be a whole number ≥ 1",
            ].join("\n"),
        );
    });

    it("names a bad shard", async () => {
        expect((await failureOf({ "tenancy:shard": JSON.stringify({ index: 3, count: 3 }) })).message).toBe(
            "invalid stack config:\n  tenancy:shard.index: index must be less than count (shards are numbered from 0)",
        );
        expect((await failureOf({ "tenancy:shard": JSON.stringify({ index: 0, count: 0.5, size: 2 }) })).message).toBe(
            ["invalid stack config:", "  tenancy:shard.count: must be a whole number", '  tenancy:shard: Unrecognized key: "size"'].join("\n"),
        );
    });

    it("names a bad Kubernetes client rate limit", async () => {
        expect((await failureOf({ "tenancy:kubeClient": JSON.stringify({ qps: 0, burst: 2.5, timeout: 3 }) })).message).toBe(
            [
                "invalid stack config:",
                "  tenancy:kubeClient.qps: Too small: expected number to be >0",
                "  tenancy:kubeClient.burst: must be a whole number ≥ 1",
                '  tenancy:kubeClient: Unrecognized key: "timeout"',
            ].join("\n"),
        );
        expect((await failureOf({ "tenancy:kubeClient": JSON.stringify({ qps: 500 }) })).message).toBe("invalid stack config:\n  tenancy:kubeClient.burst: burst must be at least qps");
    });

    it("reads a stack's own Kubernetes client rate limit, each field defaulting on its own", async () => {
        const { readStackConfig } = await import("../../infra/config");
        pulumi.runtime.setAllConfig({ "tenancy:kubeClient": JSON.stringify({ qps: 40, burst: 80 }) }, []);
        expect(readStackConfig().kubeClient).toEqual({ qps: 40, burst: 80 });
        pulumi.runtime.setAllConfig({ "tenancy:kubeClient": JSON.stringify({ burst: 1000 }) }, []);
        expect(readStackConfig().kubeClient).toEqual({ qps: 200, burst: 1000 });
        pulumi.runtime.setAllConfig({}, []);
        expect(readStackConfig().kubeClient).toEqual({ qps: 200, burst: 400 });
    });

    it("narrows only a preview to a plan's tenants: an update with it would delete every other tenant", async () => {
        const { readPlanOnly } = await import("../../infra/config");
        pulumi.runtime.setAllConfig({ "tenancy:planOnlyTenants": JSON.stringify(["org_7f3k2m9q"]) }, []);
        expect(readPlanOnly(true)).toEqual(new Set(["org_7f3k2m9q"]));
        expect(() => readPlanOnly(false)).toThrow(
            new pulumi.RunError("tenancy:planOnlyTenants is set; it narrows a preview for tenancy plan and would make this update delete every other tenant: remove it (pulumi config rm tenancy:planOnlyTenants)."),
        );
        pulumi.runtime.setAllConfig({ "tenancy:planOnlyTenants": '{"org_7f3k2m9q":true}' }, []);
        expect(() => readPlanOnly(true)).toThrow("invalid stack config: tenancy:planOnlyTenants must be a JSON list of org ids");
        pulumi.runtime.setAllConfig({}, []);
        expect(readPlanOnly(false)).toBeUndefined();
    });

    it("says how to create the NATS master key when the stack has none", async () => {
        vi.resetModules();
        pulumi.runtime.setAllConfig({ "tenancy:tenantsDir": EXAMPLE_REGISTRY }, []);
        const error = await import("../../infra/index").then(() => new Error("the program succeeded"), (e: Error) => e);
        expect(error).toBeInstanceOf(pulumi.RunError);
        expect(error.message).toBe(
            "stack config tenancy:natsMasterKey is not set; every NATS key of the stack derives from it. Create it once per stack with\n" +
                "  openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey\nand keep it: another master key gives every tenant new NATS keys.",
        );
    });

    it("refuses a NATS master key stored in clear, too short or not hex/base64, never showing it", async () => {
        const clear = await failureOf({}, ["tenancy:secrets"]);
        expect(clear.message).toBe(
            "stack config tenancy:natsMasterKey is stored in clear; it must be a secret. Replace it with " +
                "pulumi config rm tenancy:natsMasterKey && openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey",
        );
        expect(clear.message).not.toContain(TEST_NATS_MASTER_KEY);
        const short = await failureOf({ "tenancy:natsMasterKey": "ab".repeat(31) });
        expect(short.message).toBe(
            "invalid stack config: tenancy:natsMasterKey holds 31 bytes; it needs at least 32: openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey",
        );
        const garbled = await failureOf({ "tenancy:natsMasterKey": "not a key!" });
        expect(garbled.message).toBe(
            "invalid stack config: tenancy:natsMasterKey is neither hex nor base64; create one with: openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey",
        );
        expect(garbled.message).not.toContain("not a key");
    });

    it("refuses secret values that are not text, without echoing them", async () => {
        const error = await failureOf({ "tenancy:secrets": JSON.stringify({ acme: { "openai-api": { apiKey: 12345 } } }) });
        expect(error.message).toBe("invalid stack config: tenancy:secrets.acme.openai-api.apiKey must be text values at tenancy:secrets.<slug>.<secret>.<key>");
        expect(error.message).not.toContain("12345");
    });
});
