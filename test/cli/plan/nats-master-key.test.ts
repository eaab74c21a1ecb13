import { describe, expect, it } from "vitest";
import { emulatedMasterKey, masterKeyConfig, masterKeyLine, masterKeyState } from "../../../cli/plan/master-key";
import type { StackConfigFiles } from "../../../cli/plan/stack-config";
import { parseNatsMasterKey } from "../../../components/nats-keys";

const files = (config: Record<string, string>, encrypted: string[] = []): StackConfigFiles => ({
    project: "tenancy", stackFile: "Pulumi.prod.yaml", config, secretKeys: encrypted, encrypted,
});
const planKey = Buffer.alloc(32, 3);

describe("tenancy plan and tenancy:natsMasterKey", () => {
    it("emulates an encrypted master key with a valid key derived from the plan key, as a secret", () => {
        const encrypted = files({}, ["tenancy:natsMasterKey"]);
        expect(masterKeyState(encrypted)).toBe("encrypted");
        const key = emulatedMasterKey(planKey);
        expect(parseNatsMasterKey(key).length).toBe(32);
        expect(emulatedMasterKey(planKey)).toBe(key);
        expect(emulatedMasterKey(Buffer.alloc(32, 4))).not.toBe(key);
        expect(masterKeyConfig(encrypted, planKey)).toEqual({ config: { "tenancy:natsMasterKey": key }, secretKeys: ["tenancy:natsMasterKey"] });
        expect(masterKeyLine("encrypted", "Pulumi.prod.yaml")).toBe(
            "tenancy:natsMasterKey is encrypted in Pulumi.prod.yaml, which plan cannot decrypt: it is emulated by a key derived from the per-machine plan key; " +
                "every NATS key (public keys, seeds, credentials) is derived from it exactly as `pulumi up` derives them from the real one, so they are not the deployed keys",
        );
    });

    it("emulates a missing master key too, and says that pulumi stops until it is set", () => {
        const missing = files({ "tenancy:kubeContext": "kind" });
        expect(masterKeyState(missing)).toBe("missing");
        expect(masterKeyConfig(missing, planKey).config).toEqual({ "tenancy:natsMasterKey": emulatedMasterKey(planKey) });
        expect(masterKeyLine("missing", "Pulumi.dev.yaml")).toContain(
            "`pulumi preview` and `pulumi up` stop until it is set: openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey",
        );
    });

    it("passes a master key stored in clear to the program unchanged, which refuses it", () => {
        const clear = files({ "tenancy:natsMasterKey": "ab".repeat(32) });
        expect(masterKeyState(clear)).toBe("clear");
        expect(masterKeyConfig(clear, planKey)).toEqual({ config: {}, secretKeys: [] });
        expect(masterKeyLine("clear", "Pulumi.prod.yaml")).toBeUndefined();
    });
});
