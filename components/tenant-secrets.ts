import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { missingSecrets, type MissingSecret, type Tenant } from "../registry";
import { tenantMetadata } from "./labels";

/** Values of one tenant's secrets: secret name → key → value (secret outputs from stack config). */
export type TenantSecretValues = Record<string, Record<string, pulumi.Input<string>>>;

/** One declared Secret of the tenant, with its values marked secret so they never reach plain state or logs. */
export function secretSpec(tenant: Tenant, name: string, values: Record<string, pulumi.Input<string>>) {
    const stringData: Record<string, pulumi.Output<string>> = {};
    for (const key of Object.keys(values).sort()) stringData[key] = pulumi.secret(values[key]);
    return { metadata: tenantMetadata(tenant, name), type: "Opaque", stringData };
}

/** Arguments of {@link TenantSecrets}. */
export interface TenantSecretsArgs {
    /** The validated tenant entry. */
    tenant: Tenant;
    /** Values of the declared secret keys that are set; a Secret missing any of its values is not created yet. */
    values: TenantSecretValues;
}

/**
 * The tenant's declared Secrets, one Kubernetes Secret each. A Secret whose values are not all set
 * is left out (never created half-filled) until they are; the rest of the tenant does not wait.
 */
export class TenantSecrets extends pulumi.ComponentResource {
    /** The Secrets created, keyed by their Kubernetes name. */
    public readonly secrets: Record<string, k8s.core.v1.Secret>;
    /** Declared keys without a value, whose Secrets wait for them. */
    public readonly missing: MissingSecret[];

    constructor(name: string, args: TenantSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:tenant:TenantSecrets", name, {}, opts);
        // Component dependsOn is not inherited by children; they must wait for the namespace themselves.
        const child = { parent: this, dependsOn: opts?.dependsOn };
        this.missing = missingSecrets(args.tenant, args.values);
        const waiting = new Set(this.missing.map((m) => m.secret));
        this.secrets = {};
        for (const secret of args.tenant.secrets) {
            if (waiting.has(secret.name)) continue;
            const values = Object.fromEntries(secret.keys.map((key) => [key, args.values[secret.name][key]]));
            this.secrets[secret.name] = new k8s.core.v1.Secret(`${name}-${secret.name}`, secretSpec(args.tenant, secret.name, values), { ...child, additionalSecretOutputs: ["data", "stringData"] });
        }
        this.registerOutputs({});
    }
}
