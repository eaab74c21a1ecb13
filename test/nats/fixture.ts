/**
 * Builds real NATS authorization documents for tests and the benchmark: tenants from the example
 * plan catalog, user nkeys from fresh random bytes, rendered by the production spec builders.
 */
import { randomBytes } from "node:crypto";
import {
    permissionStructure,
    renderAuthorization,
    tenantAccountSpec,
    userNkeyFromBase64,
    type NatsPermissionStructure,
    type NatsTenantAccount,
    type UserNkey,
} from "../../components/nats-spec";
import { loadRegistry, type Plan } from "../../registry";
import { makeRegistry } from "../support/registry-fixture";

/** The plan catalog (free, standard, enterprise), read from a registry of its own so no tenant file matters. */
export function examplePlans(): Record<string, Plan> {
    return loadRegistry(makeRegistry({})).plans.plans;
}

/** A tenant of a test: its account spec and its real user nkey. */
export interface TestTenant {
    /** The account spec as the production builder produced it. */
    spec: NatsTenantAccount;
    /** The user's nkey, derived from 32 fresh random bytes. */
    key: UserNkey;
}

/** A fresh user nkey from 32 random bytes, derived the way the components derive it. */
export function randomUserNkey(): UserNkey {
    return userNkeyFromBase64(randomBytes(32).toString("base64"));
}

/** A test tenant `slug` on `plan`, with an opaque id derived from the slug. */
export function testTenant(slug: string, plan: string, plans: Record<string, Plan> = examplePlans()): TestTenant {
    const id = `org_${slug.replace(/[^a-z0-9]/g, "")}${"0".repeat(3)}`.slice(0, 44);
    if (!plans[plan]) throw new Error(`unknown plan ${plan}`);
    return { spec: tenantAccountSpec({ id, slug, plan }, plans[plan]), key: randomUserNkey() };
}

/** The structure and auth.json text for the tenants and the platform's key. */
export function buildAuthorization(tenants: readonly TestTenant[], platform: UserNkey): { structure: NatsPermissionStructure; json: string } {
    const structure = permissionStructure(tenants.map((t) => t.spec));
    const keys = { platform: platform.publicKey, tenants: Object.fromEntries(tenants.map((t) => [t.spec.account, t.key.publicKey])) };
    return { structure, json: renderAuthorization(structure, keys) };
}
