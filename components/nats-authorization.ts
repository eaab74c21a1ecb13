import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    AUTH_JSON_KEY,
    COMPONENT_LABEL,
    CONFIGMAP_MAX_BYTES,
    CREDENTIAL_ACCOUNT_KEY,
    CREDENTIAL_SEED_KEY,
    CREDENTIAL_URL_KEY,
    MANAGED_BY,
    MANAGED_BY_LABEL,
    NATS_ACCOUNTS_CONFIGMAP,
    NATS_AUTHORIZATION_CONFIGMAP,
    NATS_PLATFORM_CREDENTIALS_SECRET,
    PERMISSIONS_JSON_KEY,
    PLATFORM_ACCOUNT,
} from "../contract";
import { keySourceProblems, natsUrlProblem, type NatsKeySource } from "./nats-account";
import { deriveUserNkey, PLATFORM_KEY_OWNER } from "./nats-keys";
import {
    authorizationSize,
    natsTenantAccountSchema,
    permissionStructure,
    renderAuthorization,
    renderJson,
    type NatsPermissionStructure,
    type NatsTenantAccount,
} from "./nats-spec";

// The policy pack reads the permission structure with this schema and type (rule 8). They live in
// nats-spec.ts, which loads no Pulumi provider, and are re-exported here as the documented entry point.
export { natsPermissionStructureSchema, parsePermissionStructure } from "./nats-spec";
export type { NatsPermissionStructure, NatsTenantAccount, NatsPlatformAccount, NatsPermissions, NatsImport, NatsExport, NatsLimits } from "./nats-spec";


/** Labels of the platform's NATS objects (they belong to no tenant). */
export const NATS_PLATFORM_LABELS: Readonly<Record<string, string>> = { [MANAGED_BY_LABEL]: MANAGED_BY, [COMPONENT_LABEL]: "nats-authorization" };

/** One tenant's account as NatsAuthorization needs it; a {@link NatsAccount} fits as is. */
export interface NatsAuthorizationTenant {
    /** The account without credential. */
    spec: NatsTenantAccount;
    /** Public nkey of the tenant's user; may be unknown during preview. */
    userPublicKey: pulumi.Input<string>;
}

/**
 * The ConfigMap nats-server mounts: `auth.json` only. It holds public keys only, which is why a
 * ConfigMap and not a Secret: nothing in it lets anyone connect. It is separate from
 * permissions.json because Kubernetes caps each ConfigMap at 1 MiB, and together they would pass
 * that below 1,000 tenants.
 */
export function accountsConfigMapSpec(namespace: string, authJson: pulumi.Input<string>) {
    return {
        metadata: { name: NATS_ACCOUNTS_CONFIGMAP, namespace, labels: { ...NATS_PLATFORM_LABELS } },
        data: { [AUTH_JSON_KEY]: authJson },
    };
}

/** The ConfigMap with `permissions.json`: the same accounts without keys, known at preview, read by the policy pack. */
export function authorizationConfigMapSpec(namespace: string, permissionsJson: string) {
    return {
        metadata: { name: NATS_AUTHORIZATION_CONFIGMAP, namespace, labels: { ...NATS_PLATFORM_LABELS } },
        data: { [PERMISSIONS_JSON_KEY]: permissionsJson },
    };
}

/** The platform's credential Secret in the NATS namespace: URL, account and nkey seed (secret). */
export function platformCredentialsSecretSpec(namespace: string, url: string, seed: pulumi.Input<string>) {
    return {
        metadata: { name: NATS_PLATFORM_CREDENTIALS_SECRET, namespace, labels: { ...NATS_PLATFORM_LABELS } },
        type: "Opaque",
        stringData: {
            [CREDENTIAL_ACCOUNT_KEY]: PLATFORM_ACCOUNT,
            [CREDENTIAL_SEED_KEY]: pulumi.secret(seed),
            [CREDENTIAL_URL_KEY]: url,
        },
    };
}

/** Arguments of {@link NatsAuthorization}. */
export interface NatsAuthorizationArgs {
    /** Every tenant's account, in any order (the document is sorted by slug). */
    tenants: NatsAuthorizationTenant[];
    /** Where the NATS server runs. */
    nats: {
        /** Namespace of the NATS server; the ConfigMap and the platform Secret go there. @default "nats" */
        namespace: string;
        /** URL the platform connects to. @default "nats://nats.nats.svc.cluster.local:4222" */
        url: string;
    };
    /** The master key and the platform's key generation. */
    keys: NatsKeySource;
}

