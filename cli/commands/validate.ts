import * as path from "node:path";
import { displayPath, formatIssue, validateRegistry } from "../../registry";
import { parseFlags } from "./args";
import type { Command } from "./types";

/** `tenancy validate`: checks every registry file and reports all problems at once. */
export const validateCommand: Command = {
    name: "validate",
    summary: "check the tenant registry and report every problem",
    help: `Usage: tenancy validate [--tenants DIR]

Checks every file of the tenant registry (tenants/<slug>.yaml and tenants/plans.yaml) against
the schema and the cross-file rules, and reports every problem at once as
  <file>:<line>:<col> <field>: <what is wrong and what is allowed>

Options:
  --tenants DIR   registry directory (default: tenants)
  --help          show this help

Exit codes: 0 valid, 2 invalid registry or bad usage.
`,
    async run(args, io) {
        const flags = parseFlags("validate", args, { tenants: "string" });
        const dir = path.resolve(io.cwd, (flags.tenants as string | undefined) ?? "tenants");
        const { registry, issues } = validateRegistry(dir);
        if (!registry) {
            io.err(`${issues.map(formatIssue).join("\n")}\n`);
            io.err(`tenancy validate: ${issues.length} problem${issues.length === 1 ? "" : "s"} in ${displayPath(dir)}; nothing was changed\n`);
            return 2;
        }
        const byPlan = new Map<string, number>();
        for (const { tenant } of registry.entries) byPlan.set(tenant.plan, (byPlan.get(tenant.plan) ?? 0) + 1);
        const plans = [...byPlan].sort(([a], [b]) => a.localeCompare(b)).map(([plan, n]) => `${n} ${plan}`);
        const count = registry.entries.length;
        io.out(`${displayPath(dir)}: ${count} tenant${count === 1 ? "" : "s"} valid (${plans.join(", ") || "none"}), ${Object.keys(registry.plans.plans).length} plans\n`);
        return 0;
    },
};
