import { randomInt } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { displayPath, tenantSchema, type Registry, type TenantInput } from "../../registry";
import { parseCommandArgs } from "./args";
import { registryOrReport, registrySummary } from "./project";
import { UsageError, type Command } from "./types";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** Characters after `org_` in a generated id: 36^10 ≈ 3.7e15, so a collision is a curiosity, and still checked. */
const ID_LENGTH = 10;

/** A fresh opaque org id (`org_` + 10 of a-z0-9) that no entry of the registry uses. */
export function generateOrgId(taken: ReadonlySet<string>, random: (max: number) => number = randomInt): string {
    for (;;) {
        const id = `org_${Array.from({ length: ID_LENGTH }, () => ID_ALPHABET[random(ID_ALPHABET.length)]).join("")}`;
        if (!taken.has(id)) return id;
    }
}

/**
 * The text of a new tenant file: the editor's `$schema` comment, the entry with the schema's
 * defaults written out, and commented pointers to the optional fields a reviewer may add.
 */
export function tenantFileText(entry: Required<Pick<TenantInput, "id" | "slug" | "displayName" | "plan" | "lifecycle" | "agentLimit">>): string {
    return [
        "# yaml-language-server: $schema=./schema.json",
        stringify(entry).trimEnd(),
        "# quota: optional overrides below the plan's ceilings, e.g. requestsCpu: \"8\" (pods follow agentLimit)",
        `# Secrets the agents read, e.g. - {name: openai-api, keys: [apiKey]}. Their values never go in this`,
        `# file: \`npx tenancy secrets ${entry.slug}\` prints the commands that set them in the stack config.`,
        stringify({ secrets: [] }).trimEnd(),
        "# CIDRs the agents may reach besides DNS and NATS, e.g. 203.0.113.0/24; 0.0.0.0/0 is refused.",
        stringify({ network: { egress: [] } }).trimEnd(),
        "",
    ].join("\n");
}

// Which flag (or argument) supplies each field, so a schema message names what the user typed.
const FLAG_OF: Record<string, string> = { slug: "<slug>", id: "--id", displayName: "--display-name", plan: "--plan", agentLimit: "--agent-limit" };

/** `tenancy add`: writes `tenants/<slug>.yaml` for a new tenant and validates the whole registry. */
export const addCommand: Command = {
    name: "add",
    summary: "add a tenant: write tenants/<slug>.yaml with a new opaque id, then validate the registry",
    help: `Usage: tenancy add <slug> --plan PLAN [--id ID] [--display-name NAME] [--agent-limit N] [--tenants DIR]

Writes <tenants>/<slug>.yaml for a new tenant from the registry schema: the editor's $schema
comment, a generated opaque id (org_ + 10 of a-z0-9) unless --id is given, lifecycle active, the
plan's agent limit, no secrets and no egress (commented examples show how to add them). Refuses a
slug or id the registry already uses, and a registry that is already invalid, writing nothing.
Then validates the whole registry and prints its summary.

Options:
  --plan PLAN           a plan of plans.yaml (required), e.g. free, standard, enterprise
  --id ID               the tenant's opaque org id (org_ then 3-40 of a-z0-9); generated when omitted
  --display-name NAME   the organization's name, for people only (default: the slug)
  --agent-limit N       maximum number of agents (default: the plan's agentLimit)
  --tenants DIR         registry directory (default: tenants)
  --help                show this help

Next: declare the tenant's secrets in the file if its agents need any, run
"tenancy secrets <slug>" for the commands that set their values, and open a pull request.

Exit codes: 0 written and the registry is valid; 2 bad usage, a taken slug or id, or an invalid registry.
`,
    async run(args, io) {
        const { flags, positionals } = parseCommandArgs("add", args, { plan: "string", id: "string", "display-name": "string", "agent-limit": "string", tenants: "string" }, 1);
        const slug = positionals[0];
        if (slug === undefined) throw new UsageError("add: give the new tenant's slug, e.g. tenancy add acme --plan standard");
        if (flags.plan === undefined) throw new UsageError(`add: --plan is required, e.g. tenancy add ${slug} --plan standard`);
        const dir = path.resolve(io.cwd, (flags.tenants as string | undefined) ?? "tenants");
        if (!fs.existsSync(dir)) throw new UsageError(`add: --tenants ${flags.tenants ?? "tenants"}: directory not found`);
        const registry = registryOrReport("add", dir, io, "fix them first; nothing was written");
        if (!registry) return 2;
        const entry = newEntry(slug, flags, registry);
        const file = path.join(dir, `${entry.slug}.yaml`);
        try {
            // Exclusive create: a file that appeared since the registry was read is never overwritten.
            fs.writeFileSync(file, tenantFileText(entry), { flag: "wx" });
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
            throw new UsageError(`add: slug "${entry.slug}" is taken: ${displayPath(file)} already exists; choose another slug (nothing was written)`);
        }
        const after = registryOrReport("add", dir, io, `${displayPath(file)} was removed again; nothing was written`);
        if (!after) {
            fs.rmSync(file);
            return 2;
        }
        io.out(`wrote ${displayPath(file)}: ${entry.slug} (${entry.id}), plan ${entry.plan}, agentLimit ${entry.agentLimit}, lifecycle ${entry.lifecycle}\n`);
        io.out(`${registrySummary(dir, after)}\n`);
        io.out(`next: declare its secrets in ${displayPath(file)} if its agents need any, run \`npx tenancy secrets ${entry.slug}\`, then open a pull request\n`);
        return 0;
    },
};

// The new entry from the flags, checked against the schema, the plan and the registry; any
// problem is a UsageError naming the flag, so nothing is written.
function newEntry(slug: string, flags: Record<string, string | boolean | undefined>, registry: Registry) {
    const plans = registry.plans.plans;
    const planName = flags.plan as string;
    const plan = plans[planName];
    if (!plan) throw new UsageError(`add: --plan ${planName}: unknown plan; plans: ${Object.keys(plans).sort().join(", ")}`);
    const limitText = flags["agent-limit"] as string | undefined;
    if (limitText !== undefined && !/^\d+$/.test(limitText)) throw new UsageError(`add: --agent-limit ${limitText}: must be a whole number`);
    const agentLimit = limitText === undefined ? plan.agentLimit : Number(limitText);
    if (agentLimit > plan.agentLimit) throw new UsageError(`add: --agent-limit ${agentLimit} exceeds the ${planName} plan's limit of ${plan.agentLimit}; lower it or choose another plan`);
    const owners = new Map(registry.entries.map((e) => [e.tenant.id, e.file]));
    const id = (flags.id as string | undefined) ?? generateOrgId(new Set(owners.keys()));
    const entry = { id, slug, displayName: (flags["display-name"] as string | undefined) ?? slug, plan: planName, lifecycle: "active" as const, agentLimit };
    const parsed = tenantSchema.safeParse(entry);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = String(issue.path[0]);
        const value = field === "slug" ? slug : String((entry as Record<string, unknown>)[field]);
        throw new UsageError(`add: ${FLAG_OF[field] ?? field} "${value}": ${issue.message}`);
    }
    const existing = registry.entries.find((e) => e.tenant.slug === slug)?.file;
    if (existing) throw new UsageError(`add: slug "${slug}" is taken: ${existing} already exists; choose another slug (nothing was written)`);
    const idOwner = owners.get(id);
    if (idOwner) throw new UsageError(`add: --id ${id} is already used by ${idOwner}; org ids must be unique (omit --id to generate one; nothing was written)`);
    return entry;
}
