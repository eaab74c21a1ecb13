// An interrupted `pulumi up`, run as the project documents it (contract/pulumi-run.ts: checkpoints
// skipped, so a killed update records nothing of what it did), and the rerun that must repair it:
// (a) the CLI and every process it started are SIGKILLed half-way through creating the tenants;
// (b) the API server is killed half-way through and started again. Each time a rerun of the same
// `pulumi up` must converge: every resource once in the state, every tenant Namespace protected, every
// object once in the cluster with the UID it had (nothing deleted), and a preview with no changes.
// Each part runs on a control plane of its own: (b) stops its API server, and the objects of two
// stacks of the same registry would collide.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateRegistry } from "../../bench/registry";
import { MANAGED_BY, MANAGED_BY_LABEL, namespaceOf, PULUMI_PREVIEW_FLAGS, PULUMI_UP_FLAGS, RESOURCE_QUOTA_NAME } from "../../contract";
import { loadRegistry } from "../../registry";
import { alive } from "../support/processes";
import { platformPrerequisites, startCluster, type Cluster } from "./support/cluster";
import { adminClient, type AdminClient } from "./support/kube";
import { createStack, pulumi, pulumiArgs, PROJECT_ROOT, runBounded, stackExport, type CliRun, type StackWorkspace } from "./support/stack";

const TENANTS = 16;
// Each part: a control plane, a killed or failed update, a rerun, previews; on a loaded 2-core machine
// the killed update alone took 190 s. Every wait inside is bounded on its own.
const PART_TIMEOUT_MS = 1_500_000;
const SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
// Every kind the program creates (checked against the state below), listed by the managed-by label.
const KINDS: Array<[apiVersion: string, kind: string]> = [
    ["v1", "Namespace"],
    ["v1", "ResourceQuota"],
    ["v1", "LimitRange"],
    ["v1", "ServiceAccount"],
    ["v1", "Secret"],
    ["v1", "ConfigMap"],
    ["rbac.authorization.k8s.io/v1", "Role"],
    ["rbac.authorization.k8s.io/v1", "RoleBinding"],
    ["networking.k8s.io/v1", "NetworkPolicy"],
    ["scheduling.k8s.io/v1", "PriorityClass"],
];
const UP = ["up", ...PULUMI_UP_FLAGS];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (run: CliRun) => `${run.stdout}\n${run.stderr}`;