function validate(args: NatsAuthorizationArgs): NatsTenantAccount[] {
    const problems: string[] = [];
    if (!Array.isArray(args?.tenants)) throw new pulumi.RunError("invalid NatsAuthorization arguments: tenants must be a list of NATS accounts");
    const specs: NatsTenantAccount[] = [];
    args.tenants.forEach((t, i) => {
        const parsed = natsTenantAccountSchema.safeParse(t?.spec);
        if (parsed.success) specs.push(parsed.data);
        else problems.push(...parsed.error.issues.map((issue) => `${[`tenants[${i}].spec`, ...issue.path].join(".")}: ${issue.message}`));
        if (t?.userPublicKey === undefined) problems.push(`tenants[${i}].userPublicKey is required`);
    });
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.nats?.namespace ?? "")) problems.push(`nats.namespace: "${args.nats?.namespace}" must be a DNS label`);
    const urlProblem = typeof args.nats?.url === "string" ? natsUrlProblem(args.nats.url) : "nats.url is required";
    if (urlProblem) problems.push(`nats.url: ${urlProblem}`);
    problems.push(...keySourceProblems(args.keys));
    if (problems.length > 0) throw new pulumi.RunError(`invalid NatsAuthorization arguments:\n  ${problems.join("\n  ")}`);
    return specs;
}

/**
 * The NATS server's authorization for all tenants, in the NATS namespace: ConfigMap
 * `nats-accounts` with `auth.json` (included by the server's main config), ConfigMap
 * `nats-authorization` with `permissions.json` (known at preview, for the policy pack), and the
 * PLATFORM account's own credential in Secret `nats-platform-credentials`.
 */
export class NatsAuthorization extends pulumi.ComponentResource {
    /** Every account, permission, import, export and limit, without credentials; plain and known at preview. */
    public readonly structure: NatsPermissionStructure;
    /** `permissions.json`: the structure as stored in the ConfigMap. */
    public readonly permissionsJson: string;
    /** `auth.json`: public keys only, plain, known during preview (every key derives from stack config). */
    public readonly authJson: pulumi.Output<string>;
    /** Public nkey of the platform's user. */
    public readonly platformUserPublicKey: pulumi.Output<string>;
    /** The ConfigMap holding auth.json, mounted by nats-server. */
    public readonly accountsConfigMap: k8s.core.v1.ConfigMap;
    /** The ConfigMap holding permissions.json, read by the policy pack. */
    public readonly authorizationConfigMap: k8s.core.v1.ConfigMap;
    /** The platform's credential Secret in the NATS namespace. */
    public readonly platformSecret: k8s.core.v1.Secret;

    constructor(name: string, args: NatsAuthorizationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:nats:NatsAuthorization", name, {}, opts);
        const specs = validate(args);
        let structure: NatsPermissionStructure;
        try {
            structure = permissionStructure(specs);
        } catch (error) {
            throw new pulumi.RunError(`cannot build the NATS authorization: ${(error as Error).message}`);
        }
        this.structure = structure;
        this.permissionsJson = renderJson(structure);
        // Public keys have a fixed length, so the size is exact even while new keys are unknown:
        // an oversized registry fails at preview, not halfway through an update.
        for (const [file, bytes] of [
            [AUTH_JSON_KEY, authorizationSize(structure)],
            [PERMISSIONS_JSON_KEY, Buffer.byteLength(this.permissionsJson)],
        ] as const) {
            // The API server counts key and value bytes of data against the 1 MiB.
            if (Buffer.byteLength(file) + bytes > CONFIGMAP_MAX_BYTES) {
                throw new pulumi.RunError(
                    `${file} for ${structure.tenants.length} tenants needs ${bytes} bytes, over the ${CONFIGMAP_MAX_BYTES}-byte ConfigMap limit; ` +
                        `this many tenants need NATS decentralized (JWT) auth instead of a config file`,
                );
            }
        }
        const child = { parent: this, dependsOn: opts?.dependsOn };

        const generation = args.keys.generation ?? 1;
        const platformNkey = pulumi.secret(args.keys.masterKey).apply((master) => deriveUserNkey(master, PLATFORM_KEY_OWNER, generation));
        this.platformUserPublicKey = pulumi.unsecret(platformNkey.apply((k) => k.publicKey));
        this.platformSecret = new k8s.core.v1.Secret(
            `${name}-platform-credentials`,
            platformCredentialsSecretSpec(args.nats.namespace, args.nats.url, pulumi.secret(platformNkey.apply((k) => k.seed))),
            { ...child, additionalSecretOutputs: ["data", "stringData"] },
        );

        // Tenants' keys in the structure's (slug) order; one all() over N keys keeps this linear.
        const accountOf = new Map(args.tenants.map((t) => [t.spec.account, t.userPublicKey]));
        const accounts = structure.tenants.map((t) => t.account);
        this.authJson = pulumi.unsecret(
            pulumi.all([this.platformUserPublicKey, pulumi.all(accounts.map((a) => accountOf.get(a)!))]).apply(([platform, keys]) =>
                renderAuthorization(structure, { platform, tenants: Object.fromEntries(accounts.map((a, i) => [a, keys[i]])) }),
            ),
        );
        this.accountsConfigMap = new k8s.core.v1.ConfigMap(`${name}-accounts`, accountsConfigMapSpec(args.nats.namespace, this.authJson), child);
        this.authorizationConfigMap = new k8s.core.v1.ConfigMap(`${name}-authorization`, authorizationConfigMapSpec(args.nats.namespace, this.permissionsJson), child);
        this.registerOutputs({ platformUserPublicKey: this.platformUserPublicKey, tenants: structure.tenants.length });
    }
}
