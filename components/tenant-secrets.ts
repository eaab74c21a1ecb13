import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { missingSecrets, type Tenant } from "../registry";
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
    /** Values for every declared secret key; the program checks completeness before building. */
    values: TenantSecretValues;
}

/** The tenant's declared Secrets, one Kubernetes Secret each. */
export class TenantSecrets extends pulumi.ComponentResource {
    /** The Secrets, keyed by their Kubernetes name. */
    public readonly secrets: Record<string, k8s.core.v1.Secret>;

    constructor(name: string, args: TenantSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:tenant:TenantSecrets", name, {}, opts);
        // Component dependsOn is not inherited by children; they must wait for the namespace themselves.
        const child = { parent: this, dependsOn: opts?.dependsOn };
        const missing = missingSecrets(args.tenant, args.values);
        if (missing.length > 0) throw new pulumi.RunError(`missing secret config values: ${missing.map((m) => m.path).join(", ")}`);
        this.secrets = {};
        for (const secret of args.tenant.secrets) {
            const values = Object.fromEntries(secret.keys.map((key) => [key, args.values[secret.name][key]]));
            this.secrets[secret.name] = new k8s.core.v1.Secret(`${name}-${secret.name}`, secretSpec(args.tenant, secret.name, values), { ...child, additionalSecretOutputs: ["data", "stringData"] });
        }
        this.registerOutputs({});
    }
}
