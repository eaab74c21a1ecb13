import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadRegistry, type Registry } from "../../registry";

// The plan catalog is the platform's code, tenants are data: the catalog is copied from the
// repository, the tenants below are the policy tests' own (never tenants/*.yaml).
const PLANS = path.resolve(__dirname, "../../tenants/plans.yaml");

/** The policy tests' tenants: one per plan, with secrets, overrides, IPv4 and IPv6 egress, a suspended one. */
export const POLICY_TENANTS: Readonly<Record<string, string>> = {
    "acme.yaml": `id: org_7f3k2m9q
slug: acme
displayName: Acme Robotics
plan: standard
agentLimit: 10
secrets:
  - name: openai-api
    keys: [apiKey]
network:
  egress: [203.0.113.0/24]
`,
    "globex.yaml": `id: org_k4x8p2wn
slug: globex
displayName: Globex Corporation
plan: enterprise
agentLimit: 40
quota:
  requestsCpu: "32"
secrets:
  - name: anthropic-api
    keys: [apiKey]
network:
  egress: [198.51.100.0/24, "2001:db8:40::/48"]
`,
    "initech.yaml": `id: org_q9d5t1ze
slug: initech
displayName: Initech
plan: free
lifecycle: suspended
agentLimit: 2
`,
};

const created: string[] = [];
process.once("exit", () => {
    for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes a registry (the catalog plus `files`) to a fresh temporary directory, removed when the process exits. */
export function writeRegistry(files: Record<string, string> = POLICY_TENANTS): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-registry-"));
    created.push(dir);
    fs.copyFileSync(PLANS, path.join(dir, "plans.yaml"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

/** The registry every policy test of a process reads (acme, globex, initech). */
export const REGISTRY_DIR = writeRegistry();

/** That registry, loaded. */
export const REGISTRY: Registry = loadRegistry(REGISTRY_DIR);
