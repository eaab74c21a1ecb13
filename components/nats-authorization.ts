import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    COMPONENT_LABEL,
    CONFIGMAP_MAX_BYTES,
    CREDENTIAL_ACCOUNT_KEY,
    CREDENTIAL_CREDS_KEY,
    CREDENTIAL_SEED_KEY,
    CREDENTIAL_URL_KEY,
    MANAGED_BY,
    MANAGED_BY_LABEL,
    NATS_ACCOUNT_COMPONENT,
    natsAccountConfigMapName,
    natsAccountConfKey,
    NATS_OPERATOR_CONFIGMAP,
    NATS_PLATFORM_CREDENTIALS_SECRET,
    OPERATOR_CONF_KEY,
    ORG_ID_ANNOTATION,
    PLATFORM_ACCOUNT,
} from "../contract";
import { keySourceProblems, natsUrlProblem, type NatsKeySource } from "./nats-account";
import { parseNatsMasterKey } from "./nats-keys";
import { natsTrustKeys, operatorMaterial, platformMaterial } from "./nats-material";
import { natsTenantAccountSchema, operatorConfSize, permissionStructure, renderAccountConf, renderOperatorConf, type NatsPermissionStructure, type NatsTenantAccount } from "./nats-spec";

export type { NatsPermissionStructure, NatsTenantAccount, NatsPlatformAccount, NatsPermissions, NatsImport, NatsExport, NatsLimits } from "./nats-spec";

/** Labels of the platform's NATS objects (they belong to no tenant). */
export const NATS_PLATFORM_LABELS: Readonly<Record<string, string>> = { [MANAGED_BY_LABEL]: MANAGED_BY, [COMPONENT_LABEL]: "nats-authorization" };

/** One tenant's account as NatsAuthorization needs it; a {@link NatsAccount} fits as is. */
export interface NatsAuthorizationTenant {
    /** The account without credential. */
    spec: NatsTenantAccount;
    /** The account's public key. */
    accountPublicKey: pulumi.Input<string>;
    /** The account JWT, signed by the operator. */
    accountJwt: pulumi.Input<string>;
}

/** The shared ConfigMap nats-server includes: `operator.conf` (public keys and JWTs only, hence a ConfigMap). */
export function operatorConfigMapSpec(namespace: string, operatorConf: pulumi.Input<string>) {
    return {
        metadata: { name: NATS_OPERATOR_CONFIGMAP, namespace, labels: { ...NATS_PLATFORM_LABELS } },
        data: { [OPERATOR_CONF_KEY]: operatorConf },
    };
}

/**
 * One tenant's account ConfigMap: `<org id>.conf`, the resolver entry with its account JWT, which
 * operator.conf includes. It lives in the NATS namespace and belongs to the platform (no tenant
 * label); the org id annotation says whose account it is.
 */
export function accountConfigMapSpec(namespace: string, tenantId: string, accountConf: pulumi.Input<string>) {
    return {
        metadata: {
            name: natsAccountConfigMapName(tenantId),
            namespace,
            labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [COMPONENT_LABEL]: NATS_ACCOUNT_COMPONENT },
            annotations: { [ORG_ID_ANNOTATION]: tenantId },
        },
        data: { [natsAccountConfKey(tenantId)]: accountConf },
    };
}

/** The platform's credential Secret in the NATS namespace: URL, account, `.creds` and nkey seed (both secret). */
export function platformCredentialsSecretSpec(namespace: string, url: string, credentials: { seed: pulumi.Input<string>; creds: pulumi.Input<string> }) {
    return {
        metadata: { name: NATS_PLATFORM_CREDENTIALS_SECRET, namespace, labels: { ...NATS_PLATFORM_LABELS } },
        type: "Opaque",
        stringData: {
            [CREDENTIAL_ACCOUNT_KEY]: PLATFORM_ACCOUNT,
            [CREDENTIAL_CREDS_KEY]: pulumi.secret(credentials.creds),
            [CREDENTIAL_SEED_KEY]: pulumi.secret(credentials.seed),
            [CREDENTIAL_URL_KEY]: url,
        },
    };
}

/** Arguments of {@link NatsAuthorization}. */
export interface NatsAuthorizationArgs {
    /** The accounts this stack declares (their account files), in any order. */
    tenants: NatsAuthorizationTenant[];
    /**
     * Org id of every tenant of the registry, whose account file operator.conf includes (a sharded
     * stack declares only its own tenants' files; the others come from the other shards).
     * @default the ids of `tenants`
     */
    tenantIds?: string[];
    /**
     * Whether this stack declares the shared objects, operator.conf and the platform credential
     * (exactly one stack of a sharded registry does). @default true
     */
    shared?: boolean;
    /** Where the NATS server runs. */
    nats: {
        /** Namespace of the NATS server; the ConfigMaps and the platform Secret go there. @default "nats" */
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
        if (t?.accountPublicKey === undefined || t?.accountJwt === undefined) problems.push(`tenants[${i}]: accountPublicKey and accountJwt are required`);
    });
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.nats?.namespace ?? "")) problems.push(`nats.namespace: "${args.nats?.namespace}" must be a DNS label`);
    const urlProblem = typeof args.nats?.url === "string" ? natsUrlProblem(args.nats.url) : "nats.url is required";
    if (urlProblem) problems.push(`nats.url: ${urlProblem}`);
    problems.push(...keySourceProblems(args.keys));
    if (args.tenantIds !== undefined && !Array.isArray(args.tenantIds)) problems.push("tenantIds must be a list of org ids");
    else if (args.tenantIds !== undefined) {
        const included = new Set(args.tenantIds);
        if (included.size !== args.tenantIds.length) problems.push("tenantIds must not repeat an org id");
        const left = specs.filter((t) => !included.has(t.tenantId)).map((t) => t.tenantId);
        if (left.length > 0) problems.push(`tenantIds must include every declared account's org id (missing: ${left.join(", ")}), or operator.conf would not load it`);
    }
    if (problems.length > 0) throw new pulumi.RunError(`invalid NatsAuthorization arguments:\n  ${problems.join("\n  ")}`);
    return specs;
}

