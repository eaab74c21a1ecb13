import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { planSchema, tenantSchema, type Plan, type Tenant } from "../registry";
import {
    CREDENTIAL_ACCOUNT_KEY,
    CREDENTIAL_INBOX_PREFIX_KEY,
    CREDENTIAL_SEED_KEY,
    CREDENTIAL_STATUS_SUBJECT_KEY,
    CREDENTIAL_SUBJECT_PREFIX_KEY,
    CREDENTIAL_URL_KEY,
    NATS_CREDENTIALS_SECRET,
    STATUS_LOCAL_SUBJECT,
} from "../contract";
import { tenantMetadata } from "./labels";
import {
    tenantAccountSpec,
    userNkeyFromBase64,
    type NatsPermissions,
    type NatsTenantAccount,
} from "./nats-spec";

/** Number of random bytes behind an nkey seed (Ed25519 seed size). */
export const NKEY_SEED_BYTES = 32;

/** Checks a NATS client URL: nats://, tls://, ws:// or wss:// with a host; returns a problem or undefined. */
export function natsUrlProblem(url: string): string | undefined {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return `"${url}" is not a URL; expected e.g. nats://nats.nats.svc.cluster.local:4222`;
    }
    if (!["nats:", "tls:", "ws:", "wss:"].includes(parsed.protocol)) return `"${url}" must use nats://, tls://, ws:// or wss://`;
    if (!parsed.hostname) return `"${url}" has no host`;
    if (parsed.username || parsed.password) return `"${url}" must not embed credentials; the nkey in the Secret authenticates`;
    return undefined;
}

/**
 * The `nats-credentials` Secret of a tenant: server URL, the user's nkey seed (secret), account,
 * subject prefix, inbox prefix and status subject. Keys are env-var names for `envFrom`.
 */
export function natsCredentialsSecretSpec(tenant: Pick<Tenant, "id" | "plan" | "slug">, account: NatsTenantAccount, url: string, seed: pulumi.Input<string>) {
    return {
        metadata: tenantMetadata(tenant, NATS_CREDENTIALS_SECRET),
        type: "Opaque",
        stringData: {
            [CREDENTIAL_ACCOUNT_KEY]: account.account,
            [CREDENTIAL_INBOX_PREFIX_KEY]: account.inboxPrefix,
            [CREDENTIAL_SEED_KEY]: pulumi.secret(seed),
            [CREDENTIAL_STATUS_SUBJECT_KEY]: STATUS_LOCAL_SUBJECT,
            [CREDENTIAL_SUBJECT_PREFIX_KEY]: account.subjectPrefix,
            [CREDENTIAL_URL_KEY]: url,
        },
    };
}

/** Arguments of {@link NatsAccount}. */
export interface NatsAccountArgs {
    /** The validated registry entry. */
    tenant: Tenant;
    /** The tenant's plan; its `nats` block gives the account limits. */
    plan: Plan;
    /** How agents reach NATS. */
    nats: {
        /** URL agents connect to. @default "nats://nats.nats.svc.cluster.local:4222" */
        url: string;
    };
}

function validate(args: NatsAccountArgs): void {
    const problems: string[] = [];
    const tenant = tenantSchema.safeParse(args?.tenant);
    if (!tenant.success) problems.push(...tenant.error.issues.map((i) => `${["tenant", ...i.path].join(".")}: ${i.message}`));
    const plan = planSchema.safeParse(args?.plan);
    if (!plan.success) problems.push(...plan.error.issues.map((i) => `${["plan", ...i.path].join(".")}: ${i.message}`));
    const urlProblem = typeof args?.nats?.url === "string" ? natsUrlProblem(args.nats.url) : "nats.url is required";
    if (urlProblem) problems.push(`nats.url: ${urlProblem}`);
    if (problems.length > 0) throw new pulumi.RunError(`invalid NatsAccount arguments:\n  ${problems.join("\n  ")}`);
}

/**
 * The NATS account of one tenant: random bytes kept in state, the nkey user derived from them
 * (same bytes, same key: no diff between runs), and the `nats-credentials` Secret in the tenant's
 * namespace. The server side of the account is rendered by {@link NatsAuthorization}.
 */
export class NatsAccount extends pulumi.ComponentResource {
    /** Account name on the server: the tenant's opaque org id. */
    public readonly accountName: string;
    /** The account without its credential (permissions, imports, limits): known at preview. */
    public readonly spec: NatsTenantAccount;
    /** Publish/subscribe permissions of the tenant's user. */
    public readonly permissions: NatsPermissions;
    /** Public nkey of the tenant's user (not secret; it goes into the server config). */
    public readonly userPublicKey: pulumi.Output<string>;
    /** The random bytes the nkey seed is made of; they live only in (encrypted) state. */
    public readonly key: random.RandomBytes;
    /** The `nats-credentials` Secret in the tenant namespace. */
    public readonly secret: k8s.core.v1.Secret;

    constructor(name: string, args: NatsAccountArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:nats:NatsAccount", name, {}, opts);
        validate(args);
        const { tenant, plan } = args;
        // Component dependsOn is not inherited by children; the Secret must wait for the namespace itself.
        const child = { parent: this, dependsOn: opts?.dependsOn };
        this.spec = tenantAccountSpec(tenant, plan);
        this.accountName = this.spec.account;
        this.permissions = this.spec.permissions;

        this.key = new random.RandomBytes(`${name}-key`, { length: NKEY_SEED_BYTES }, { parent: this });
        const nkey = pulumi.secret(this.key.base64).apply(userNkeyFromBase64);
        // A public key is public: unsecret it, or the server config (a ConfigMap) would be hidden in every diff.
        this.userPublicKey = pulumi.unsecret(nkey.apply((k) => k.publicKey));
        const seed = pulumi.secret(nkey.apply((k) => k.seed));

        this.secret = new k8s.core.v1.Secret(`${name}-credentials`, natsCredentialsSecretSpec(tenant, this.spec, args.nats.url, seed), {
            ...child,
            additionalSecretOutputs: ["data", "stringData"],
        });
        this.registerOutputs({ accountName: this.accountName, userPublicKey: this.userPublicKey });
    }
}
