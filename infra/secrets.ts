import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseNatsMasterKey, type TenantSecretValues } from "../components";
import { NATS_MASTER_KEY_COMMAND, NATS_MASTER_KEY_CONFIG } from "../contract";

/** Shape of `tenancy:secrets`: slug → secret name → key → value. */
const secretValuesSchema = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.string())));

/**
 * Reads the tenants' secret values from the `tenancy:secrets` stack config object
 * (`pulumi config set --secret --path 'tenancy:secrets.<slug>.<secret>.<key>' <value>`).
 * Values are returned as plain strings here and wrapped with pulumi.secret by the components.
 */
export function readSecretValues(): Record<string, TenantSecretValues> {
    const text = pulumi.runtime.getConfig("tenancy:secrets");
    if (text === undefined) return {};
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new pulumi.RunError("invalid stack config: tenancy:secrets must be an object; set values with pulumi config set --secret --path 'tenancy:secrets.<slug>.<secret>.<key>' <value>");
    }
    const result = secretValuesSchema.safeParse(parsed);
    if (!result.success) {
        // Never echo the values: only where the shape is wrong.
        const where = result.error.issues.map((i) => `tenancy:secrets.${i.path.join(".")}`).join(", ");
        throw new pulumi.RunError(`invalid stack config: ${where} must be text values at tenancy:secrets.<slug>.<secret>.<key>`);
    }
    return result.data;
}

// The SDK knows which config keys were `secure:` in the stack file; it keeps the check internal.
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;

/**
 * Reads `tenancy:natsMasterKey`, the secret every NATS key derives from: it must be set, stored as a
 * secret and hold at least 32 bytes (hex or base64). Every message says how to create it and none
 * shows the value; the result is a secret Output.
 */
export function readNatsMasterKey(config: pulumi.Config = new pulumi.Config("tenancy")): pulumi.Output<string> {
    const text = pulumi.runtime.getConfig(NATS_MASTER_KEY_CONFIG);
    if (text === undefined) {
        throw new pulumi.RunError(
            `stack config ${NATS_MASTER_KEY_CONFIG} is not set; every NATS key of the stack derives from it. Create it once per stack with\n` +
                `  ${NATS_MASTER_KEY_COMMAND}\nand keep it: another master key gives every tenant new NATS keys.`,
        );
    }
    if (isConfigSecret && !isConfigSecret(NATS_MASTER_KEY_CONFIG)) {
        throw new pulumi.RunError(
            `stack config ${NATS_MASTER_KEY_CONFIG} is stored in clear; it must be a secret. Replace it with ` +
                `pulumi config rm ${NATS_MASTER_KEY_CONFIG} && ${NATS_MASTER_KEY_COMMAND}`,
        );
    }
    try {
        parseNatsMasterKey(text);
    } catch (error) {
        throw new pulumi.RunError(`invalid stack config: ${(error as Error).message}`);
    }
    return config.requireSecret("natsMasterKey");
}
