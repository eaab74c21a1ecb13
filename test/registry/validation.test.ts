import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { formatIssue, loadRegistry, RegistryError, validateRegistry } from "../../registry";
import { EXAMPLE_REGISTRY, LIVE_REGISTRY, makeRegistry, tenantYaml } from "../support/registry-fixture";

/** Every problem of a registry as the CLI prints it, with the temp directory shown as `tenants`. */
function problems(dir: string): string[] {
    return validateRegistry(dir).issues.map((issue) => formatIssue(issue).split(dir).join("tenants"));
}

describe("the example registry", () => {
    it("is valid, with one tenant per plan, sorted by slug", () => {
        const registry = loadRegistry(EXAMPLE_REGISTRY);
        expect(registry.entries.map((e) => [e.tenant.slug, e.tenant.plan])).toEqual([
            ["acme", "standard"],
            ["globex", "enterprise"],
            ["initech", "free"],
        ]);
    });

    it("matches the committed registry, whose every entry starts with a yaml-language-server $schema comment", () => {
        for (const name of fs.readdirSync(LIVE_REGISTRY).filter((n) => n.endsWith(".yaml"))) {
            const first = fs.readFileSync(path.join(LIVE_REGISTRY, name), "utf8").split("\n")[0];
            const schema = name === "plans.yaml" ? "plans.schema.json" : "schema.json";
            expect(first, name).toBe(`# yaml-language-server: $schema=./${schema}`);
        }
    });

    it("applies defaults: lifecycle active, no secrets, no egress", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme") });
        const [entry] = loadRegistry(dir).entries;
        expect(entry.tenant).toMatchObject({ lifecycle: "active", secrets: [], network: { egress: [] } });
    });
});

