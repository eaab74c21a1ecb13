/**
 * Builds real operator-mode NATS documents for tests and the benchmark: tenants from the example
 * plan catalog, every key derived from the tests' master key, rendered and signed by the
 * production builders.
 */
import { Types } from "@nats-io/jwt";
import { natsAccountConfKey, OPERATOR_CONF_KEY } from "../../contract";
import { signJwt, tenantAccountClaims } from "../../components/nats-jwt";
import { accountKeys, accountPublicKey, operatorKeys, PLATFORM_KEY_OWNER } from "../../components/nats-keys";
import { operatorMaterial, platformMaterial, tenantMaterial, type AccountMaterial } from "../../components/nats-material";
import { platformAccountSpec, renderAccountConf, renderOperatorConf, tenantAccountSpec, type NatsTenantAccount } from "../../components/nats-spec";
import { loadRegistry, type Plan } from "../../registry";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { makeRegistry } from "../support/registry-fixture";
import type { NatsFiles } from "./server";

/** The master key every key of the NATS tests derives from (the tests' stack value). */
export const MASTER = Buffer.from(TEST_NATS_MASTER_KEY, "hex");

/** The plan catalog (free, standard, enterprise), read from a registry of its own so no tenant file matters. */
export function examplePlans(): Record<string, Plan> {
    return loadRegistry(makeRegistry({})).plans.plans;
}

/** A tenant of a test: its account spec and everything derived for it. */
export interface TestTenant {
    /** The account spec as the production builder produced it. */
    spec: NatsTenantAccount;
    /** Keys, account JWT, user JWT, seed and creds. */
    material: AccountMaterial;
}

/** A test tenant `slug` on `plan`, with an opaque id derived from the slug, at a key generation and lifecycle. */
export function testTenant(slug: string, plan: string, plans: Record<string, Plan> = examplePlans(), options: { generation?: number; lifecycle?: "suspended" } = {}): TestTenant {
    const id = `org_${slug.replace(/[^a-z0-9]/g, "")}${"0".repeat(3)}`.slice(0, 44);
    if (!plans[plan]) throw new Error(`unknown plan ${plan}`);
    const spec = tenantAccountSpec({ id, slug, plan, lifecycle: options.lifecycle }, plans[plan]);
    return { spec, material: tenantMaterial(spec, MASTER, options.generation ?? 1) };
}

/** The PLATFORM account and its user. */
export function platform(): AccountMaterial {
    return platformMaterial(platformAccountSpec(), MASTER, 1);
}

/**
 * The same tenant with an account JWT whose scoped signing key and default permissions allow every
 * subject: a defeated second wall, so a test can show that the account boundary alone isolates.
 */
export function withoutPermissions(t: TestTenant): TestTenant {
    const keys = accountKeys(MASTER, t.spec.tenantId, 1);
    const claims = tenantAccountClaims(t.spec, { platformAccount: accountPublicKey(MASTER, PLATFORM_KEY_OWNER), signing: keys.signing.publicKey });
    const [scope] = claims.signing_keys as Array<{ template: Record<string, unknown> }>;
    scope.template = { subs: -1, data: -1, payload: -1 };
    claims.default_permissions = {};
    const jwt = signJwt(Types.Account, t.spec.account, keys.account.publicKey, claims, operatorKeys(MASTER).operator);
    return { spec: t.spec, material: { ...t.material, accountJwt: jwt } };
}

/** The files nats-server loads for these tenants: operator.conf and one `<org id>.conf` each. */
export function serverFiles(tenants: readonly TestTenant[]): NatsFiles {
    const { operatorJwt, system } = operatorMaterial(MASTER);
    const p = platform();
    const files: NatsFiles = {
        [OPERATOR_CONF_KEY]: renderOperatorConf({ operatorJwt, system, platform: { publicKey: p.accountPublicKey, jwt: p.accountJwt }, tenantIds: tenants.map((t) => t.spec.tenantId) }),
    };
    for (const t of tenants) files[natsAccountConfKey(t.spec.tenantId)] = renderAccountConf(t.material.accountPublicKey, t.material.accountJwt);
    return files;
}
