import * as path from "node:path";
import { NATS_MASTER_KEY_CONFIG } from "../../contract";
import { natsKeysSetting, natsPins, packConfig, stackKeyGenerations, stackShard, type PackSettings } from "../plan/pack-config";
import { parseCommandArgs } from "./args";
import { registryOrReport, stackContext } from "./project";
import { UsageError, type Command } from "./types";

/** `tenancy pack-config`: the `--policy-pack-config` document of a stack (registry, shard and pinned NATS keys). */
export const packConfigCommand: Command = {
    name: "pack-config",
    summary: "print the --policy-pack-config file of a stack: its registry, and its shard's pinned NATS keys",
    help: `Usage: tenancy pack-config [--stack NAME] [--tenants DIR] [--policy-pack DIR]

Prints the JSON document that pulumi preview and pulumi up take with --policy-pack-config, as
tenancy plan configures the pack: every rule that judges against the registry gets registryDir (the
stack's registry, relative to the pack's directory), and the NATS rule gets natsKeys: the public keys
derived from the stack's master key (the operator, the system and PLATFORM accounts, and every
registry tenant's account, scoped signing key and user at its key generation,
tenancy:natsKeyGenerations), which the pack compares every NATS account, signing key, user and seed
with. For a sharded stack (tenancy:shard with count > 1) the NATS rule also gets the shard and the
pinned natsOperatorKey and natsPlatformAccountKey. The master key is read from standard input and
neither printed nor written:

  pulumi config get ${NATS_MASTER_KEY_CONFIG} --stack prod | npx tenancy pack-config --stack prod > pack-config.json
  pulumi preview --stack prod --policy-pack policy --policy-pack-config pack-config.json

The keys are public (an updated stack shows the operator's and PLATFORM's as the output natsTrust).
They change when the registry gains a tenant or a tenant's key generation changes, so CI prints the
file in the same run as the preview or update it configures (the workflows do).

Options:
  --stack NAME    stack (default: dev)
  --tenants DIR   registry directory (default: the stack's tenancy:tenantsDir, else tenants)
  --policy-pack DIR
                  the policy pack registryDir is relative to (default: policy)
  --help          show this help

Exit codes: 0 printed; 2 bad usage, unreadable stack file, shard or key generations, an invalid
registry, or no valid master key on stdin.
`,
    async run(args, io) {
        const { flags } = parseCommandArgs("pack-config", args, { stack: "string", tenants: "string", "policy-pack": "string" }, 0);
        const context = stackContext("pack-config", flags, io);
        const packDir = typeof flags["policy-pack"] === "string" ? path.resolve(io.cwd, flags["policy-pack"]) : path.join(context.projectRoot, "policy");
        const stackFile = context.files.stackFile ?? `Pulumi.${context.stack}.yaml`;
        const shard = stackShard(context.files.config);
        if ("problem" in shard) throw new UsageError(`pack-config: ${stackFile}: ${shard.problem}`);
        // The pack resolves registryDir against its own directory.
        const settings: PackSettings = { registryDir: path.relative(packDir, context.tenantsDir) || "." };
        const generations = stackKeyGenerations(context.files.config);
        if ("problem" in generations) throw new UsageError(`pack-config: ${stackFile}: ${generations.problem}`);
        const registry = registryOrReport("pack-config", context.tenantsDir, io, "nothing was printed");
        if (!registry) return 2;
        const text = await io.readStdin?.();
        const pipe = `pipe it in: pulumi config get ${NATS_MASTER_KEY_CONFIG} --stack ${context.stack} | npx tenancy pack-config --stack ${context.stack}`;
        if (text === undefined || text.trim() === "") throw new UsageError(`pack-config: the pack is pinned to the NATS keys derived from stack ${context.stack}'s master key: ${pipe}`);
        try {
            Object.assign(settings, natsKeysSetting(text, registry, generations.generations));
            if (shard.shard.count > 1) Object.assign(settings, { shard: shard.shard, ...natsPins(text) });
        } catch (error) {
            throw new UsageError(`pack-config: the master key on standard input is not one: ${(error as Error).message}`);
        }
        io.out(`${JSON.stringify(packConfig(settings), null, 2)}\n`);
        return 0;
    },
};
