import * as fs from "node:fs";
import * as path from "node:path";
import { ensurePlanKey, planKeyPath } from "../engine/plan-key";
import { recordInChild } from "../engine/fork";
import type { Registry } from "../../registry";
import { inventory } from "./inventory";
import { programConfig } from "./run";
import type { StackConfigFiles } from "./stack-config";

/** Type token of the random bytes an nkey seed is made of. */
export const RANDOM_BYTES_TYPE = "random:index/randomBytes:RandomBytes";

/** What the program declares for one tenant's NATS key. */
export interface TenantKey {
    /** URN of the tenant's RandomBytes, exactly as the engine computes it. */
    urn: string;
    /** Its logical name, `<slug>-nats-key`. */
    name: string;
}

/**
 * Runs the real program (as `tenancy plan` does, in a child process under the recording monitor)
 * and returns the RandomBytes that belong to the tenant: the URN comes from the same computation
 * the engine makes, so it is what `pulumi up --replace` expects, never assembled by hand.
 */
export async function tenantNatsKeys(options: { projectRoot: string; stack: string; files: StackConfigFiles; tenantsDir: string; registry: Registry; slug: string }): Promise<TenantKey[]> {
    const programFile = path.resolve(options.projectRoot, options.files.main ?? "infra/index.ts");
    if (!fs.existsSync(programFile)) throw new Error(`program ${programFile} not found`);
    const keyFile = planKeyPath();
    ensurePlanKey(keyFile);
    const { config, secretKeys } = programConfig(options.files, options.tenantsDir, options.registry);
    const recorded = await recordInChild({ programFile, project: options.files.project, stack: options.stack, config, secretKeys, keyFile, cwd: options.projectRoot });
    return inventory(recorded, options.registry)
        .filter((r) => r.type === RANDOM_BYTES_TYPE && r.tenant === options.slug)
        .map((r) => ({ urn: r.urn, name: r.name }));
}
