import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The example registry shipped in tenants/. */
export const EXAMPLE_REGISTRY = path.resolve(__dirname, "../../tenants");

/**
 * Creates a temporary registry holding the example plan catalog and the given files
 * (name → YAML text); returns its directory.
 */
export function makeRegistry(files: Record<string, string>, options: { withPlans?: boolean } = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-registry-"));
    if (options.withPlans !== false) fs.copyFileSync(path.join(EXAMPLE_REGISTRY, "plans.yaml"), path.join(dir, "plans.yaml"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

/** A valid standard-plan tenant file for `slug`, with lines that tests may replace. */
export function tenantYaml(slug: string, extra = "", id = `org_${slug.replace(/[^a-z0-9]/g, "").padEnd(6, "0").slice(0, 20)}`): string {
    return `# yaml-language-server: $schema=./schema.json\nid: ${id}\nslug: ${slug}\ndisplayName: ${slug} Inc\nplan: standard\nagentLimit: 5\n${extra}`;
}
