import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { installRecordingMocks, runRecorded, type MockedResource } from "../support/pulumi-mocks";
import { TEST_NATS_MASTER_KEY_CONFIG } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";

// The example registry with only acme's openai-api value set: acme's github-app (two keys) and
// globex's anthropic-api wait for theirs, initech declares none.
const resources: MockedResource[] = installRecordingMocks();
const warnings: string[] = [];
let outputs: Record<string, unknown> | undefined;

beforeAll(async () => {
    vi.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => void warnings.push(message));
    pulumi.runtime.setAllConfig(
        { "tenancy:tenantsDir": EXAMPLE_REGISTRY, "tenancy:secrets": JSON.stringify({ acme: { "openai-api": { apiKey: "sk-set-acme" } } }), ...TEST_NATS_MASTER_KEY_CONFIG },
        ["tenancy:secrets", "tenancy:natsMasterKey"],
    );
    outputs = await runRecorded(resources, async () => ({ ...(await import("../../infra/index")) }));
});

const kubeOf = (slug: string) => resources.filter((r) => r.type.startsWith("kubernetes:") && r.name.startsWith(`${slug}-`)).map((r) => `${r.type.split(":")[2]} ${r.name}`).sort();

describe("a stack whose declared secret values are not all set", () => {
    it("creates every object of the tenant but the Secrets that miss a value", () => {
        expect(kubeOf("acme").filter((k) => k.startsWith("Secret "))).toEqual(["Secret acme-nats-credentials", "Secret acme-openai-api"]);
        expect(kubeOf("globex").filter((k) => k.startsWith("Secret "))).toEqual(["Secret globex-nats-credentials"]);
        // Everything else is there: namespace, quotas, limits, access, network policies, NATS.
        const rest = (slug: string) => kubeOf(slug).filter((k) => !k.startsWith("Secret ")).map((k) => k.replace(`${slug}-`, ""));
        expect(rest("acme")).toEqual(rest("initech").concat("NetworkPolicy allow-egress-cidrs").sort());
        expect(rest("acme")).toContain("Namespace namespace");
        expect(rest("acme")).toContain("Role secret-reader");
    });

    it("still lets the agents' Role name every declared Secret, so the waiting ones are readable once created", () => {
        const role = resources.find((r) => r.name === "acme-secret-reader" && r.type.endsWith(":Role"))!;
        expect(role.inputs.rules[0].resourceNames).toEqual(["github-app", "nats-credentials", "openai-api"]);
    });

    it("warns once per tenant, naming the missing config paths and never a value", () => {
        expect(warnings).toEqual([
            "tenant acme: 2 declared secret values are not set, so Secret github-app is not created yet (every other object of the tenant is): " +
                "tenancy:secrets.acme.github-app.appId, tenancy:secrets.acme.github-app.privateKey. Set each with pulumi config set --secret --path '<path>' " +
                "(npx tenancy secrets acme prints the commands), then run pulumi up again.",
            "tenant globex: 1 declared secret value is not set, so Secret anthropic-api is not created yet (every other object of the tenant is): " +
                "tenancy:secrets.globex.anthropic-api.apiKey. Set each with pulumi config set --secret --path '<path>' " +
                "(npx tenancy secrets globex prints the commands), then run pulumi up again.",
        ]);
        expect(warnings.join("\n")).not.toContain("sk-set-acme");
    });

    it("exports the missing config paths as the stack output missingSecrets", () => {
        expect(outputs?.missingSecrets).toEqual([
            "tenancy:secrets.acme.github-app.appId",
            "tenancy:secrets.acme.github-app.privateKey",
            "tenancy:secrets.globex.anthropic-api.apiKey",
        ]);
        expect(JSON.stringify(outputs)).not.toContain("sk-set-acme");
    });
});