interface Deployment {
    cluster: Cluster;
    admin: AdminClient;
    ws: StackWorkspace;
    registryDir: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A control plane of its own, a generated registry of TENANTS tenants and a stack deploying it. */
async function deployment(): Promise<Deployment> {
    const cluster = await startCluster();
    cleanups.push(() => cluster.stop());
    await platformPrerequisites(cluster);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-e2e-interrupted-"));
    cleanups.push(async () => fs.rmSync(root, { recursive: true, force: true }));
    const registryDir = path.join(root, "tenants");
    fs.mkdirSync(registryDir);
    const secrets = generateRegistry(registryDir, TENANTS);
    const ws = await createStack([
        { key: "tenancy:kubeconfig", value: fs.readFileSync(cluster.kubeconfigPath, "utf8"), secret: true },
        { key: "tenancy:tenantsDir", value: registryDir },
        { key: "tenancy:secrets", value: JSON.stringify(secrets), secret: true },
        { key: "tenancy:natsMasterKey", value: randomBytes(32).toString("hex"), secret: true },
    ]);
    cleanups.push(async () => fs.rmSync(ws.dir, { recursive: true, force: true }));
    return { cluster, admin: adminClient(cluster.kubeconfigPath), ws, registryDir };
}

/** Every object carrying the managed-by label, by `apiVersion/kind/namespace/name`, with its UID. */
async function liveObjects(admin: AdminClient): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [apiVersion, kind] of KINDS) {
        for (const o of await admin.list(apiVersion, kind, undefined, SELECTOR)) {
            const key = `${apiVersion}/${kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
            expect(out.has(key), key).toBe(false);
            out.set(key, o.metadata.uid);
        }
    }
    return out;
}

/** `pulumi up` started in a process group of its own, so it and every process it starts can be killed by the group's id. */
function startUp(ws: StackWorkspace): { pid: number; done: Promise<CliRun> } {
    const child = spawn("pulumi", pulumiArgs(ws, [...UP, ...ws.policy]), { cwd: PROJECT_ROOT, env: ws.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const done = new Promise<CliRun>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
    cleanups.push(async () => {
        // A failed test must not leave the CLI or its plugins running.
        killTree(child.pid!);
    });
    return { pid: child.pid!, done };
}

/** Every live descendant of `pid`, read from /proc: the CLI starts its plugins (provider, pack, language host) in process groups of their own. */
function descendants(pid: number): number[] {
    const parents = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        let stat: string;
        try {
            stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        } catch {
            continue;
        }
        // The command name may hold spaces and parentheses: the fields after its last ")" are fixed.
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    }
    const out: number[] = [];
    for (let queue = [pid]; queue.length > 0; ) {
        const children = parents.get(queue.shift()!) ?? [];
        out.push(...children);
        queue.push(...children);
    }
    return out;
}

/** SIGKILLs the CLI's process group and every process it started, by PID, and returns those PIDs. */
function killTree(pid: number): number[] {
    const tree = descendants(pid);
    for (const target of [-pid, ...tree]) {
        try {
            process.kill(target, "SIGKILL");
        } catch {
            // already gone
        }
    }
    return tree;
}

/** Whether any process of the group is alive. */
function groupAlive(pgid: number): boolean {
    try {
        process.kill(-pgid, 0);
        return true;
    } catch {
        return false;
    }
}

/** Polls the API server until at least `count` tenant NetworkPolicies exist (bounded: 900 s), failing if the update ends first. */
async function untilNetworkPolicies(admin: AdminClient, count: number, done: Promise<CliRun>): Promise<number> {
    let finished: CliRun | undefined;
    void done.then((run) => (finished = run));
    // The preview `pulumi up` runs first, then the namespaces: on a loaded machine minutes pass before the first one.
    const until = Date.now() + 900_000;
    for (;;) {
        const n = (await admin.list("networking.k8s.io/v1", "NetworkPolicy", undefined, SELECTOR)).length;
        if (n >= count) return n;
        if (finished) throw new Error(`pulumi up ended (exit ${finished.code}) before ${count} NetworkPolicies existed (${n}):\n${text(finished)}`);
        if (Date.now() > until) throw new Error(`fewer than ${count} NetworkPolicies after 900 s (${n})`);
        await sleep(150);
    }
}

const apiVersionOf = (type: string) => {
    const version = type.split(":")[1];
    return version.startsWith("core/") ? version.slice("core/".length) : version;
};

/**
 * What a converged stack is: each URN once in the state, every tenant Namespace protected, each
 * state object in the cluster and each labelled object in the state, every object of `before` still
 * there with its UID, and a preview with nothing to change.
 */
async function expectConverged(d: Deployment, before: Map<string, string>): Promise<void> {
    const state = (await stackExport(d.ws)).deployment as { resources: Array<{ urn: string; type: string; protect?: boolean; outputs?: any }>; pending_operations?: unknown[] };
    const urns = state.resources.map((r) => r.urn);
    expect(new Set(urns).size).toBe(urns.length);
    expect(state.pending_operations ?? []).toEqual([]);
    const kube = state.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:yaml"));
    const tenants = loadRegistry(d.registryDir).entries.map((e) => e.tenant);
    expect(tenants).toHaveLength(TENANTS);
    for (const tenant of tenants) {
        const ns = kube.filter((r) => r.type === "kubernetes:core/v1:Namespace" && r.outputs?.metadata?.name === namespaceOf(tenant));
        expect(ns.map((r) => r.protect), tenant.slug).toEqual([true]);
    }
    const inState = new Map<string, string>();
    for (const r of kube) {
        const kind = r.type.split(":")[2];
        expect(KINDS.some(([v, k]) => v === apiVersionOf(r.type) && k === kind), r.type).toBe(true);
        const key = `${apiVersionOf(r.type)}/${kind}/${r.outputs.metadata.namespace ?? ""}/${r.outputs.metadata.name}`;
        expect(inState.has(key), key).toBe(false);
        inState.set(key, r.outputs.metadata.uid);
    }
    const live = await liveObjects(d.admin);
    expect([...live.keys()].sort()).toEqual([...inState.keys()].sort());
    // The state records the objects as they are (the UIDs the API server gave them), and the rerun replaced none.
    expect(Object.fromEntries(inState)).toEqual(Object.fromEntries(live));
    for (const [key, uid] of before) expect(live.get(key), key).toBe(uid);
    const preview = await pulumi(d.ws, ["preview", ...PULUMI_PREVIEW_FLAGS, "--expect-no-changes", ...d.ws.policy]);
    expect(preview.code, text(preview)).toBe(0);
}

describe("an interrupted pulumi up, rerun", () => {
    it("converges after the CLI and everything it started are SIGKILLed half-way through creating the tenants", async () => {
        const d = await deployment();
        const started = Date.now();
        const up = startUp(d.ws);
        // Four NetworkPolicies per generated tenant: half of them exist.
        const seen = await untilNetworkPolicies(d.admin, (TENANTS * 4) / 2, up.done);
        const tree = killTree(up.pid);
        const killed = await up.done;
        const killedAfterMs = Date.now() - started;
        expect(killed.code).toBeNull();
        // The language host, the program, the provider and the pack (some in groups of their own) were killed: none lingers.
        expect(tree.length).toBeGreaterThan(0);
        const until = Date.now() + 10_000;
        while ((groupAlive(up.pid) || tree.some(alive)) && Date.now() < until) await sleep(100);
        expect([groupAlive(up.pid), tree.filter(alive)]).toEqual([false, []]);

        const before = await liveObjects(d.admin);
        expect(before.size).toBeGreaterThanOrEqual(seen);
        // Checkpoints skipped: the killed update recorded nothing, no resource and no pending operation.
        const orphaned = (await stackExport(d.ws)).deployment as { resources?: Array<{ type: string }>; pending_operations?: unknown[] };
        expect((orphaned.resources ?? []).filter((r) => r.type.startsWith("kubernetes:"))).toEqual([]);
        expect(orphaned.pending_operations ?? []).toEqual([]);

        // The killed CLI could not release the stack's lock: the rerun refuses to start until it is removed.
        const locked = await pulumi(d.ws, [...UP, ...d.ws.policy]);
        expect(locked.code).toBe(1);
        expect(locked.stderr).toContain("error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.");
        expect(await liveObjects(d.admin)).toEqual(before);
        const cancel = await runBounded("pulumi", ["cancel", "--yes", "--stack", d.ws.stack, "--non-interactive"], { cwd: PROJECT_ROOT, env: d.ws.env, timeoutMs: 60_000 });
        expect(cancel.code, text(cancel)).toBe(0);

        const rerun = await pulumi(d.ws, [...UP, ...d.ws.policy]);
        expect(rerun.code, text(rerun)).toBe(0);
        await expectConverged(d, before);
        const after = await liveObjects(d.admin);
        // The kill came half-way: the rerun created the rest.
        expect(before.size).toBeLessThan(after.size);
        process.stderr.write(`e2e: killed after ${killedAfterMs} ms with ${before.size} of ${after.size} objects applied\n`);

        // An object the killed run applied changes as any other: suspending a tenant whose quota it created.
        const slug = loadRegistry(d.registryDir)
            .entries.map((e) => e.tenant)
            .find((t) => before.has(`v1/ResourceQuota/${namespaceOf(t)}/${RESOURCE_QUOTA_NAME}`))!.slug;
        fs.appendFileSync(path.join(d.registryDir, `${slug}.yaml`), "lifecycle: suspended\n");
        const suspend = await pulumi(d.ws, [...UP, ...d.ws.policy]);
        expect(suspend.code, text(suspend)).toBe(0);
        const quota = await d.admin.read({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: RESOURCE_QUOTA_NAME, namespace: namespaceOf({ slug }) } });
        expect(quota?.spec.hard.pods).toBe("0");
        expect(quota?.status.hard.pods).toBe("0");
    }, PART_TIMEOUT_MS);

    it("converges after the API server is killed half-way through creating the tenants and started again", async () => {
        const d = await deployment();
        const up = startUp(d.ws);
        await untilNetworkPolicies(d.admin, (TENANTS * 4) / 2, up.done);
        await d.cluster.killApiServer();
        await sleep(3_000);
        await d.cluster.restartApiServer();
        // The update ends on its own (bounded), failed or not; what it recorded is what the rerun starts from.
        const first = await Promise.race([up.done, sleep(600_000).then(() => undefined)]);
        expect(first, "pulumi up did not end within 600 s of the API server's restart").toBeDefined();
        process.stderr.write(`e2e: the update across the API server's restart exited ${first!.code}\n`);

        const before = await liveObjects(d.admin);
        const rerun = await pulumi(d.ws, [...UP, ...d.ws.policy]);
        expect(rerun.code, text(rerun)).toBe(0);
        await expectConverged(d, before);
    }, PART_TIMEOUT_MS);
});
