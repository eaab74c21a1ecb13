import * as fs from "node:fs";
import * as path from "node:path";

const PLANS = ["free", "standard", "enterprise"] as const;
const AGENTS: Record<(typeof PLANS)[number], number> = { free: 2, standard: 8, enterprise: 30 };

/**
 * Writes a registry of `n` generated tenants into `dir`: the project's plan catalog, plans cycling
 * free/standard/enterprise, two declared secrets each, opaque ids derived from the index; returns
 * stand-in values for the declared secrets, shaped like `tenancy:secrets`.
 */
export function generateRegistry(dir: string, n: number): Record<string, Record<string, Record<string, string>>> {
    const secrets: Record<string, Record<string, Record<string, string>>> = {};
    fs.copyFileSync(path.resolve(__dirname, "../tenants/plans.yaml"), path.join(dir, "plans.yaml"));
    for (let i = 0; i < n; i++) {
        const plan = PLANS[i % PLANS.length];
        const slug = `t${String(i).padStart(5, "0")}`;
        // Benchmark stand-ins, not credentials: the program only wraps them as secrets.
        secrets[slug] = { "model-api": { apiKey: `bench-${slug}` }, "git-app": { appId: String(i), privateKey: `bench-key-${slug}` } };
        fs.writeFileSync(
            path.join(dir, `${slug}.yaml`),
            [
                `id: org_b${i.toString(36).padStart(6, "0")}`,
                `slug: ${slug}`,
                `displayName: Tenant ${i}`,
                `plan: ${plan}`,
                `agentLimit: ${AGENTS[plan]}`,
                "secrets:",
                "  - name: model-api",
                "    keys: [apiKey]",
                "  - name: git-app",
                "    keys: [appId, privateKey]",
                "",
            ].join("\n"),
        );
    }
    return secrets;
}
