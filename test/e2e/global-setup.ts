// One control plane and one deployment of the project's registry for the whole end-to-end suite:
// the real Pulumi CLI previews and applies the program with the real policy pack against a real
// API server, twice; the test files assert on what happened and on what the cluster holds.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { loadRegistry } from "../../registry";
import { toolBinDir, type ToolName } from "../../tools/paths";
import { platformPrerequisites, startCluster, type Cluster } from "./support/cluster";
import { ONBOARDED, type E2eContext } from "./support/context";
import { createStack, pulumi, PROJECT_ROOT, runBounded, type StackWorkspace } from "./support/stack";

const REQUIRED: ToolName[] = ["pulumi", "pulumi-resource-kubernetes", "etcd", "kubernetes", "nats-server"];

// The project's registry as it is, plus one tenant onboarded the way a user does it (`tenancy
// add`), so the suite always has an active tenant of the lowest tier whatever the registry holds.
async function copyRegistry(): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-e2e-registry-"));
    const source = path.join(PROJECT_ROOT, "tenants");
    for (const file of fs.readdirSync(source)) fs.copyFileSync(path.join(source, file), path.join(dir, file));
    const plans = loadRegistry(dir).plans.plans;
    const lowest = Object.keys(plans).sort((a, b) => plans[a].priority - plans[b].priority)[0];
    const add = await runBounded(process.execPath, [path.join(PROJECT_ROOT, "bin", "tenancy.js"), "add", ONBOARDED, "--plan", lowest, "--tenants", dir], {
        cwd: PROJECT_ROOT,
        env: process.env,
        timeoutMs: 60_000,
    });
    if (add.code !== 0) throw new Error(`tenancy add ${ONBOARDED} failed (${add.code}):\n${add.stdout}\n${add.stderr}`);
    return dir;
}

// A value for every declared secret key: test values, generated here, never printed.
function secretConfig(registryDir: string) {
    const secrets: Record<string, Record<string, Record<string, string>>> = {};
    for (const { tenant } of loadRegistry(registryDir).entries) {
        for (const secret of tenant.secrets) {
            for (const key of secret.keys) ((secrets[tenant.slug] ??= {})[secret.name] ??= {})[key] = randomBytes(12).toString("hex");
        }
    }
    return secrets;
}

let cluster: Cluster | undefined;
let workspace: StackWorkspace | undefined;
let registryDir: string | undefined;
let outDir: string | undefined;

/** Starts the control plane, deploys the registry with the real CLI, and hands the outcome to the test files. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
    const log = (line: string) => process.stderr.write(`e2e: ${line}\n`);
    const missing = REQUIRED.filter((tool) => {
        try {
            toolBinDir(tool);
            return false;
        } catch {
            return true;
        }
    });
    if (missing.length) throw new Error(`the end-to-end suite needs ${missing.join(", ")}: run \`npm run tools\` first (it builds them from Go modules)`);

    const timings: Record<string, number> = {};
    const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
        const started = Date.now();
        log(`${name}…`);
        try {
            return await step();
        } finally {
            timings[name] = Date.now() - started;
            log(`${name}: ${(timings[name] / 1000).toFixed(1)} s`);
        }
    };
    const teardown = async () => {
        log(`timings (ms): ${JSON.stringify(timings)}`);
        await cluster?.stop();
        for (const dir of [workspace?.dir, registryDir, outDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        cluster = await timed("control plane", () => startCluster());
        await timed("platform prerequisites", () => platformPrerequisites(cluster!));
        registryDir = await copyRegistry();
        const tenantsDir = registryDir;
        workspace = await timed("stack init", () =>
            createStack([
                { key: "tenancy:kubeconfig", value: fs.readFileSync(cluster!.kubeconfigPath, "utf8"), secret: true },
                { key: "tenancy:tenantsDir", value: tenantsDir },
                { key: "tenancy:secrets", value: JSON.stringify(secretConfig(tenantsDir)), secret: true },
                { key: "tenancy:natsMasterKey", value: randomBytes(32).toString("hex"), secret: true },
            ]),
        );
        const ws = workspace;
        const preview = await timed("pulumi preview --policy-pack", () => pulumi(ws, ["preview", ...ws.policy]));
        const up = await timed("pulumi up --policy-pack", () => pulumi(ws, ["up", "--yes", "--skip-preview", ...ws.policy]));
        const again = await timed("pulumi up (again)", () => pulumi(ws, ["up", "--yes", "--expect-no-changes", ...ws.policy]));
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-e2e-plan-"));
        const planDir = outDir;
        const planRun = await timed("tenancy plan", () =>
            runBounded(process.execPath, [path.join(PROJECT_ROOT, "bin", "tenancy.js"), "plan", "--tenants", tenantsDir, "--out", planDir, "--format", "json", "--quiet"], {
                cwd: PROJECT_ROOT,
                env: process.env,
                timeoutMs: 300_000,
            }),
        );
        const context: E2eContext = {
            kubeconfigPath: cluster.kubeconfigPath,
            server: cluster.server,
            registryDir,
            workspace: ws,
            runs: { preview, up, again },
            plan: { run: planRun, outDir },
            timings: { ...timings, controlPlaneReady: cluster.startupMs },
        };
        project.provide("e2e", context);
    } catch (error) {
        await teardown();
        throw error;
    }
    return teardown;
}
