import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { natsStackKeys, natsTrustKeys } from "../../components";
import { loadRegistry } from "../../registry";
import { main } from "../../cli/main";
import { RULES } from "../../policy/rules";
import { captureIO, PROJECT_ROOT } from "../support/cli";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";

const MASTER = Buffer.from(TEST_NATS_MASTER_KEY, "hex");
const HINT = 'Run "tenancy pack-config --help" for usage.\n';
const projects: string[] = [];
afterAll(() => projects.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A project of its own with stack files `whole` (unsharded) and `s1` (shard 1 of 3), both over the example registry. */
function project(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-pack-config-"));
    projects.push(dir);
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.whole.yaml"), `config:\n  tenancy:tenantsDir: ${EXAMPLE_REGISTRY}\n`);
    fs.writeFileSync(path.join(dir, "Pulumi.s1.yaml"), `config:\n  tenancy:tenantsDir: ${EXAMPLE_REGISTRY}\n  tenancy:shard:\n    index: 1\n    count: 3\n`);
    fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), `config:\n  tenancy:shard:\n    index: 0\n    count: 300\n`);
    return dir;
}

async function packConfig(cwd: string, args: string[], stdin?: string) {
    const io = { ...captureIO(cwd), readStdin: async () => stdin };
    const code = await main(["pack-config", ...args], io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const REGISTRY_RULES = RULES.filter((r) => r.configSchema?.properties && "registryDir" in r.configSchema.properties).map((r) => r.name);

// What pack-config must print as natsKeys: every example tenant at its stack's generation.
function expectedKeys(generations: Record<string, number> = {}) {
    const registry = loadRegistry(EXAMPLE_REGISTRY);
    return natsStackKeys(MASTER, registry.entries.map((e) => ({ id: e.tenant.id, generation: generations[e.tenant.slug] ?? 1 })));
}

describe("tenancy pack-config", () => {
    it("gives every rule that reads the registry the stack's registry, relative to the pack, and the NATS rule the keys derived from the master key on stdin", async () => {
        const cwd = project();
        const run = await packConfig(cwd, ["--stack", "whole"], `${TEST_NATS_MASTER_KEY}\n`);
        expect(run.code).toBe(0);
        const relative = path.relative(path.join(cwd, "policy"), EXAMPLE_REGISTRY);
        const printed = JSON.parse(run.stdout);
        expect(printed).toEqual(Object.fromEntries(REGISTRY_RULES.map((name) => [name, name === "isolate-tenant-nats" ? { registryDir: relative, natsKeys: expectedKeys() } : { registryDir: relative }])));
        expect(Object.keys(printed["isolate-tenant-nats"].natsKeys.tenants)).toHaveLength(loadRegistry(EXAMPLE_REGISTRY).entries.length);
        expect(run.stdout + run.stderr).not.toContain(TEST_NATS_MASTER_KEY);
        // Relative to the directory given with --policy-pack, which the pack resolves it against.
        const elsewhere = await packConfig(cwd, ["--stack", "whole", "--policy-pack", PROJECT_ROOT + "/policy"], TEST_NATS_MASTER_KEY);
        const dir = JSON.parse(elsewhere.stdout)["isolate-tenant-nats"].registryDir as string;
        expect(path.resolve(PROJECT_ROOT, "policy", dir)).toBe(EXAMPLE_REGISTRY);
    });

    it("derives each tenant's signing key and user at the stack's key generation", async () => {
        const cwd = project();
        const slug = loadRegistry(EXAMPLE_REGISTRY).entries[0].tenant.slug;
        fs.writeFileSync(path.join(cwd, "Pulumi.rotated.yaml"), `config:\n  tenancy:tenantsDir: ${EXAMPLE_REGISTRY}\n  tenancy:natsKeyGenerations:\n    ${slug}: 3\n`);
        const run = await packConfig(cwd, ["--stack", "rotated"], TEST_NATS_MASTER_KEY);
        expect(JSON.parse(run.stdout)["isolate-tenant-nats"].natsKeys).toEqual(expectedKeys({ [slug]: 3 }));
        expect(expectedKeys({ [slug]: 3 })).not.toEqual(expectedKeys());
    });

    it("pins a shard's NATS rule to its shard and the keys of the master key read from stdin, never printing the key", async () => {
        const run = await packConfig(project(), ["--stack", "s1"], `${TEST_NATS_MASTER_KEY}\n`);
        expect(run.code).toBe(0);
        const keys = natsTrustKeys(MASTER);
        expect(JSON.parse(run.stdout)["isolate-tenant-nats"]).toEqual({
            registryDir: expect.any(String), shard: { index: 1, count: 3 }, natsOperatorKey: keys.operator, natsPlatformAccountKey: keys.platformAccount, natsKeys: expectedKeys(),
        });
        expect(run.stdout + run.stderr).not.toContain(TEST_NATS_MASTER_KEY);
    });

    it("says how to pipe the master key in when it gets none, and refuses one that is not a key", async () => {
        const cwd = project();
        for (const stack of ["whole", "s1"]) {
            expect(await packConfig(cwd, ["--stack", stack])).toEqual({
                code: 2, stdout: "",
                stderr: `tenancy pack-config: the pack is pinned to the NATS keys derived from stack ${stack}'s master key: pipe it in: pulumi config get tenancy:natsMasterKey --stack ${stack} | npx tenancy pack-config --stack ${stack}\n${HINT}`,
            });
        }
        expect((await packConfig(cwd, ["--stack", "s1"], "not a key!")).stderr).toBe(
            `tenancy pack-config: the master key on standard input is not one: tenancy:natsMasterKey is neither hex nor base64; create one with: openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey\n${HINT}`,
        );
        expect((await packConfig(cwd, ["--stack", "bad"])).stderr).toBe(`tenancy pack-config: Pulumi.bad.yaml: tenancy:shard.count: must be at most 256\n${HINT}`);
    });

    it("reads stdin through the real process", () => {
        const cwd = project();
        const out = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "bin/tenancy.js"), "pack-config", "--stack", "s1"], { cwd, input: TEST_NATS_MASTER_KEY, timeout: 60_000 }).toString();
        expect(JSON.parse(out)["isolate-tenant-nats"].natsOperatorKey).toBe(natsTrustKeys(MASTER).operator);
    });
});
