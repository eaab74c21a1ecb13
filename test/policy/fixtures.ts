// The compliant stack, built from the components' own pure spec builders over the policy tests'
// registry, so the fixture cannot drift from what the program declares.
import {
    accountConfigMapSpec,
    agentServiceAccountSpec,
    isProtected,
    limitRangeSpec,
    namespaceSpec,
    natsStackKeys,
    natsCredentialsSecretSpec,
    networkPolicySpecs,
    operatorConfigMapSpec,
    operatorMaterial,
    platformAccountSpec,
    platformAgentManagerBindingSpec,
    platformAgentManagerRoleSpec,
    platformCredentialsSecretSpec,
    priorityCeilingSpec,
    platformMaterial,
    priorityClassSpecs,
    renderAccountConf,
    renderOperatorConf,
    resourceQuotaSpec,
    secretReaderBindingSpec,
    secretReaderRoleSpec,
    secretSpec,
    tenantAccountSpec,
    tenantMaterial,
    type AccountMaterial,
} from "../../components";
import { CREDENTIAL_CREDS_KEY, CREDENTIAL_SEED_KEY, PLATFORM_ACCOUNT } from "../../contract";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { shardOf, type Registry, type RegistryEntry } from "../../registry";
import { REGISTRY, REGISTRY_DIR } from "./registry";
import { fixture, type Fixture } from "./support";

/** The master key the compliant stack's NATS keys derive from. */
export const MASTER = Buffer.from(TEST_NATS_MASTER_KEY, "hex");

/** The pack's natsKeys for the tests' registry (every tenant at generation 1), as `tenancy pack-config` prints them. */
export function natsKeysOf(registry: Registry = REGISTRY, generations: Record<string, number> = {}) {
    return natsStackKeys(MASTER, registry.entries.map((e) => ({ id: e.tenant.id, generation: generations[e.tenant.slug] ?? 1 })));
}

/** Pack configuration every policy test uses: the tests' registry and its NATS keys. */
export const CONFIG = { registryDir: REGISTRY_DIR, natsKeys: natsKeysOf() };
/** Where the NATS server runs, as the program's default stack config says. */
export const NATS = { namespace: "nats", port: 4222, url: "nats://nats.nats.svc.cluster.local:4222" };
/** The platform's controller, as the program's default stack config says. */
export const CONTROLLER = { namespace: "platform-system", serviceAccount: "agent-orchestrator" };

/** A registry entry by slug (of the tests' registry unless another is given). */
export function entry(slug: string, registry: Registry = REGISTRY): RegistryEntry {
    const found = registry.entries.find((e) => e.tenant.slug === slug);
    if (!found) throw new Error(`the policy tests' registry has no tenant ${slug}`);
    return found;
}

/** The tenant id of a slug. */
export const idOf = (slug: string) => entry(slug).tenant.id;

/** What the program derives for a tenant's account (by slug, of the tests' registry unless another is given), or the platform's (`PLATFORM`). */
export function natsOf(owner: string, registry: Registry = REGISTRY): AccountMaterial {
    if (owner === PLATFORM_ACCOUNT) return platformMaterial(platformAccountSpec(), MASTER, 1);
    const { tenant, plan } = entry(owner, registry);
    return tenantMaterial(tenantAccountSpec(tenant, plan), MASTER, 1);
}

/** The user nkey of a tenant (by slug) or of PLATFORM, as the compliant stack holds it. */
export function nkeyOf(owner: string) {
    const m = natsOf(owner);
    return { seed: m.userSeed, publicKey: m.userPublicKey };
}

// The typed resource's apiVersion and kind, as the SDK sets them on every typed resource's inputs.
function typed(type: string, name: string, spec: object, parent?: Fixture, protect?: boolean): Fixture {
    const [, module, kind] = type.split(":");
    const apiVersion = module.startsWith("core/") ? module.slice(5) : module;
    return fixture(type, name, { apiVersion, kind, ...structuredClone(spec) }, parent, protect);
}

