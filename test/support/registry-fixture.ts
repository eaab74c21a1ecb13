import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * The committed registry folder. It is data, not a fixture: tests may check that it validates and
 * that its generated schemas are current, never what (or how many) tenants it holds.
 */
export const LIVE_REGISTRY = path.resolve(__dirname, "../../tenants");

/**
 * The example tenants the tests build their registries from: one per plan, covering secrets,
 * quota overrides, IPv4/IPv6 egress and a suspended tenant. Kept here, not read from tenants/, so
 * adding, editing or removing a file there never changes what a test sees.
 */
export const EXAMPLE_TENANTS: Readonly<Record<string, string>> = {
    "acme.yaml": `# yaml-language-server: $schema=./schema.json
id: org_7f3k2m9q
slug: acme
displayName: Acme Robotics
plan: standard
lifecycle: active
agentLimit: 10
secrets:
  - name: openai-api
    keys: [apiKey]
  - name: github-app
    keys: [appId, privateKey]
network:
  egress:
    - 203.0.113.0/24
`,
    "globex.yaml": `# yaml-language-server: $schema=./schema.json
id: org_k4x8p2wn
slug: globex
displayName: Globex Corporation
plan: enterprise
agentLimit: 40
quota:
  requestsCpu: "32"
  limitsMemory: 256Gi
secrets:
  - name: anthropic-api
    keys: [apiKey]
network:
  egress:
    - 198.51.100.0/24
    - 2001:db8:40::/48
`,
    "initech.yaml": `# yaml-language-server: $schema=./schema.json
id: org_q9d5t1ze
slug: initech
displayName: Initech
plan: free
lifecycle: suspended
agentLimit: 2
`,
};

// Every registry this process created; removed when it exits.
const created: string[] = [];
process.once("exit", () => {
    for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Creates a temporary registry holding the plan catalog (the committed tenants/plans.yaml: the
 * catalog is the platform's code, tenants are data) and the given files (name → YAML text);
 * returns its directory, removed when the test process exits.
 */
export function makeRegistry(files: Record<string, string>, options: { withPlans?: boolean } = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-registry-"));
    created.push(dir);
    if (options.withPlans !== false) fs.copyFileSync(path.join(LIVE_REGISTRY, "plans.yaml"), path.join(dir, "plans.yaml"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

/** A fresh temporary registry with the example tenants (acme, globex, initech) and the plan catalog. */
export function exampleRegistry(): string {
    return makeRegistry({ ...EXAMPLE_TENANTS });
}

/** One generated example registry shared by the tests of a process that only read it. */
export const EXAMPLE_REGISTRY = exampleRegistry();

/** A valid standard-plan tenant file for `slug`, with lines that tests may replace. */
export function tenantYaml(slug: string, extra = "", id = `org_${slug.replace(/[^a-z0-9]/g, "").padEnd(6, "0").slice(0, 20)}`): string {
    return `# yaml-language-server: $schema=./schema.json\nid: ${id}\nslug: ${slug}\ndisplayName: ${slug} Inc\nplan: standard\nagentLimit: 5\n${extra}`;
}
