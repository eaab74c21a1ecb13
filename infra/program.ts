import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_NATS_KEY_GENERATION, MANAGED_BY } from "../contract";
import { NatsAuthorization, PlanPriorityClasses, Tenant, TenantMonitoring, type TenantSecretValues } from "../components";
import { inShard, missingSecrets, SHARED_SHARD, type MissingSecret, type Registry, type RegistryEntry } from "../registry";
import type { StackConfig } from "./config";

/** The Kubernetes provider's annotation naming the server-side apply field manager it applies an object as. */
export const FIELD_MANAGER_ANNOTATION = "pulumi.com/patchFieldManager";

/** The one field manager every object of every stack run is applied as (the `tenancy` of the managed-by label). */
export const FIELD_MANAGER = MANAGED_BY;

/**
 * Gives every Kubernetes object the annotation that makes the provider apply it as {@link FIELD_MANAGER}.
 * Without it the provider names a random manager (`pulumi-kubernetes-<random>`) per resource it creates
 * and keeps the name in the state: an update killed before its state was written (checkpoints are
 * skipped, contract/pulumi-run.ts) leaves objects owned by a manager no state remembers; the rerun
 * adopts them as a second owner, and the first change of a value then fails with a server-side apply
 * conflict (found by test/e2e/97-interrupted.e2e.test.ts). On an object applied before this existed,
 * the provider drops the old random manager in the update that adds the annotation.
 */
export function applyAsFieldManager(args: pulumi.ResourceTransformationArgs): pulumi.ResourceTransformationResult | undefined {
    if (!args.type.startsWith("kubernetes:")) return undefined;
    type Metadata = { annotations?: Record<string, pulumi.Input<string>> } | undefined;
    const annotate = (metadata: Metadata) => ({ ...metadata, annotations: { ...metadata?.annotations, [FIELD_MANAGER_ANNOTATION]: FIELD_MANAGER } });
    const metadata = args.props.metadata as Metadata | pulumi.Output<Metadata>;
    return { props: { ...args.props, metadata: pulumi.Output.isInstance(metadata) ? metadata.apply(annotate) : annotate(metadata) }, opts: args.opts };
}

/** Everything the program needs, already read and validated; the program itself reads no files or config. */
export interface ProgramInputs {
    /** The validated registry. */
    registry: Registry;
    /** The validated stack settings. */
    config: StackConfig;
    /** Secret values per tenant slug, from `tenancy:secrets`. */
    secretValues: Record<string, TenantSecretValues>;
    /** The explicit Kubernetes provider every tenant object is created with. */
    provider?: pulumi.ProviderResource;
    /** `tenancy:natsMasterKey`, the secret every NATS key derives from (a secret Output in the program). */
    natsMasterKey: pulumi.Input<string>;
    /**
     * Org ids of the only tenants to declare, for `tenancy plan --base` (a plan of the tenants a
     * change touches); the shared objects are still computed from the whole registry. @default every tenant of the shard
     */
    only?: ReadonlySet<string>;
}

/** What the program declared, for stack outputs and tests. */
export interface ProgramResult {
    /** One Tenant component per registry entry this stack declares (its shard's), keyed by slug. */
    tenants: Record<string, Tenant>;
    /** The NATS server's authorization over all tenants, in the NATS namespace. */
    natsAuthorization: NatsAuthorization;
    /** One cluster-scoped PriorityClass per plan, in the shared shard only. */
    priorityClasses?: PlanPriorityClasses;
    /** The operator's recording rules, when `tenancy:monitoring.prometheusRules` is on. */
    monitoring?: TenantMonitoring;
    /** Config paths of declared secret values that are not set; their Secrets wait for them. */
    missingSecrets: string[];
}

/**
 * Per tenant slug, its declared secret values that are not set (tenants with none are left out),
 * from the registry's one scan `missingSecrets`.
 */
export function missingSecretValues(registry: Pick<Registry, "entries">, secretValues: Record<string, TenantSecretValues>): Record<string, MissingSecret[]> {
    const missing: Record<string, MissingSecret[]> = {};
    for (const { tenant } of registry.entries) {
        const found = missingSecrets(tenant, secretValues[tenant.slug]);
        if (found.length > 0) missing[tenant.slug] = found;
    }
    return missing;
}

