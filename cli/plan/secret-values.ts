import { missingSecrets, type Registry } from "../../registry";
import type { StackConfigFiles } from "./stack-config";

/** A declared secret key whose value the stack file does not give in clear. */
export interface UnreadableSecret {
    /** Tenant slug. */
    tenant: string;
    /** Declared Secret name. */
    secret: string;
    /** Key inside it. */
    key: string;
    /** Config path, `tenancy:secrets.<slug>.<secret>.<key>`. */
    path: string;
    /** `missing`: not in the stack file, so `pulumi up` does not create the Secret yet; `encrypted`: set, but only the secrets provider can read it. */
    state: "missing" | "encrypted";
}

/** A declared secret value `tenancy plan` could not read, as reported. */
export interface ReportedSecret {
    /** Config path, `tenancy:secrets.<slug>.<secret>.<key>`. */
    path: string;
    /** Why it is unavailable and what the plan did about it. */
    reason: string;
    /** Tenant slug. */
    tenant: string;
    /** Declared Secret the value belongs to. */
    secret: string;
    /** `missing`: the Secret is not planned (nor created by pulumi up); `encrypted`: planned with a placeholder. */
    state: UnreadableSecret["state"];
}

/** Secret values as the stack file holds them, and the declared keys it does not give in clear. */
export interface SecretValueScan {
    /** `tenancy:secrets` as readable here: slug → secret → key → value. */
    values: Record<string, Record<string, Record<string, unknown>>>;
    /** Declared keys not set or encrypted, in registry order. */
    unreadable: UnreadableSecret[];
    /** True when `tenancy:secrets` is not a readable object (then nothing could be checked). */
    malformed: boolean;
}

/**
 * Compares the registry's declared secret keys with the stack file, using the registry's one scan
 * (`missingSecrets`): each key is readable, encrypted (`secure:`, set but unreadable without the
 * secrets provider) or missing.
 */
export function scanSecretValues(files: StackConfigFiles, registry: Registry): SecretValueScan {
    let values: SecretValueScan["values"];
    try {
        values = JSON.parse(files.config["tenancy:secrets"] ?? "{}");
    } catch {
        return { values: {}, unreadable: [], malformed: true };
    }
    if (typeof values !== "object" || values === null || Array.isArray(values)) return { values: {}, unreadable: [], malformed: true };
    const encrypted = new Set(files.encrypted);
    const unreadable: UnreadableSecret[] = [];
    for (const { tenant } of registry.entries) {
        const own = values[tenant.slug];
        for (const m of missingSecrets(tenant, typeof own === "object" && own !== null ? own : undefined)) {
            unreadable.push({ tenant: tenant.slug, secret: m.secret, key: m.key, path: m.path, state: encrypted.has(m.path) ? "encrypted" : "missing" });
        }
    }
    return { values, unreadable, malformed: false };
}

/** The command that sets one secret value; without a value, so pulumi prompts and it never lands in shell history. */
export function configSetCommand(stack: string, path: string): string {
    return `pulumi config set --stack ${stack} --secret --path '${path}'`;
}
