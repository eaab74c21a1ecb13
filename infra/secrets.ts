import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { TenantSecretValues } from "../components";

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
