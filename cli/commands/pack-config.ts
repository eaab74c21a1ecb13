import * as path from "node:path";
import { NATS_MASTER_KEY_CONFIG } from "../../contract";
import { natsPins, packConfig, stackShard, type PackSettings } from "../plan/pack-config";
import { parseCommandArgs } from "./args";
import { stackContext } from "./project";
import { UsageError, type Command } from "./types";

/** `tenancy pack-config`: the `--policy-pack-config` document of a stack (registry, shard and pinned NATS keys). */
export const packConfigCommand: Command = {
    name: "pack-config",
    summary: "print the --policy-pack-config file of a stack: its registry, and its shard's pinned NATS keys",
    help: `Usage: tenancy pack-config [--stack NAME] [--tenants DIR] [--policy-pack DIR]

Prints the JSON document that pulumi preview and pulumi up take with --policy-pack-config, as
tenancy plan configures the pack: every rule that judges against the registry gets registryDir (the
stack's registry, relative to the pack's directory, so the file can be committed as
policy/config/<stack>.json, which the workflows pass). For a sharded stack (tenancy:shard with count > 1) the NATS rule also
gets the shard and the public keys every shard is pinned to (natsOperatorKey,
natsPlatformAccountKey), derived from the stack's master key, which is read from standard input and
neither printed nor written:

  pulumi config get ${NATS_MASTER_KEY_CONFIG} --stack prod-1 | npx tenancy pack-config --stack prod-1 > pack-config.json
  pulumi preview --stack prod-1 --policy-pack policy --policy-pack-config pack-config.json

The keys are public (an updated stack shows them as the output natsTrust) and the same for every
stack sharing the master key; an unsharded stack needs no master key.

Options:
  --stack NAME    stack (default: dev)
  --tenants DIR   registry directory (default: the stack's tenancy:tenantsDir, else tenants)
  --policy-pack DIR
                  the policy pack registryDir is relative to (default: policy)
  --help          show this help

Exit codes: 0 printed; 2 bad usage, unreadable stack file or shard, or no valid master key on stdin.
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
        if (shard.shard.count > 1) {
            const text = await io.readStdin?.();
            const pipe = `pipe it in: pulumi config get ${NATS_MASTER_KEY_CONFIG} --stack ${context.stack} | npx tenancy pack-config --stack ${context.stack}`;
            if (text === undefined || text.trim() === "") throw new UsageError(`pack-config: stack ${context.stack} is shard ${shard.shard.index} of ${shard.shard.count}, so its NATS keys are pinned: ${pipe}`);
            let pins;
            try {
                pins = natsPins(text);
            } catch (error) {
                throw new UsageError(`pack-config: the master key on standard input is not one: ${(error as Error).message}`);
            }
            Object.assign(settings, { shard: shard.shard, ...pins });
        }
        io.out(`${JSON.stringify(packConfig(settings), null, 2)}\n`);
        return 0;
    },
};
