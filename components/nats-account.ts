import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { planSchema, tenantSchema, type Plan, type Tenant } from "../registry";
import {
    CREDENTIAL_ACCOUNT_KEY,
    CREDENTIAL_CREDS_KEY,
    CREDENTIAL_INBOX_PREFIX_KEY,
    CREDENTIAL_SEED_KEY,
    CREDENTIAL_STATUS_SUBJECT_KEY,
    CREDENTIAL_SUBJECT_PREFIX_KEY,
    CREDENTIAL_URL_KEY,
    NATS_CREDENTIALS_SECRET,
    STATUS_LOCAL_SUBJECT,
} from "../contract";
import { tenantMetadata } from "./labels";
import { parseNatsMasterKey } from "./nats-keys";
import { tenantMaterial } from "./nats-material";
import { tenantAccountSpec, type NatsPermissions, type NatsTenantAccount } from "./nats-spec";

/** Where a NATS account's keys come from: the stack's master key and the owner's key generation. */
export interface NatsKeySource {
    /** The master key text (`tenancy:natsMasterKey`, hex or base64); a secret Output in the program. */
    masterKey: pulumi.Input<string>;
    /** Generation of the keys (≥ 1); raising it gives new keys. @default 1 */
    generation?: number;
}

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
    if (parsed.username || parsed.password) return `"${url}" must not embed credentials; the credentials in the Secret authenticate`;
    return undefined;
}

/**
 * The `nats-credentials` Secret of a tenant: server URL, the user's `.creds` file (JWT and seed) and
 * nkey seed (both secret), account, subject prefix, inbox prefix and status subject. Keys are
 * env-var names for `envFrom`; mount NATS_CREDS as a file for clients that read a creds file.
 */
export function natsCredentialsSecretSpec(
    tenant: Pick<Tenant, "id" | "plan" | "slug">,
    account: NatsTenantAccount,
    url: string,
    credentials: { seed: pulumi.Input<string>; creds: pulumi.Input<string> },
) {
    return {
        metadata: tenantMetadata(tenant, NATS_CREDENTIALS_SECRET),
        type: "Opaque",
        stringData: {
            [CREDENTIAL_ACCOUNT_KEY]: account.account,
            [CREDENTIAL_CREDS_KEY]: pulumi.secret(credentials.creds),
            [CREDENTIAL_INBOX_PREFIX_KEY]: account.inboxPrefix,
            [CREDENTIAL_SEED_KEY]: pulumi.secret(credentials.seed),
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
    /** The master key and this tenant's key generation. */
    keys: NatsKeySource;
}

function validate(args: NatsAccountArgs): void {
    const problems: string[] = [];
    const tenant = tenantSchema.safeParse(args?.tenant);
    if (!tenant.success) problems.push(...tenant.error.issues.map((i) => `${["tenant", ...i.path].join(".")}: ${i.message}`));
    const plan = planSchema.safeParse(args?.plan);
    if (!plan.success) problems.push(...plan.error.issues.map((i) => `${["plan", ...i.path].join(".")}: ${i.message}`));
    const urlProblem = typeof args?.nats?.url === "string" ? natsUrlProblem(args.nats.url) : "nats.url is required";
    if (urlProblem) problems.push(`nats.url: ${urlProblem}`);
    problems.push(...keySourceProblems(args?.keys));
    if (problems.length > 0) throw new pulumi.RunError(`invalid NatsAccount arguments:\n  ${problems.join("\n  ")}`);
}

/** Problems of a key source, as `keys.…: …` lines (none when it is usable). */
export function keySourceProblems(keys: NatsKeySource | undefined): string[] {
    const problems: string[] = [];
    if (keys?.masterKey === undefined) problems.push("keys.masterKey is required (the stack's tenancy:natsMasterKey)");
    const generation = keys?.generation ?? 1;
    if (!Number.isInteger(generation) || generation < 1) problems.push(`keys.generation: must be a whole number ≥ 1, got ${String(keys?.generation)}`);
    return problems;
}

/**
 * The NATS account of one tenant in operator mode, every key derived from the stack's master key,
 * its org id and its key generation (known at preview, the same on every run): the account JWT
 * (signed by the operator; {@link NatsAuthorization} puts it where the server loads it) and the
 * `nats-credentials` Secret in the tenant's namespace with the user's `.creds`.
 */
export class NatsAccount extends pulumi.ComponentResource {
    /** Account name on the server: the tenant's opaque org id. */
    public readonly accountName: string;
    /** The account without its credential (permissions, imports, limits): known at preview. */
    public readonly spec: NatsTenantAccount;
    /** Publish/subscribe permissions of the tenant's user. */
    public readonly permissions: NatsPermissions;
    /** Public key of the tenant's account, which names it on the server (plain, known at preview). */
    public readonly accountPublicKey: pulumi.Output<string>;
    /** The account JWT the server loads (plain: it holds public keys and limits only). */
    public readonly accountJwt: pulumi.Output<string>;
    /** Public key of the scoped signing key that issues the tenant's user. */
    public readonly signingPublicKey: pulumi.Output<string>;
    /** Public nkey of the tenant's user. */
    public readonly userPublicKey: pulumi.Output<string>;
    /** Generation of the tenant's keys. */
    public readonly keyGeneration: number;
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

        this.keyGeneration = args.keys.generation ?? 1;
        const spec = this.spec;
        const generation = this.keyGeneration;
        const derived = pulumi.secret(args.keys.masterKey).apply((master) => tenantMaterial(spec, parseNatsMasterKey(master), generation));
        // Public keys and the account JWT are public: unsecret them, or the server's ConfigMaps would be hidden in every diff.
        this.accountPublicKey = pulumi.unsecret(derived.apply((m) => m.accountPublicKey));
        this.accountJwt = pulumi.unsecret(derived.apply((m) => m.accountJwt));
        this.signingPublicKey = pulumi.unsecret(derived.apply((m) => m.signingPublicKey));
        this.userPublicKey = pulumi.unsecret(derived.apply((m) => m.userPublicKey));
        const credentials = { seed: pulumi.secret(derived.apply((m) => m.userSeed)), creds: pulumi.secret(derived.apply((m) => m.creds)) };

        this.secret = new k8s.core.v1.Secret(`${name}-credentials`, natsCredentialsSecretSpec(tenant, this.spec, args.nats.url, credentials), {
            ...child,
            additionalSecretOutputs: ["data", "stringData"],
        });
        this.registerOutputs({ accountName: this.accountName, accountPublicKey: this.accountPublicKey, userPublicKey: this.userPublicKey });
    }
}
