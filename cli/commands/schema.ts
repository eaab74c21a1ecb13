import * as fs from "node:fs";
import * as path from "node:path";
import { registryJsonSchemas } from "../../registry";
import { parseFlags } from "./args";
import type { Command } from "./types";

/** `tenancy schema`: writes or checks the JSON Schemas generated from the zod registry schema. */
export const schemaCommand: Command = {
    name: "schema",
    summary: "write or check the registry's JSON Schemas (tenants/schema.json, tenants/plans.schema.json)",
    help: `Usage: tenancy schema [--tenants DIR] [--check]

Generates the JSON Schemas of a tenant entry and of the plan catalog from the zod schema (the
single source of truth) and writes them into the registry directory, where editors pick them up
through each file's yaml-language-server comment.

Options:
  --tenants DIR   registry directory (default: tenants)
  --check         write nothing; exit 1 if a committed schema is out of date
  --help          show this help
`,
    async run(args, io) {
        const flags = parseFlags("schema", args, { tenants: "string", check: "boolean" });
        const dir = path.resolve(io.cwd, (flags.tenants as string | undefined) ?? "tenants");
        let stale = 0;
        for (const [name, text] of Object.entries(registryJsonSchemas())) {
            const file = path.join(dir, name);
            const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
            if (current === text) continue;
            if (flags.check) {
                io.err(`${path.relative(io.cwd, file)} is out of date; run: npx tenancy schema\n`);
                stale++;
            } else {
                fs.writeFileSync(file, text);
                io.out(`wrote ${path.relative(io.cwd, file)}\n`);
            }
        }
        return stale > 0 ? 1 : 0;
    },
};
