import type { Tenant } from "./schema";

/** A declared secret key without a value, and the stack config path that sets it. */
export interface MissingSecret {
    /** Name of the declared Secret. */
    secret: string;
    /** Key inside it. */
    key: string;
    /** Config path, e.g. `tenancy:secrets.acme.openai-api.apiKey`. */
    path: string;
}

/** The declared secret keys of a tenant that have no value, in registry order: the one scan every caller uses. */
export function missingSecrets(tenant: Tenant, values: Record<string, Record<string, unknown>> | undefined): MissingSecret[] {
    const missing: MissingSecret[] = [];
    for (const secret of tenant.secrets) {
        for (const key of secret.keys) {
            const value = values?.[secret.name]?.[key];
            if (value === undefined || value === null) missing.push({ secret: secret.name, key, path: secretConfigPath(tenant.slug, secret.name, key) });
        }
    }
    return missing;
}

/**
 * The `pulumi config set --path` path of one secret value. Secret names and keys may contain '.',
 * which a path would read as nesting, so such a segment is written in brackets (`["a.b"]`).
 */
export function secretConfigPath(slug: string, secret: string, key: string): string {
    const segment = (name: string) => (name.includes(".") ? `["${name}"]` : `.${name}`);
    return `tenancy:secrets.${slug}${segment(secret)}${segment(key)}`;
}
