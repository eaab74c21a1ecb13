// A registry sharded across stacks through the real CLI: shard 1 of 3 of a registry of its own is
// previewed and deployed with the real pack configured as `tenancy pack-config` prints it (the shard
// and the NATS keys every shard is pinned to), and the pack stops a stack that declares another
// shard's tenants or runs without the pins. Shard 0's objects (PriorityClasses, operator.conf)
// would collide with the suite's own stack on this cluster; bench/preview.ts deploys every shard.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import "./support/context";
import { natsPins } from "../../cli/plan/pack-config";
import { namespaceOf, natsAccountConfigMapName } from "../../contract";
import { loadRegistry, shardOf, type Registry } from "../../registry";
import { tenantYaml } from "../support/registry-fixture";
import { adminClient } from "./support/kube";
import { createStack, pulumi, PROJECT_ROOT, runBounded, type StackWorkspace } from "./support/stack";

const e2e = inject("e2e");
const admin = adminClient(e2e.kubeconfigPath);
const MASTER = randomBytes(32).toString("hex");
const PINS = natsPins(MASTER);
const SHARD = (index: number) => ({ index, count: 3 });

// Two tenants per shard of 3, with slugs and ids of their own so nothing collides with the suite's stack.
function shardRegistry(): Registry {
    const dir = path.join(e2e.workspace.dir, "shard-registry");
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(e2e.registryDir, "plans.yaml"), path.join(dir, "plans.yaml"));
    const perShard = [0, 0, 0];
    for (let i = 0; perShard.some((n) => n < 2); i++) {
        const shard = shardOf(`org_sharded${i}`, 3);
        if (perShard[shard]++ >= 2) continue;
        fs.writeFileSync(path.join(dir, `sharded-${i}.yaml`), tenantYaml(`sharded-${i}`, "", `org_sharded${i}`));
    }
    return loadRegistry(dir);
}

let registry: Registry;
let dir: string;
const of = (index: number) => registry.entries.filter((e) => shardOf(e.tenant.id, 3) === index).map((e) => e.tenant);

function stack(name: string, index: number, pack: Parameters<typeof createStack>[2]): Promise<StackWorkspace> {
    return createStack(
        [
            { key: "tenancy:kubeconfig", value: fs.readFileSync(e2e.kubeconfigPath, "utf8"), secret: true },
            { key: "tenancy:tenantsDir", value: dir },
            { key: "tenancy:natsMasterKey", value: MASTER, secret: true },
            { key: "tenancy:shard", value: JSON.stringify(SHARD(index)) },
        ],
        name,
        pack,
    );
}

beforeAll(() => {
    registry = shardRegistry();
    dir = path.dirname(registry.entries[0].file);
});

describe("a sharded registry through the real Pulumi CLI", () => {
    it("previews and deploys shard 1 of 3 with the pack pinned as tenancy pack-config prints it", async () => {
        expect([of(0).length, of(1).length, of(2).length]).toEqual([2, 2, 2]);
        const ws = await stack("shard1", 1, { shard: SHARD(1), ...PINS });
        // The command, run in the stack's folder on its stack file, prints exactly the file the stack uses.
        const packDir = path.join(PROJECT_ROOT, "policy");
        const printed = await runBounded(process.execPath, [path.join(PROJECT_ROOT, "bin", "tenancy.js"), "pack-config", "--stack", "shard1", "--policy-pack", packDir], {
            cwd: ws.dir, env: process.env, timeoutMs: 60_000, input: MASTER,
        });
        expect(printed.code, printed.stderr).toBe(0);
        // The same settings, its registryDir relative to the pack (the stack's file has it absolute).
        const resolved = Object.fromEntries(Object.entries(JSON.parse(printed.stdout) as Record<string, { registryDir: string }>).map(([rule, c]) => [rule, { ...c, registryDir: path.resolve(packDir, c.registryDir) }]));
        expect(resolved).toEqual(JSON.parse(fs.readFileSync(ws.policy[3], "utf8")));

        const preview = await pulumi(ws, ["preview", ...ws.policy]);
        expect(preview.code, `${preview.stdout}\n${preview.stderr}`).toBe(0);
        const up = await pulumi(ws, ["up", "--yes", "--skip-preview", ...ws.policy]);
        expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);

        for (const tenant of of(1)) {
            expect(await admin.read({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespaceOf(tenant) } }), tenant.slug).toBeDefined();
            expect(await admin.read({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: natsAccountConfigMapName(tenant.id), namespace: "nats" } }), tenant.slug).toBeDefined();
        }
        for (const tenant of [...of(0), ...of(2)]) {
            expect(await admin.read({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespaceOf(tenant) } }), tenant.slug).toBeUndefined();
        }
        const outputs = await runBounded("pulumi", ["stack", "output", "natsTrust", "--json", "--stack", "shard1", "--non-interactive"], { cwd: PROJECT_ROOT, env: ws.env, timeoutMs: 60_000 });
        expect(JSON.parse(outputs.stdout)).toEqual({ operator: PINS.natsOperatorKey, platformAccount: PINS.natsPlatformAccountKey });
    });

    it("stops a stack whose tenants belong to another shard than the pack was told", async () => {
        const ws = await stack("shard2-as-1", 2, { shard: SHARD(1), ...PINS });
        const run = await pulumi(ws, ["preview", ...ws.policy]);
        expect(run.code).not.toBe(0);
        const tenant = of(2)[0];
        expect(run.stdout.replace(/\s+/g, " ")).toContain(
            `Tenant ${tenant.slug} (${tenant.id}) belongs to shard 2 of 3 by its org id, but this stack is shard 1 of 3; a tenant must be declared only by the stack of its shard, which also declares its NATS account file.`,
        );
    });

    it("stops a shard whose pack has no pinned keys", async () => {
        const ws = await stack("shard2-unpinned", 2, { shard: SHARD(2), natsKeys: null });
        const run = await pulumi(ws, ["preview", ...ws.policy]);
        expect(run.code).not.toBe(0);
        expect(run.stdout.replace(/\s+/g, " ")).toContain(
            "The pack configuration sets no natsKeys, so it cannot tell whether a NATS account, signing key, user or seed is the one tenancy derives for its tenant; pass the pack the configuration `tenancy pack-config` prints (pulumi config get tenancy:natsMasterKey --stack <stack> | npx tenancy pack-config --stack <stack>).",
        );
        for (const tenant of of(2)) expect(await admin.read({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespaceOf(tenant) } })).toBeUndefined();
    });
});