describe("schema rules", () => {
    it("rejects an unknown key and suggests the field it resembles", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme").replace("plan: standard", "plna: standard") });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:2:1 plan: is required (string)",
            'tenants/acme.yaml:5:1 plna: unknown field; did you mean "plan"? Allowed: id, slug, displayName, plan, lifecycle, agentLimit, quota, secrets, network',
        ]);
    });

    it("rejects unknown keys in nested objects too", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme", "network:\n  egres: [203.0.113.0/24]\n") });
        expect(problems(dir)).toEqual([
            'tenants/acme.yaml:8:3 network.egres: unknown field; did you mean "egress"? Allowed: egress',
        ]);
    });

    it("requires agentLimit to be a non-negative whole number", () => {
        const negative = makeRegistry({ "acme.yaml": tenantYaml("acme").replace("agentLimit: 5", "agentLimit: -1") });
        expect(problems(negative)).toEqual(["tenants/acme.yaml:6:13 agentLimit: must be 0 or more"]);
        const fraction = makeRegistry({ "acme.yaml": tenantYaml("acme").replace("agentLimit: 5", "agentLimit: 2.5") });
        expect(problems(fraction)).toEqual(["tenants/acme.yaml:6:13 agentLimit: must be a whole number"]);
    });

    it("refuses an unknown lifecycle", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme", "lifecycle: paused\n") });
        expect(problems(dir)).toEqual(["tenants/acme.yaml:7:12 lifecycle: must be one of active, suspended, decommissioned"]);
    });

    it("requires the opaque org id format", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme", "", "Acme Robotics") });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:2:5 id: must be an opaque org id like org_abc123 (org_ then 3-40 of a-z0-9)",
        ]);
    });

    it("requires the slug to be a DNS label", () => {
        const dir = makeRegistry({ "Acme_Co.yaml": tenantYaml("Acme_Co", "", "org_acme01") });
        expect(problems(dir)).toEqual([
            "tenants/Acme_Co.yaml:3:7 slug: must be a DNS label: lowercase letters, digits and '-', starting and ending alphanumeric",
        ]);
    });

    it("keeps the namespace name within 63 characters", () => {
        const slug = "a".repeat(60);
        const dir = makeRegistry({ [`${slug}.yaml`]: tenantYaml(slug, "", "org_long01") });
        expect(problems(dir)).toEqual([
            `tenants/${slug}.yaml:3:7 slug: must be at most 59 characters so that the namespace "org-<slug>" fits in 63`,
        ]);
    });

    it("requires quota overrides to be Kubernetes quantities", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme", "quota:\n  requestsCpu: lots\n  limitsMemory: 8\n") });
        expect(problems(dir)).toEqual([
            'tenants/acme.yaml:8:16 quota.requestsCpu: must be a Kubernetes quantity such as "500m", "2", "512Mi" or "8Gi"',
            'tenants/acme.yaml:9:17 quota.limitsMemory: must be a Kubernetes quantity in quotes, e.g. "500m" or "8Gi"',
        ]);
    });

    it("requires secret names to be DNS subdomains with at least one key", () => {
        const dir = makeRegistry({
            "acme.yaml": tenantYaml("acme", "secrets:\n  - name: OpenAI_Key\n    keys: []\n"),
        });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:8:11 secrets[0].name: must be a DNS subdomain: lowercase letters, digits, '-' and '.', starting and ending alphanumeric",
            "tenants/acme.yaml:9:11 secrets[0].keys: must list at least one key",
        ]);
    });

    it("refuses secret names the platform generates", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme", "secrets:\n  - name: nats-credentials\n    keys: [token]\n") });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:8:11 secrets[0].name: is generated by the platform; choose another name (reserved: nats-credentials)",
        ]);
    });

    it("refuses invalid egress CIDRs", () => {
        const dir = makeRegistry({
            "acme.yaml": tenantYaml("acme", "network:\n  egress:\n    - 203.0.113.0\n    - 203.0.113.7/24\n    - 300.1.1.0/24\n    - 10.0.0.0/33\n"),
        });
        expect(problems(dir)).toEqual([
            'tenants/acme.yaml:9:7 network.egress[0]: "203.0.113.0" is not a CIDR: write address/prefix, e.g. 203.0.113.0/24',
            'tenants/acme.yaml:10:7 network.egress[1]: "203.0.113.7/24" has host bits set: write the network address with prefix /24',
            'tenants/acme.yaml:11:7 network.egress[2]: "300.1.1.0/24" is not a CIDR: "300.1.1.0" is not an IPv4 or IPv6 address',
            'tenants/acme.yaml:12:7 network.egress[3]: "10.0.0.0/33" is not a CIDR: the prefix length must be 0 to 32',
        ]);
    });

    it("refuses egress to the whole internet, IPv4 and IPv6", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme", 'network:\n  egress: ["0.0.0.0/0", "::/0"]\n') });
        expect(problems(dir)).toEqual([
            'tenants/acme.yaml:8:12 network.egress[0]: "0.0.0.0/0" opens egress to the whole internet; declare the narrower ranges the agents need',
            'tenants/acme.yaml:8:25 network.egress[1]: "::/0" opens egress to the whole internet; declare the narrower ranges the agents need',
        ]);
    });
});

