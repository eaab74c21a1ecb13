import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { natsTrustKeys } from "../../components";
import { main } from "../../cli/main";
import { RULES } from "../../policy/rules";
import { captureIO, PROJECT_ROOT } from "../support/cli";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";

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

describe("tenancy pack-config", () => {
    it("gives every rule that reads the registry the stack's registry, relative to the pack, and asks for no master key when unsharded", async () => {
        const cwd = project();
        const run = await packConfig(cwd, ["--stack", "whole"]);
        expect(run.code).toBe(0);
        const relative = path.relative(path.join(cwd, "policy"), EXAMPLE_REGISTRY);
        expect(JSON.parse(run.stdout)).toEqual(Object.fromEntries(REGISTRY_RULES.map((name) => [name, { registryDir: relative }])));
        expect(REGISTRY_RULES).toContain("isolate-tenant-nats");
        // Relative to the directory given with --policy-pack, which the pack resolves it against.
        const elsewhere = await packConfig(cwd, ["--stack", "whole", "--policy-pack", PROJECT_ROOT + "/policy"]);
        const dir = JSON.parse(elsewhere.stdout)["isolate-tenant-nats"].registryDir as string;
        expect(path.resolve(PROJECT_ROOT, "policy", dir)).toBe(EXAMPLE_REGISTRY);
    });

    it("pins a shard's NATS rule to the keys of the master key read from stdin, never printing the key", async () => {
        const run = await packConfig(project(), ["--stack", "s1"], `${TEST_NATS_MASTER_KEY}\n`);
        expect(run.code).toBe(0);
        const keys = natsTrustKeys(Buffer.from(TEST_NATS_MASTER_KEY, "hex"));
        expect(JSON.parse(run.stdout)["isolate-tenant-nats"]).toEqual({
            registryDir: expect.any(String), shard: { index: 1, count: 3 }, natsOperatorKey: keys.operator, natsPlatformAccountKey: keys.platformAccount,
        });
        expect(run.stdout + run.stderr).not.toContain(TEST_NATS_MASTER_KEY);
    });

    it("says how to pipe the master key in when a sharded stack gets none, and refuses one that is not a key", async () => {
        const cwd = project();
        expect(await packConfig(cwd, ["--stack", "s1"])).toEqual({
            code: 2, stdout: "",
            stderr: `tenancy pack-config: stack s1 is shard 1 of 3, so its NATS keys are pinned: pipe it in: pulumi config get tenancy:natsMasterKey --stack s1 | npx tenancy pack-config --stack s1\n${HINT}`,
        });
        expect((await packConfig(cwd, ["--stack", "s1"], "not a key!")).stderr).toBe(
            `tenancy pack-config: the master key on standard input is not one: tenancy:natsMasterKey is neither hex nor base64; create one with: openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey\n${HINT}`,
        );
        expect((await packConfig(cwd, ["--stack", "bad"])).stderr).toBe(`tenancy pack-config: Pulumi.bad.yaml: tenancy:shard.count: must be at most 256\n${HINT}`);
    });

    it("reads stdin through the real process", () => {
        const cwd = project();
        const out = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "bin/tenancy.js"), "pack-config", "--stack", "s1"], { cwd, input: TEST_NATS_MASTER_KEY, timeout: 60_000 }).toString();
        expect(JSON.parse(out)["isolate-tenant-nats"].natsOperatorKey).toBe(natsTrustKeys(Buffer.from(TEST_NATS_MASTER_KEY, "hex")).operator);
    });
});
