import { configSetCommand, scanSecretValues, type UnreadableSecret } from "../plan/secret-values";
import { parseCommandArgs } from "./args";
import { inShard, shardOf } from "../../registry";
import { stackShard } from "../plan/pack-config";
import { registryOrReport, stackContext, stackSetupText } from "./project";
import { UsageError, type Command } from "./types";

/** `tenancy secrets`: which declared secret values the stack config lacks, and the commands that set them. */
export const secretsCommand: Command = {
    name: "secrets",
    summary: "list declared secret values missing from the stack config and the commands that set them",
    help: `Usage: tenancy secrets [<slug>] [--stack NAME] [--tenants DIR]

Compares the secrets the registry declares (tenants/<slug>.yaml, secrets[].keys) with the stack's
config file Pulumi.<stack>.yaml and prints, per tenant, every value that is not set and the exact
command that sets it:
  pulumi config set --stack <stack> --secret --path 'tenancy:secrets.<slug>.<secret>.<key>'
The command has no value on purpose: pulumi prompts for it (or reads it from standard input), so it
never lands in a shell history. Values set with --secret are stored encrypted in the stack file,
which is committed. Nothing here reads or prints a secret value.

Until its values are set, a tenant's other objects are created and only its Secrets wait;
"tenancy plan" and "pulumi up" list what is missing. A shard's stack (tenancy:shard) holds the
values of its own tenants only, so only those are compared.

Options:
  <slug>          only this tenant
  --stack NAME    stack whose Pulumi.<NAME>.yaml is read (default: dev)
  --tenants DIR   registry directory (default: the stack's tenancy:tenantsDir, else tenants)
  --help          show this help

Exit codes: 0 listed (whether or not values are missing); 2 bad usage, unknown tenant or invalid registry.
`,
    async run(args, io) {
        const { flags, positionals } = parseCommandArgs("secrets", args, { stack: "string", tenants: "string" }, 1);
        const context = stackContext("secrets", flags, io, true);
        const registry = registryOrReport("secrets", context.tenantsDir, io);
        if (!registry) return 2;
        const slug = positionals[0];
        const entry = slug === undefined ? undefined : registry.entries.find((e) => e.tenant.slug === slug);
        if (slug !== undefined && !entry) {
            throw new UsageError(`secrets: no tenant "${slug}" in the registry (no ${slug}.yaml); add one with tenancy add ${slug} --plan PLAN`);
        }
        // A shard's stack holds the values of its own tenants only.
        const stackShardOf = stackShard(context.files.config);
        if ("problem" in stackShardOf) throw new UsageError(`secrets: ${context.files.stackFile ?? `Pulumi.${context.stack}.yaml`}: ${stackShardOf.problem}`);
        const { shard } = stackShardOf;
        if (entry && !inShard(entry.tenant.id, shard)) {
            throw new UsageError(`secrets: tenant ${slug} belongs to shard ${shardOf(entry.tenant.id, shard.count)} of ${shard.count}, and stack ${context.stack} is shard ${shard.index}; give the stack of its shard with --stack`);
        }
        const where = `${context.files.stackFile ?? `Pulumi.${context.stack}.yaml (not created yet)`} (stack ${context.stack})`;
        const scan = scanSecretValues(context.files, registry);
        if (scan.malformed) {
            io.err(`tenancy secrets: tenancy:secrets in ${where} is not an object of values; set each with ${configSetCommand(context.stack, "tenancy:secrets.<slug>.<secret>.<key>")}\n`);
            return 2;
        }
        const scope = entry ? [entry] : registry.entries.filter((e) => inShard(e.tenant.id, shard));
        const inScope = new Set(scope.map((e) => e.tenant.slug));
        const declared = scope.reduce((n, e) => n + e.tenant.secrets.reduce((k, s) => k + s.keys.length, 0), 0);
        const missing = scan.unreadable.filter((u) => u.state === "missing" && inScope.has(u.tenant));
        const subject = slug === undefined ? `${scope.length} tenant${scope.length === 1 ? "" : "s"}` : `tenant ${slug}`;
        if (declared === 0) {
            io.out(`tenancy secrets: ${subject} declare${scope.length === 1 ? "s" : ""} no secrets\n`);
            return 0;
        }
        if (missing.length === 0) {
            io.out(`tenancy secrets: all ${declared} declared secret value${declared === 1 ? "" : "s"} of ${subject} are set in ${where}\n`);
            return 0;
        }
        if (!context.files.stackFile) io.out(stackSetupText(context.stack));
        io.out(`tenancy secrets: ${missing.length} of ${declared} declared secret value${declared === 1 ? "" : "s"} of ${subject} are not set in ${where}\n`);
        for (const [tenant, list] of byTenant(missing)) {
            const file = registry.entries.find((e) => e.tenant.slug === tenant)!.file;
            const waiting = [...new Set(list.map((m) => m.secret))].join(", ");
            io.out(`\n${tenant} (${file}): Secret${waiting.includes(", ") ? "s" : ""} ${waiting} wait${waiting.includes(", ") ? "" : "s"} for:\n`);
            for (const m of list) io.out(`  ${configSetCommand(context.stack, m.path)}\n`);
        }
        io.out(`\nEach command prompts for its value. Commit the updated stack file; the next pulumi up creates the Secrets.\n`);
        return 0;
    },
};

function byTenant(list: UnreadableSecret[]): Map<string, UnreadableSecret[]> {
    const out = new Map<string, UnreadableSecret[]>();
    for (const item of list) {
        const own = out.get(item.tenant);
        if (own) own.push(item);
        else out.set(item.tenant, [item]);
    }
    return out;
}