describe("cross-file and semantic rules", () => {
    it("requires the file name to equal <slug>.yaml", () => {
        const dir = makeRegistry({ "acme-corp.yaml": tenantYaml("acme") });
        expect(problems(dir)).toEqual([
            "tenants/acme-corp.yaml:3:7 slug: file must be named after the slug: rename acme-corp.yaml to acme.yaml or change slug",
        ]);
    });

    it("requires unique ids across files, naming the first owner", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme", "", "org_same01"), "beta.yaml": tenantYaml("beta", "", "org_same01") });
        expect(problems(dir)).toEqual([
            'tenants/beta.yaml:2:5 id: "org_same01" is already used by tenants/acme.yaml; org ids must be unique',
        ]);
    });

    it("requires unique slugs across files", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme"), "acme2.yaml": tenantYaml("acme", "", "org_other1") });
        expect(problems(dir)).toEqual([
            "tenants/acme2.yaml:3:7 slug: file must be named after the slug: rename acme2.yaml to acme.yaml or change slug",
            'tenants/acme2.yaml:3:7 slug: "acme" is already used by tenants/acme.yaml; slugs must be unique',
        ]);
    });

    it("refuses an unknown plan, listing the catalog's plans", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme").replace("plan: standard", "plan: premium") });
        expect(problems(dir)).toEqual(['tenants/acme.yaml:5:7 plan: unknown plan "premium"; allowed: enterprise, free, standard']);
    });

    it("keeps agentLimit within the plan's ceiling", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme").replace("agentLimit: 5", "agentLimit: 11") });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:6:13 agentLimit: 11 exceeds the standard plan's limit of 10; lower it or change plan",
        ]);
    });

    it("keeps quota overrides within the plan's ceiling, comparing quantities not strings", () => {
        const dir = makeRegistry({
            "acme.yaml": tenantYaml("acme", 'quota:\n  requestsCpu: "10001m"\n  requestsMemory: 40960Mi\n  persistentVolumeClaims: 21\n'),
        });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:8:16 quota.requestsCpu: 10001m exceeds the standard plan's ceiling of 10; lower it or change plan",
            "tenants/acme.yaml:10:27 quota.persistentVolumeClaims: 21 exceeds the standard plan's ceiling of 20; lower it or change plan",
        ]);
    });

    it("refuses a secret declared twice", () => {
        const dir = makeRegistry({
            "acme.yaml": tenantYaml("acme", "secrets:\n  - name: api\n    keys: [a]\n  - name: api\n    keys: [b, b]\n"),
        });
        expect(problems(dir)).toEqual([
            'tenants/acme.yaml:10:11 secrets[1].name: "api" is declared twice; secret names must be unique',
            'tenants/acme.yaml:11:15 secrets[1].keys[1]: "b" is listed twice',
        ]);
    });

    it("asks for .yaml instead of .yml", () => {
        const dir = makeRegistry({ "acme.yml": tenantYaml("acme") });
        expect(problems(dir)).toEqual(["tenants/acme.yml:1:1 (file): rename to acme.yaml; registry files end in .yaml"]);
    });

    it("requires the plan catalog", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme") }, { withPlans: false });
        expect(problems(dir)).toEqual(["tenants/plans.yaml:1:1 (file): plan catalog not found; every registry needs plans.yaml"]);
    });

    it("checks the plan catalog's own consistency", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme") });
        const plans = fs.readFileSync(path.join(dir, "plans.yaml"), "utf8");
        fs.writeFileSync(path.join(dir, "plans.yaml"), plans.replace("defaultRequest: { cpu: 500m, memory: 2Gi }\n      max: { cpu: 4000m", "defaultRequest: { cpu: 3000m, memory: 2Gi }\n      max: { cpu: 4000m"));
        expect(problems(dir)).toEqual([
            "tenants/plans.yaml:41:30 plans.standard.limitRange.defaultRequest.cpu: must not exceed limitRange.default.cpu (2000m)",
        ]);
    });

    it("keeps every plan its own tier: PriorityClass names and values are unique", () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme") });
        const plans = fs.readFileSync(path.join(dir, "plans.yaml"), "utf8");
        fs.writeFileSync(path.join(dir, "plans.yaml"), plans.replace("priorityClassName: tenancy-free\n    priority: 1000\n", "priorityClassName: tenancy-standard\n    priority: 10000\n"));
        expect(problems(dir)).toEqual([
            "tenants/plans.yaml:27:24 plans.standard.priorityClassName: must differ from plan free's (tenancy-standard); every plan is its own tier",
            "tenants/plans.yaml:28:15 plans.standard.priority: must differ from plan free's (10000); every plan is its own tier",
        ]);
    });

    it("reports a file's schema errors and its registry-level errors in the same pass", () => {
        const dir = makeRegistry({
            "acme.yaml": tenantYaml("acme", "lifecycle: paused\nnetwork:\n  egres: []\n").replace("agentLimit: 5", "agentLimit: 50"),
            "beta.yaml": tenantYaml("beta", "", "org_acme00").replace("plan: standard", "plan: gold").replace("displayName: beta Inc", "displayName: \"\""),
            "gamma.yaml": tenantYaml("delta").replace("agentLimit: 5", "agentLimit: many"),
        });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:6:13 agentLimit: 50 exceeds the standard plan's limit of 10; lower it or change plan",
            "tenants/acme.yaml:7:12 lifecycle: must be one of active, suspended, decommissioned",
            'tenants/acme.yaml:9:3 network.egres: unknown field; did you mean "egress"? Allowed: egress',
            'tenants/beta.yaml:2:5 id: "org_acme00" is already used by tenants/acme.yaml; org ids must be unique',
            "tenants/beta.yaml:4:14 displayName: must not be empty",
            'tenants/beta.yaml:5:7 plan: unknown plan "gold"; allowed: enterprise, free, standard',
            "tenants/gamma.yaml:3:7 slug: file must be named after the slug: rename gamma.yaml to delta.yaml or change slug",
            "tenants/gamma.yaml:6:13 agentLimit: must be a whole number",
        ]);
    });

    it("reports every problem of every file at once", () => {
        const dir = makeRegistry({
            "acme.yaml": tenantYaml("acme").replace("agentLimit: 5", "agentLimit: 50"),
            "beta.yaml": tenantYaml("beta").replace("plan: standard", "plan: gold"),
            "gamma.yaml": "",
        });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:6:13 agentLimit: 50 exceeds the standard plan's limit of 10; lower it or change plan",
            'tenants/beta.yaml:5:7 plan: unknown plan "gold"; allowed: enterprise, free, standard',
            "tenants/gamma.yaml:1:1 (file): file is empty; it must hold one mapping (see tenants/schema.json)",
        ]);
        const error = (() => {
            try {
                loadRegistry(dir);
            } catch (e) {
                return e as RegistryError;
            }
        })();
        expect(error).toBeInstanceOf(RegistryError);
        expect(error?.message.split("\n")[0]).toBe("3 problems in the tenant registry:");
    });
});