// A spec whose values the builder wraps as secrets (Outputs), with plain values instead.
function plainSecret<T extends { stringData: Record<string, unknown> }>(spec: T, values: Record<string, string>): T {
    return { ...spec, stringData: { ...spec.stringData, ...values } };
}

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";

/** Every resource of one tenant as the program registers it: components, then Kubernetes children. */
export function tenantStack(slug: string, registry: Registry = REGISTRY): Fixture[] {
    const { tenant, plan } = entry(slug, registry);
    const classes = Object.values(registry.plans.plans).map((p) => p.priorityClassName);
    const root = fixture("tenancy:tenant:Tenant", slug, { namespace: `org-${slug}`, tenantId: tenant.id });
    const nsComp = fixture("tenancy:tenant:TenantNamespace", slug, {}, root);
    const quotaComp = fixture("tenancy:tenant:TenantQuota", slug, {}, root);
    const access = fixture("tenancy:tenant:TenantAccess", slug, {}, root);
    const network = fixture("tenancy:tenant:TenantNetwork", slug, {}, root);
    const secrets = fixture("tenancy:tenant:TenantSecrets", slug, {}, root);
    const nats = fixture("tenancy:nats:NatsAccount", `${slug}-nats`, {}, root);
    const account = tenantAccountSpec(tenant, plan);
    return [
        root,
        nsComp,
        typed("kubernetes:core/v1:Namespace", `${slug}-namespace`, namespaceSpec(tenant), nsComp, isProtected(tenant)),
        quotaComp,
        typed("kubernetes:core/v1:ResourceQuota", `${slug}-quota`, resourceQuotaSpec(tenant, plan), quotaComp),
        typed("kubernetes:core/v1:ResourceQuota", `${slug}-priority-ceiling`, priorityCeilingSpec(tenant, plan, classes), quotaComp),
        typed("kubernetes:core/v1:LimitRange", `${slug}-limits`, limitRangeSpec(tenant, plan), quotaComp),
        access,
        typed("kubernetes:core/v1:ServiceAccount", `${slug}-agent-sa`, agentServiceAccountSpec(tenant), access),
        typed(`${RBAC}:Role`, `${slug}-secret-reader`, secretReaderRoleSpec(tenant), access),
        typed(`${RBAC}:RoleBinding`, `${slug}-secret-reader`, secretReaderBindingSpec(tenant), access),
        typed(`${RBAC}:Role`, `${slug}-platform-agent-manager`, platformAgentManagerRoleSpec(tenant), access),
        typed(`${RBAC}:RoleBinding`, `${slug}-platform-agent-manager`, platformAgentManagerBindingSpec(tenant, CONTROLLER), access),
        network,
        ...networkPolicySpecs(tenant, NATS).map((spec) => typed(NP, `${slug}-${spec.metadata.name}`, spec, network)),
        secrets,
        ...tenant.secrets.map((s) =>
            typed("kubernetes:core/v1:Secret", `${slug}-${s.name}`, plainSecret(secretSpec(tenant, s.name, {}), Object.fromEntries(s.keys.map((k) => [k, `test-${k}`]))), secrets),
        ),
        nats,
        typed(
            "kubernetes:core/v1:Secret",
            `${slug}-nats-credentials`,
            plainSecret(natsCredentialsSecretSpec(tenant, account, NATS.url, { seed: "", creds: "" }), {
                [CREDENTIAL_SEED_KEY]: natsOf(slug, registry).userSeed,
                [CREDENTIAL_CREDS_KEY]: natsOf(slug, registry).creds,
            }),
            nats,
        ),
    ];
}