/** The warning `pulumi preview`/`up` shows for a tenant whose Secrets wait for values: paths only, never a value. */
export function missingSecretsWarning(slug: string, missing: readonly MissingSecret[]): string {
    const paths = missing.map((m) => m.path);
    const secrets = [...new Set(missing.map((m) => m.secret))];
    return (
        `tenant ${slug}: ${paths.length} declared secret value${paths.length === 1 ? " is" : "s are"} not set, so Secret${secrets.length === 1 ? "" : "s"} ` +
        `${secrets.join(", ")} ${secrets.length === 1 ? "is" : "are"} not created yet (every other object of the tenant is): ${paths.join(", ")}. ` +
        `Set each with pulumi config set --secret --path '<path>' (npx tenancy secrets ${slug} prints the commands), then run pulumi up again.`
    );
}

/** The registry entries a stack declares: those of its shard (all of them unsharded), narrowed to `only` when given. */
export function declaredEntries(registry: Pick<Registry, "entries">, config: Pick<StackConfig, "shard">, only?: ReadonlySet<string>): RegistryEntry[] {
    return registry.entries.filter((e) => inShard(e.tenant.id, config.shard) && (only === undefined || only.has(e.tenant.id)));
}

/**
 * Declares one Tenant per registry entry of the stack's shard and the NATS authorization: every
 * shard its tenants' account files, the shared shard (0) also the PriorityClasses, operator.conf
 * (including every tenant of the registry), the platform credential and the recording rules. A
 * tenant whose secret values are not all set still gets every object but the Secrets missing a
 * value, with one warning naming the missing config paths; other tenants are unaffected. Resolves
 * once every tenant is declared (see {@link nextTurn}).
 */
export async function declareTenants(inputs: ProgramInputs): Promise<ProgramResult> {
    const { registry, config, secretValues, provider, natsMasterKey } = inputs;
    const entries = declaredEntries(registry, config, inputs.only);
    const shared = config.shard.index === SHARED_SHARD;
    const missing = missingSecretValues({ entries }, secretValues);
    for (const [slug, list] of Object.entries(missing)) void pulumi.log.warn(missingSecretsWarning(slug, list));
    const slugs = new Set(registry.entries.map((e) => e.tenant.slug));
    for (const slug of Object.keys(config.natsKeyGenerations).filter((s) => !slugs.has(s)).sort()) {
        void pulumi.log.warn(`tenancy:natsKeyGenerations.${slug} names no tenant of the registry; it has no effect (remove it with pulumi config rm --path 'tenancy:natsKeyGenerations.${slug}').`);
    }
    // Every component passes both to each object it creates.
    const opts: pulumi.ComponentResourceOptions = { provider, transformations: [applyAsFieldManager] };
    const priorityClasses = shared ? new PlanPriorityClasses("plan-priority", { catalog: registry.plans }, opts) : undefined;
    const classNames = Object.values(registry.plans.plans).map((p) => p.priorityClassName);
    const tenants: Record<string, Tenant> = {};
    for (const { tenant, plan } of entries) {
        await nextTurn();
        tenants[tenant.slug] = new Tenant(
            tenant.slug,
            {
                tenant,
                plan,
                platformController: config.platformController,
                nats: config.nats,
                priorityClasses: classNames,
                secretValues: secretValues[tenant.slug] ?? {},
                natsKeys: { masterKey: natsMasterKey, generation: config.natsKeyGenerations[tenant.slug] ?? DEFAULT_NATS_KEY_GENERATION },
            },
            opts,
        );
    }
    const natsAuthorization = new NatsAuthorization(
        "nats",
        { nats: config.nats, tenants: Object.values(tenants).map((t) => t.nats), tenantIds: registry.entries.map((e) => e.tenant.id), shared, keys: { masterKey: natsMasterKey } },
        opts,
    );
    const monitoring = shared && config.monitoring.prometheusRules ? new TenantMonitoring("tenant-monitoring", { namespace: config.monitoring.namespace }, opts) : undefined;
    return { tenants, natsAuthorization, priorityClasses, monitoring, missingSecrets: Object.values(missing).flatMap((list) => list.map((m) => m.path)) };
}

/**
 * One turn of the event loop, taken before each tenant is declared. The SDK holds everything of a
 * registration (its inputs, the request it serializes, the promises that wait for the answer)
 * until the engine answers, and it can send nothing while the program runs synchronously: a
 * program that declared every tenant in one go held all of them at once (about 1.4 MB of heap
 * per tenant; a 250-tenant recording did not fit in 352 MB). A turn per tenant lets the earlier
 * tenants' registrations go out and be answered, so what is held is the tenants in flight: the
 * same recording fits in 128 MB. Under `pulumi up` the engine gets the first registrations sooner.
 */
export function nextTurn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
}