describe("malformed files", () => {
    it("reports YAML syntax errors with their position", () => {
        const dir = makeRegistry({ "acme.yaml": "id: org_acme01\nslug: [acme\n" });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:3:1 (file): invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
        ]);
    });

    it("reports duplicate keys", () => {
        const dir = makeRegistry({ "acme.yaml": `${tenantYaml("acme")}plan: free\n` });
        expect(problems(dir)).toEqual(["tenants/acme.yaml:7:1 (file): invalid YAML: Map keys must be unique"]);
    });

    it("rejects an empty file", () => {
        const dir = makeRegistry({ "acme.yaml": "# only a comment\n" });
        expect(problems(dir)).toEqual(["tenants/acme.yaml:1:1 (file): file is empty; it must hold one mapping (see tenants/schema.json)"]);
    });

    it("rejects several documents in one file", () => {
        const dir = makeRegistry({ "acme.yaml": `${tenantYaml("acme")}---\n${tenantYaml("beta")}` });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:7:1 (file): holds several YAML documents; keep exactly one per file (remove '---')",
        ]);
    });

    it("rejects a top-level list", () => {
        const dir = makeRegistry({ "acme.yaml": "- id: org_acme01\n- slug: acme\n" });
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:1:1 (file): top level is a list; it must be a mapping of fields (see tenants/schema.json)",
        ]);
    });

    it("stops an alias bomb quickly", () => {
        const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
        for (let i = 1; i < 10; i++) {
            const prev = String.fromCharCode(96 + i);
            const name = String.fromCharCode(97 + i);
            levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
        }
        const dir = makeRegistry({ "acme.yaml": `${levels.join("\n")}\n` });
        const started = process.hrtime.bigint();
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:1:1 (file): cannot be read: Excessive alias count indicates a resource exhaustion attack (aliases may expand at most 50 times)",
        ]);
        expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
    });

    it("refuses a huge file without reading it", () => {
        const dir = makeRegistry({});
        const fd = fs.openSync(path.join(dir, "acme.yaml"), "w");
        fs.ftruncateSync(fd, 1024 * 1024 * 1024);
        fs.closeSync(fd);
        const started = process.hrtime.bigint();
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:1:1 (file): file is 1073741824 bytes; registry files must be under 262144 bytes",
        ]);
        expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
    });

    it("reports a link to nothing, a directory and a link to one as entries that are not regular files", () => {
        const dir = makeRegistry({});
        fs.symlinkSync("nowhere.yaml", path.join(dir, "acme.yaml"));
        fs.mkdirSync(path.join(dir, "globex.yaml"));
        fs.symlinkSync("globex.yaml", path.join(dir, "initech.yaml"));
        expect(problems(dir)).toEqual([
            "tenants/acme.yaml:1:1 (file): is not a regular file",
            "tenants/globex.yaml:1:1 (file): is not a regular file",
            "tenants/initech.yaml:1:1 (file): is not a regular file",
        ]);
    });

    it("reports a missing registry directory", () => {
        expect(validateRegistry("/nonexistent/tenancy-registry").issues.map(formatIssue)).toEqual([
            "/nonexistent/tenancy-registry:1:1 (file): registry directory not found; pass --tenants DIR",
        ]);
    });
});