/** The platform's side: one PriorityClass per plan and the NATS authorization over `slugs`. */
export function platformStack(slugs: string[], registry: Registry = REGISTRY): Fixture[] {
    const priority = fixture("tenancy:platform:PlanPriorityClasses", "plan-priority", {});
    const plans = Object.keys(registry.plans.plans).sort((a, b) => a.localeCompare(b));
    const ids = slugs.map((s) => entry(s, registry).tenant.id);
    const { operatorJwt, system } = operatorMaterial(MASTER);
    const platform = natsOf(PLATFORM_ACCOUNT);
    const conf = renderOperatorConf({ operatorJwt, system, platform: { publicKey: platform.accountPublicKey, jwt: platform.accountJwt }, tenantIds: ids });
    const auth = fixture("tenancy:nats:NatsAuthorization", "nats", {});
    return [
        priority,
        ...priorityClassSpecs(registry.plans).map((spec, i) => typed("kubernetes:scheduling.k8s.io/v1:PriorityClass", `plan-priority-${plans[i]}`, spec, priority)),
        auth,
        typed(
            "kubernetes:core/v1:Secret",
            "nats-platform-credentials",
            plainSecret(platformCredentialsSecretSpec(NATS.namespace, NATS.url, { seed: "", creds: "" }), { [CREDENTIAL_SEED_KEY]: platform.userSeed, [CREDENTIAL_CREDS_KEY]: platform.creds }),
            auth,
        ),
        typed("kubernetes:core/v1:ConfigMap", "nats-operator", operatorConfigMapSpec(NATS.namespace, conf), auth),
        ...slugs.map((s, i) => {
            const m = natsOf(s, registry);
            return typed("kubernetes:core/v1:ConfigMap", `nats-account-${ids[i]}`, accountConfigMapSpec(NATS.namespace, ids[i], renderAccountConf(m.accountPublicKey, m.accountJwt)), auth);
        }),
    ];
}

/** The whole compliant stack for some tenants of a registry (default: all three of the tests' registry). */
export function world(slugs?: string[], registry: Registry = REGISTRY): Fixture[] {
    const chosen = slugs ?? registry.entries.map((e) => e.tenant.slug);
    return [...chosen.flatMap((s) => tenantStack(s, registry)), ...platformStack(chosen, registry)];
}

/** Finds a Kubernetes fixture by Pulumi name, or `Kind/name` where a Role and its RoleBinding share it (throws when absent). */
export function byName(fixtures: Fixture[], name: string): Fixture {
    const [kind, pulumiName] = name.includes("/") ? name.split("/") : [undefined, name];
    const found = fixtures.filter((f) => f.name === pulumiName && f.type.startsWith("kubernetes:") && (!kind || f.type.endsWith(`:${kind}`)));
    if (found.length !== 1) throw new Error(`${found.length} fixtures named ${name}`);
    return found[0];
}

/** The resources of the shared shard only: the PriorityClasses, operator.conf and the platform's credential. */
const SHARED_FIXTURES = /^(plan-priority(-.*)?|nats-operator|nats-platform-credentials)$/;

/**
 * The compliant stack of shard `index` of `count`: its tenants, their account files and the NATS
 * authorization component; shard 0 also the shared objects, with operator.conf including every
 * tenant of the registry.
 */
export function shardWorld(index: number, count: number, registry: Registry = REGISTRY): Fixture[] {
    const mine = registry.entries.filter((e) => shardOf(e.tenant.id, count) === index).map((e) => e.tenant.slug);
    const others = new Set(registry.entries.filter((e) => !mine.includes(e.tenant.slug)).map((e) => `nats-account-${e.tenant.id}`));
    const platform = platformStack(registry.entries.map((e) => e.tenant.slug), registry);
    return [...mine.flatMap((s) => tenantStack(s, registry)), ...platform.filter((f) => !others.has(f.name) && (index === 0 || !SHARED_FIXTURES.test(f.name)))];
}

/** Pack configuration of shard `index` of `count`, pinned to the tests' operator and PLATFORM account. */
export function shardConfig(index: number, count: number) {
    return { ...CONFIG, shard: { index, count }, natsOperatorKey: operatorMaterial(MASTER).operatorPublicKey, natsPlatformAccountKey: natsOf(PLATFORM_ACCOUNT).accountPublicKey };
}
