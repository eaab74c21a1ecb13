import { natsAccountName, namespaceOf, NATS_ACCOUNTS_CONFIGMAP, NATS_CREDENTIALS_SECRET } from "../../contract";
import { tenantNatsKeys } from "../plan/rotate";
import { parseCommandArgs } from "./args";
import { registryOrReport, stackContext } from "./project";
import { UsageError, type Command } from "./types";

/** `tenancy rotate`: prints the `pulumi up --replace` that gives a tenant a new NATS key. */
export const rotateCommand: Command = {
    name: "rotate",
    summary: "print the exact pulumi up --replace command that rotates a tenant's NATS key",
    help: `Usage: tenancy rotate <slug> [--stack NAME] [--tenants DIR]

Runs the program as "tenancy plan" does (no credentials), finds the random bytes behind the
tenant's NATS nkey, and prints the command that replaces them:
  pulumi up --stack <stack> --policy-pack policy --replace '<urn>'
The URN is the one the engine computes for that resource, so the command is exact. It prints no
secret and changes nothing itself.

Options:
  --stack NAME    stack to rotate on (default: dev)
  --tenants DIR   registry directory (default: the stack's tenancy:tenantsDir, else tenants)
  --help          show this help

Exit codes: 0 printed; 1 the program failed or declares no NATS key for the tenant; 2 bad usage,
unknown tenant or invalid registry.
`,
    async run(args, io) {
        const { flags, positionals } = parseCommandArgs("rotate", args, { stack: "string", tenants: "string" }, 1);
        const slug = positionals[0];
        if (slug === undefined) throw new UsageError("rotate: give the tenant's slug, e.g. tenancy rotate acme");
        const context = stackContext("rotate", flags, io);
        const registry = registryOrReport("rotate", context.tenantsDir, io);
        if (!registry) return 2;
        const entry = registry.entries.find((e) => e.tenant.slug === slug);
        if (!entry) throw new UsageError(`rotate: no tenant "${slug}" in the registry (no ${slug}.yaml)`);
        let keys;
        try {
            keys = await tenantNatsKeys({ ...context, registry, slug });
        } catch (error) {
            io.err(`tenancy rotate: the program failed:\n${(error as Error).message}\n`);
            return 1;
        }
        if (keys.length !== 1) {
            io.err(`tenancy rotate: the program declares ${keys.length} random-bytes resources for tenant ${slug}${keys.length ? ` (${keys.map((k) => k.name).join(", ")})` : ""}; expected exactly its NATS key\n`);
            return 1;
        }
        const { tenant } = entry;
        io.out(`To rotate the NATS key of tenant ${slug} (account ${natsAccountName(tenant)}) on stack ${context.stack}, run:\n\n`);
        io.out(`  pulumi up --stack ${context.stack} --policy-pack policy --replace '${keys[0].urn}'\n\n`);
        io.out(
            `The new random bytes give a new nkey: Secret ${namespaceOf(tenant)}/${NATS_CREDENTIALS_SECRET} and the server's auth.json ` +
                `(ConfigMap ${NATS_ACCOUNTS_CONFIGMAP}) change in the same update. The old key stops working when nats-server reloads ` +
                `auth.json; restart the tenant's agents so they read the new Secret.\n`,
        );
        return 0;
    },
};
