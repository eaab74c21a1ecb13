import * as path from "node:path";
import { parseFlags } from "./args";
import { registryOrReport, registrySummary } from "./project";
import type { Command } from "./types";

/** `tenancy validate`: checks every registry file and reports all problems at once. */
export const validateCommand: Command = {
    name: "validate",
    summary: "check the tenant registry and report every problem",
    help: `Usage: tenancy validate [--tenants DIR]

Checks every file of the tenant registry (tenants/<slug>.yaml and tenants/plans.yaml) against
the schema, the cross-file rules and the policy pack's registry-level checks (egress CIDRs that
reach the cluster's pod or Service ranges, link-local or metadata addresses, or together cover
the internet), and reports every problem at once as
  <file>:<line>:<col> <field>: <what is wrong and what is allowed>

Options:
  --tenants DIR   registry directory (default: tenants)
  --help          show this help

Exit codes: 0 valid, 2 invalid registry or bad usage.
`,
    async run(args, io) {
        const flags = parseFlags("validate", args, { tenants: "string" });
        const dir = path.resolve(io.cwd, (flags.tenants as string | undefined) ?? "tenants");
        const registry = registryOrReport("validate", dir, io);
        if (!registry) return 2;
        io.out(`${registrySummary(dir, registry)}\n`);
        return 0;
    },
};