/**
 * What nats-server loads in operator mode, in the NATS namespace: ConfigMap `nats-operator`
 * (`operator.conf`: operator JWT, system account, MEMORY resolver preloaded with the system and
 * PLATFORM accounts, an include of each tenant's file), one ConfigMap per tenant
 * (`nats-account-<org id>`, its account JWT), and the PLATFORM user's credential in Secret
 * `nats-platform-credentials`. Adding a tenant adds its ConfigMap and one include line, nothing else.
 * In a sharded registry every shard declares its tenants' ConfigMaps and only the shared shard the
 * operator ConfigMap and the platform Secret.
 */
export class NatsAuthorization extends pulumi.ComponentResource {
    /** Every account, permission, import, export and limit, without credentials; plain and known at preview. */
    public readonly structure: NatsPermissionStructure;
    /** `operator.conf`: plain, known during preview (every key derives from stack config). */
    public readonly operatorConf: pulumi.Output<string>;
    /** Public key of the PLATFORM account. */
    public readonly platformAccountPublicKey: pulumi.Output<string>;
    /** Public key of the operator that signs every account (what a sharded stack's pack is pinned to). */
    public readonly operatorPublicKey: pulumi.Output<string>;
    /** The ConfigMap holding operator.conf (in the shared stack only). */
    public readonly operatorConfigMap?: k8s.core.v1.ConfigMap;
    /** One ConfigMap per tenant account, by org id. */
    public readonly accountConfigMaps: Record<string, k8s.core.v1.ConfigMap>;
    /** The platform's credential Secret in the NATS namespace (in the shared stack only). */
    public readonly platformSecret?: k8s.core.v1.Secret;

    constructor(name: string, args: NatsAuthorizationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tenancy:nats:NatsAuthorization", name, {}, opts);
        const specs = validate(args);
        try {
            this.structure = permissionStructure(specs);
        } catch (error) {
            throw new pulumi.RunError(`cannot build the NATS authorization: ${(error as Error).message}`);
        }
        const { structure } = this;
        const ids = args.tenantIds ?? structure.tenants.map((t) => t.tenantId);
        // Key, JWT and signature lengths are fixed, so the size is exact before any key exists: an
        // oversized registry fails at preview, not halfway through an update.
        const bytes = Buffer.byteLength(OPERATOR_CONF_KEY) + operatorConfSize(structure.platform, ids);
        if (bytes > CONFIGMAP_MAX_BYTES) {
            throw new pulumi.RunError(`${OPERATOR_CONF_KEY} for ${ids.length} tenants needs ${bytes} bytes, over the ${CONFIGMAP_MAX_BYTES}-byte ConfigMap limit`);
        }
        const child = { parent: this, dependsOn: opts?.dependsOn };
        const generation = args.keys.generation ?? 1;
        // The master key stays text inside Outputs: apply unwraps what it returns, and would take a Buffer apart.
        const master = pulumi.secret(args.keys.masterKey);
        const platform = master.apply((m) => platformMaterial(structure.platform, parseNatsMasterKey(m), generation));
        this.platformAccountPublicKey = pulumi.unsecret(platform.apply((p) => p.accountPublicKey));
        const shared = args.shared ?? true;
        if (shared) this.platformSecret = new k8s.core.v1.Secret(
            `${name}-platform-credentials`,
            platformCredentialsSecretSpec(args.nats.namespace, args.nats.url, { seed: pulumi.secret(platform.apply((p) => p.userSeed)), creds: pulumi.secret(platform.apply((p) => p.creds)) }),
            { ...child, additionalSecretOutputs: ["data", "stringData"] },
        );
        this.operatorPublicKey = pulumi.unsecret(master.apply((m) => natsTrustKeys(parseNatsMasterKey(m)).operator));
        this.operatorConf = pulumi.unsecret(
            pulumi.all([master, platform]).apply(([m, p]) => {
                const { operatorJwt, system } = operatorMaterial(parseNatsMasterKey(m));
                return renderOperatorConf({ operatorJwt, system, platform: { publicKey: p.accountPublicKey, jwt: p.accountJwt }, tenantIds: ids });
            }),
        );
        if (shared) this.operatorConfigMap = new k8s.core.v1.ConfigMap(`${name}-operator`, operatorConfigMapSpec(args.nats.namespace, this.operatorConf), child);
        // One object per tenant, each from that tenant's Outputs only: linear, and a new tenant touches no other's.
        this.accountConfigMaps = {};
        for (const t of args.tenants) {
            const conf = pulumi.unsecret(pulumi.all([t.accountPublicKey, t.accountJwt]).apply(([key, jwt]) => renderAccountConf(key, jwt)));
            this.accountConfigMaps[t.spec.tenantId] = new k8s.core.v1.ConfigMap(`${name}-account-${t.spec.tenantId}`, accountConfigMapSpec(args.nats.namespace, t.spec.tenantId, conf), child);
        }
        this.registerOutputs({ platformAccountPublicKey: this.platformAccountPublicKey, operatorPublicKey: this.operatorPublicKey, tenants: ids.length });
    }
}
