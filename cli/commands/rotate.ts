import {
    DEFAULT_NATS_KEY_GENERATION,
    documentedUpLines,
    natsAccountName,
    natsKeyGenerationCommand,
    namespaceOf,
    natsAccountConfigMapName,
    NATS_CREDENTIALS_SECRET,
    NATS_KEY_GENERATIONS_CONFIG,
} from "../../contract";
import { inShard, shardOf } from "../../registry";
import { stackShard } from "../plan/pack-config";
import type { StackConfigFiles } from "../plan/stack-config";
import { parseCommandArgs } from "./args";
import { registryOrReport, stackContext, stackSetupText } from "./project";
import { UsageError, type Command } from "./types";

/**
 * The tenant's current key generation as the stack file holds it: its value under
 * `tenancy:natsKeyGenerations.<slug>` (a whole number ≥ 1), the default 1 when it names none, or
 * why it cannot be read.
 */
export function currentKeyGeneration(files: StackConfigFiles, slug: string): { generation: number } | { problem: string } {
    const where = `${NATS_KEY_GENERATIONS_CONFIG}.${slug}`;
    if (files.encrypted.some((p) => p === NATS_KEY_GENERATIONS_CONFIG || p === where)) {
        return { problem: `${where} is encrypted in ${files.stackFile}; key generations are plain numbers (set them without --secret)` };
    }
    const text = files.config[NATS_KEY_GENERATIONS_CONFIG];
    if (text === undefined) return { generation: DEFAULT_NATS_KEY_GENERATION };
    let all: unknown;
    try {
        all = JSON.parse(text);
    } catch {
        all = text;
    }
    if (typeof all !== "object" || all === null || Array.isArray(all)) return { problem: `${NATS_KEY_GENERATIONS_CONFIG} in ${files.stackFile} is not an object of slug → generation` };
    const value = (all as Record<string, unknown>)[slug];
    if (value === undefined) return { generation: DEFAULT_NATS_KEY_GENERATION };
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) return { problem: `${where} in ${files.stackFile} is ${JSON.stringify(value)}, not a whole number ≥ 1` };
    return { generation: value };
}

/** `tenancy rotate`: prints the config change and the `pulumi up` that give a tenant new NATS keys. */
export const rotateCommand: Command = {
    name: "rotate",
    summary: "print the exact commands that rotate a tenant's NATS key (raise its key generation, pulumi up)",
    help: `Usage: tenancy rotate <slug> [--stack NAME] [--tenants DIR]

Every NATS key of the stack derives from its secret tenancy:natsMasterKey, the tenant's org id and
the tenant's key generation, tenancy:natsKeyGenerations.<slug> (1 when the stack names none).
Raising the generation gives the tenant's account a new signing key and user (the account itself
stays); this prints the commands that do it: the config change, the stack's pack config (its pinned
keys change with the generation), and pulumi up with the README's fast defaults:
  pulumi config set --stack <stack> --path 'tenancy:natsKeyGenerations.<slug>' <generation + 1>
  pulumi config get tenancy:natsMasterKey --stack <stack> | npx tenancy pack-config --stack <stack> --policy-pack dist/policy > pack-config.json
  PULUMI_SKIP_CHECKPOINTS=true PULUMI_NODEJS_TRANSPILE_ONLY=true PULUMI_PARALLEL_DIFF=true PULUMI_SKIP_UPDATE_CHECK=true pulumi up --stack <stack> --parallel 32 --suppress-progress --non-interactive --yes --policy-pack dist/policy --policy-pack-config pack-config.json
The current generation is read from Pulumi.<stack>.yaml. It prints no secret and changes nothing
itself; commit the stack file after the config change, since the generation is part of it.

Options:
  --stack NAME    stack to rotate on (default: dev)
  --tenants DIR   registry directory (default: the stack's tenancy:tenantsDir, else tenants)
  --help          show this help

Exit codes: 0 printed; 2 bad usage, unknown tenant, invalid registry or an unreadable generation.
`,
    async run(args, io) {
        const { flags, positionals } = parseCommandArgs("rotate", args, { stack: "string", tenants: "string" }, 1);
        const slug = positionals[0];
        if (slug === undefined) throw new UsageError("rotate: give the tenant's slug, e.g. tenancy rotate acme");
        const context = stackContext("rotate", flags, io, true);
        const registry = registryOrReport("rotate", context.tenantsDir, io);
        if (!registry) return 2;
        const entry = registry.entries.find((e) => e.tenant.slug === slug);
        if (!entry) throw new UsageError(`rotate: no tenant "${slug}" in the registry (no ${slug}.yaml)`);
        const stackShardOf = stackShard(context.files.config);
        if ("problem" in stackShardOf) throw new UsageError(`rotate: ${context.files.stackFile ?? `Pulumi.${context.stack}.yaml`}: ${stackShardOf.problem}`);
        const { shard } = stackShardOf;
        if (!inShard(entry.tenant.id, shard)) {
            throw new UsageError(`rotate: tenant ${slug} belongs to shard ${shardOf(entry.tenant.id, shard.count)} of ${shard.count}, and stack ${context.stack} is shard ${shard.index}; give the stack of its shard with --stack`);
        }
        const current = currentKeyGeneration(context.files, slug);
        if ("problem" in current) throw new UsageError(`rotate: ${current.problem}`);
        const next = current.generation + 1;
        const { tenant } = entry;
        const stackFile = context.files.stackFile ?? `Pulumi.${context.stack}.yaml`;
        if (!context.files.stackFile) io.out(stackSetupText(context.stack));
        io.out(
            `To rotate the NATS key of tenant ${slug} (account ${natsAccountName(tenant)}) on stack ${context.stack}, ` +
                `raise its key generation from ${current.generation} to ${next} and apply:\n\n`,
        );
        io.out(`  ${natsKeyGenerationCommand(context.stack, slug, next)}\n`);
        io.out(`${documentedUpLines(context.stack).map((line) => `  ${line}\n`).join("")}\n`);
        io.out(
            `The new generation derives a new signing key and user from the stack's tenancy:natsMasterKey: Secret ${namespaceOf(tenant)}/${NATS_CREDENTIALS_SECRET} ` +
                `(its .creds) and the tenant's account JWT (ConfigMap ${natsAccountConfigMapName(tenant.id)} in the NATS namespace) change in the same update; ` +
                `the account itself stays. When nats-server reloads, it closes the old user's connections and refuses the old credential; ` +
                `restart the tenant's agents so they read the new Secret. Commit ${stackFile}: the generation is part of the stack's config.\n`,
        );
        return 0;
    },
};
