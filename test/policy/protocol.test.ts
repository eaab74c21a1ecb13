import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as structPb from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyHostError, startPolicyPack, UNKNOWN, type PolicyHost } from "../../cli/engine";
import { preparePlanPack, startPlanPack } from "../../cli/plan/policy";
import { RULES } from "../../policy/rules";
import { POLICY_TENANTS, writeRegistry } from "./registry";
import { byName, CONFIG, shardConfig, shardWorld, tenantStack, world } from "./fixtures";
import { clone, fixture, toEngine } from "./support";
import { alive } from "../support/processes";
import { PLAN_PARSE_ENV, validateRegistry, writeParsedTenants } from "../../registry";

const ROOT = path.resolve(__dirname, "../..");
const PACK_DIR = path.join(ROOT, "policy");
const VERSION = (JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { version: string }).version;
const RB = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE_SIG = "1b47061264138c4ac30d75fd1eb44270";
const secretReaderBinding = () => clone(byName(world(), "RoleBinding/acme-secret-reader")).props;

// A throw-away pack next to the repository's node_modules (gitignored .tenancy/), so it resolves @pulumi/policy.
function scratchPack(name: string, indexTs: string): string {
    const dir = path.join(ROOT, ".tenancy", "test-packs", `${name}-${process.pid}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "0.0.1" }));
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(path.join(dir, "index.ts"), indexTs);
    return dir;
}

describe("tenancy-guard over the Analyzer protocol", () => {
    let host: PolicyHost;

    beforeAll(async () => {
        // The tests' registry, as `tenancy plan` passes the registry it planned to every rule that reads one.
        const config = Object.fromEntries(RULES.filter((r) => r.configSchema?.properties?.registryDir).map((r) => [r.name, CONFIG]));
        host = await startPolicyPack({ packDir: PACK_DIR, timeoutMs: 60_000, config });
    });

    afterAll(async () => {
        const pid = host?.pid;
        await host?.stop();
        if (pid) expect(alive(pid)).toBe(false);
    });

    it("starts under run-policy-pack and listens on 127.0.0.1", async () => {
        expect(host.port).toBeGreaterThan(0);
        expect(host.engineAddress).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(alive(host.pid)).toBe(true);
        // The runner reports through the emulated engine that it registered ts-node (type checking on);
        // log RPCs are asynchronous, so wait for it, bounded.
        const found = () => host.logs.some((l) => l.message.startsWith("Found ts-node version"));
        for (let i = 0; i < 50 && !found(); i++) await new Promise((r) => setTimeout(r, 100));
        expect(found()).toBe(true);
        // The one V8 flag the plan adds to the CLI's command line (heapGrowingFlag).
        const argv = fs.readFileSync(`/proc/${host.pid}/cmdline`, "utf8").split("\0");
        expect(argv.filter((a) => a.startsWith("--heap") || a.startsWith("--max-"))).toEqual(["--heap-growing-percent=50"]);
    });

    it("describes every rule in GetAnalyzerInfo", async () => {
        const info = await host.getAnalyzerInfo();
        expect(info.name).toBe("tenancy-guard");
        expect(info.version).toBe(VERSION);
        expect(info.supportsConfig).toBe(true);
        expect(info.policies.map((p) => [p.name, p.enforcementLevel, p.kind])).toEqual(
            RULES.map((r) => [r.name, "mandatory", "validateStack" in r ? "stack" : "resource"]),
        );
        const bindings = info.policies.find((p) => p.name === "restrict-role-binding-subjects")!;
        expect(bindings.description).toBe(RULES.find((r) => r.name === "restrict-role-binding-subjects")!.description);
        expect((bindings.configSchema as Record<string, { default: unknown }>).platformPrincipals.default).toEqual([
            { kind: "ServiceAccount", namespace: "platform-system", name: "agent-orchestrator" },
        ]);
        expect(await host.getPluginVersion()).toBe("1.21.0");
    });

    it("rejects an Analyze request without options, which is why the host always sends them", async () => {
        const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${host.port}`, grpc.credentials.createInsecure());
        const request = new analyzerPb.AnalyzeRequest();
        request.setType(RB);
        request.setName("acme-secret-reader");
        request.setUrn("urn:pulumi:dev::tenancy::kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::acme-secret-reader");
        request.setProperties(structPb.Struct.fromJavaScript(secretReaderBinding() as never));
        try {
            const error = await new Promise<grpc.ServiceError | null>((resolve) =>
                client.analyze(request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (e) => resolve(e)),
            );
            expect(error?.details).toContain("A more recent version of the Pulumi CLI is required.");
        } finally {
            client.close();
        }
    });

    it("accepts a compliant resource in Analyze", async () => {
        const binding = fixture(RB, "acme-secret-reader", secretReaderBinding());
        expect(await host.analyze(toEngine(binding))).toEqual([]);
    });

    it("reports a cross-tenant RoleBinding in Analyze with the rule's name, level and message", async () => {
        const props = secretReaderBinding();
        props.subjects = [{ kind: "ServiceAccount", name: "agent-worker-sa", namespace: "org-globex" }];
        const rule = RULES.find((r) => r.name === "restrict-role-binding-subjects")!;
        expect(await host.analyze(toEngine(fixture(RB, "acme-secret-reader", props)))).toEqual([
            {
                policyName: "restrict-role-binding-subjects",
                policyPackName: "tenancy-guard",
                policyPackVersion: VERSION,
                description: rule.description,
                message:
                    `${rule.description}\nRoleBinding "org-acme/agent-secret-reader" of tenant acme binds ServiceAccount "org-globex/agent-worker-sa" of tenant globex; ` +
                    `every subject must be in namespace "org-acme" or be a platform principal (ServiceAccount platform-system/agent-orchestrator).`,
                enforcementLevel: "mandatory",
                urn: "",
            },
        ]);
    });

    it("passes resource options through: protect decides the namespace rule", async () => {
        const ns = byName(tenantStack("acme"), "acme-namespace");
        expect(await host.analyze({ ...toEngine(ns), options: { protect: true } })).toEqual([]);
        const unprotected = await host.analyze({ ...toEngine(ns), options: { protect: false } });
        expect(unprotected.map((d) => d.policyName)).toEqual(["protect-live-tenant-namespaces"]);
    });

    it("unwraps secrets as the engine encodes them and never echoes their values", async () => {
        const secret = byName(tenantStack("acme"), "acme-openai-api");
        const engine = toEngine(secret);
        engine.properties = { ...secret.props, stringData: { apiKey: { [SECRET_SIG]: SECRET_VALUE_SIG, value: "sk-live-do-not-print" } } };
        expect(await host.analyze(engine)).toEqual([]);
        engine.properties = { ...(engine.properties as object), metadata: { name: "openai-api", labels: {} } };
        const diagnostics = await host.analyze(engine);
        expect(diagnostics.map((d) => d.policyName)).toEqual(["require-explicit-namespace"]);
        expect(JSON.stringify(diagnostics)).not.toContain("sk-live-do-not-print");
    });

    it("turns an unknown preview value that decides isolation into a mandatory violation, not @pulumi/policy's advisory", async () => {
        const binding = toEngine(fixture(RB, "acme-secret-reader", secretReaderBinding()));
        binding.properties = { ...binding.properties, subjects: UNKNOWN };
        const diagnostics = await host.analyze(binding);
        expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.message.split("\n")[1]])).toEqual([
            [
                "restrict-role-binding-subjects",
                "mandatory",
                `RoleBinding "org-acme/agent-secret-reader" of tenant acme has subjects that are unknown during preview; every subject of a RoleBinding must be known so the pack can tell whose principals it binds.`,
            ],
        ]);
    });

    it("keeps every other rule running when one label of the stack is unknown during preview", async () => {
        const resources = world().filter((f) => f.name !== "globex-limits");
        byName(resources, "acme-agent-sa").props.metadata.labels = UNKNOWN;
        const diagnostics = await host.analyzeStack(resources.map(toEngine));
        expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.message.split("\n")[1]])).toEqual([
            [
                "enforce-tenant-ownership",
                "mandatory",
                `ServiceAccount "org-acme/agent-worker-sa" of tenant acme carries tenancy.io/tenant-id unknown during preview; every object in "org-acme" must carry tenancy.io/tenant-id=org_7f3k2m9q, known during preview.`,
            ],
            ["require-tenant-baseline", "mandatory", `Tenant namespace "org-globex" (tenant globex) has no LimitRange; every tenant namespace needs exactly one LimitRange.`],
        ]);
        expect(diagnostics.some((d) => d.enforcementLevel === "advisory")).toBe(false);
    });

    it("accepts two compliant tenants in AnalyzeStack and reports a moved secret with its URN", async () => {
        const resources = world(["acme", "globex"]);
        expect(await host.analyzeStack(resources.map(toEngine))).toEqual([]);
        const secret = byName(resources, "acme-openai-api");
        secret.props.metadata.namespace = "org-globex";
        const diagnostics = await host.analyzeStack(resources.map(toEngine));
        expect(diagnostics.map((d) => [d.policyName, d.urn, d.message.split("\n")[1]])).toEqual([
            [
                "enforce-tenant-ownership",
                secret.urn,
                `Secret "org-globex/openai-api" is created by tenant acme but lives in namespace "org-globex" of tenant globex; tenant acme's objects must live in "org-acme".`,
            ],
        ]);
    });

    it("applies Configure: properties and enforcement levels", async () => {
        const props = secretReaderBinding();
        props.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "secret-lister" };
        const binding = toEngine(fixture(RB, "acme-secret-reader", props));
        expect((await host.analyze(binding)).map((d) => d.policyName)).toEqual(["restrict-cluster-roles"]);
        await host.configure({ "restrict-cluster-roles": { allowedClusterRoles: ["view", "secret-lister"] } });
        expect(await host.analyze(binding)).toEqual([]);
        await host.configure({ "restrict-cluster-roles": { enforcementLevel: "advisory" } });
        expect((await host.analyze(binding)).map((d) => d.enforcementLevel)).toEqual(["advisory"]);
        await host.configure(Object.fromEntries(RULES.filter((r) => r.configSchema?.properties?.registryDir).map((r) => [r.name, CONFIG])));
    });
});

describe("the pack as tenancy plan starts it", () => {
    it("judges plans against the registry being planned: startPlanPack configures registryDir on every rule that reads one", async () => {
        const onlyGlobex = writeRegistry({ "globex.yaml": POLICY_TENANTS["globex.yaml"] });
        const host = await startPlanPack(PACK_DIR, { registryDir: onlyGlobex });
        try {
            const diagnostics = await host.analyzeStack(world(["acme"]).map(toEngine));
            expect(diagnostics.filter((d) => d.policyName === "require-tenant-baseline").map((d) => d.message.split("\n")[1])).toEqual([
                `Tenant namespace "org-acme" (tenant acme): its quota and LimitRange cannot be checked against its plan because tenant id org_7f3k2m9q is not in the registry at ${onlyGlobex}; the registry must load and list the tenant.`,
            ]);
        } finally {
            await host.stop();
        }
    });

    it("reuses the plan's parse of a registry file holding the same text (TENANCY_PLAN_PARSE), and parses a file whose text differs", async () => {
        const dir = writeRegistry();
        const acmeText = fs.readFileSync(path.join(dir, "acme.yaml"), "utf8");
        const acme = validateRegistry(dir).registry!.entries.find((e) => e.tenant.slug === "acme")!.tenant;
        const edited = writeRegistry({ ...POLICY_TENANTS, "acme.yaml": `${acmeText}\n` });
        // Another parse than the file's own: only a reused parse can show it.
        const parseFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-plan-parse-")), "parsed-tenants");
        writeParsedTenants(parseFile, new Map([[acmeText, { ...acme, id: "org_forged01" }]]));
        const configFor = (registryDir: string) => Object.fromEntries(RULES.filter((r) => r.configSchema?.properties?.registryDir).map((r) => [r.name, { ...CONFIG, registryDir }]));
        const baseline = async (host: PolicyHost, registryDir: string) => {
            await host.configure(configFor(registryDir));
            const found = await host.analyzeStack(world(["acme"]).map(toEngine));
            return found.filter((d) => d.policyName === "require-tenant-baseline").map((d) => d.message.split("\n")[1]);
        };
        // The compiled pack, as the plan starts it: no type check in each start.
        const packDir = await preparePlanPack(PACK_DIR);
        const told = await startPolicyPack({ packDir, timeoutMs: 60_000, env: { [PLAN_PARSE_ENV]: parseFile } });
        const untold = await startPolicyPack({ packDir, timeoutMs: 60_000 });
        try {
            expect(await baseline(told, dir)).toEqual([
                `Tenant namespace "org-acme" (tenant acme): its quota and LimitRange cannot be checked against its plan because tenant id org_7f3k2m9q is not in the registry at ${dir}; the registry must load and list the tenant.`,
            ]);
            expect(await baseline(told, edited)).toEqual([]);
            expect(await baseline(untold, dir)).toEqual([]);
        } finally {
            await Promise.all([told.stop(), untold.stop()]);
            fs.rmSync(path.dirname(parseFile), { recursive: true, force: true });
        }
    });

    it("configures a shard's stack: the NATS rule accepts shard 1 without operator.conf only when told its shard and pinned keys", async () => {
        const shard = shardWorld(1, 2).map(toEngine);
        const nats = (found: { policyName: string; message: string }[]) => found.filter((d) => d.policyName === "isolate-tenant-nats").map((d) => d.message.split("\n")[1]);
        const told = await startPlanPack(PACK_DIR, shardConfig(1, 2));
        try {
            expect(await told.analyzeStack(shard)).toEqual([]);
        } finally {
            await told.stop();
        }
        const untold = await startPlanPack(PACK_DIR, CONFIG);
        try {
            expect(nats(await untold.analyzeStack(shard))[0]).toMatch(/^The stack declares tenants \(globex, initech\) but no NATS operator.conf in namespace nats;/);
        } finally {
            await untold.stop();
        }
    });
});

describe("policy host failures", () => {
    it("reports a pack that does not type-check, with the compiler's message", async () => {
        const dir = scratchPack("typo", `import { PolicyPack } from "@pulumi/policy";\nconst n: number = "x";\nnew PolicyPack("typo", { policies: [] });\n`);
        try {
            const error = await startPolicyPack({ packDir: dir, timeoutMs: 60_000 }).catch((e: unknown) => e);
            expect(error).toBeInstanceOf(PolicyHostError);
            expect((error as Error).message).toContain(`policy pack in ${dir} exited (code 32) before printing its port`);
            expect((error as Error).message).toContain("index.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'.");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("stops a pack that never prints its port, by PID, within the timeout", async () => {
        const dir = scratchPack("silent", `setInterval(() => undefined, 1000);\n`);
        try {
            const started = Date.now();
            const error = await startPolicyPack({ packDir: dir, timeoutMs: 4_000 }).catch((e: unknown) => e);
            expect((error as Error).message).toBe(`policy pack in ${dir} printed no port within 4000 ms`);
            expect(Date.now() - started).toBeLessThan(10_000);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("does not outlive a host that is killed without stopping it", async () => {
        const hostProcess = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(__dirname, "fixtures", "abandoned-host.ts")], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        try {
            const packPid = await new Promise<number>((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error("the host printed no pack PID within 90 s")), 90_000);
                hostProcess.stdout!.once("data", (chunk: Buffer) => {
                    clearTimeout(timer);
                    resolve(Number(chunk.toString().trim()));
                });
                hostProcess.once("exit", (code) => reject(new Error(`the host exited with code ${code}`)));
            });
            expect(alive(packPid)).toBe(true);
            process.kill(hostProcess.pid!, "SIGKILL");
            for (let i = 0; i < 100 && alive(packPid); i++) await new Promise((r) => setTimeout(r, 100));
            expect(alive(packPid)).toBe(false);
        } finally {
            if (hostProcess.exitCode === null && hostProcess.signalCode === null) process.kill(hostProcess.pid!, "SIGKILL");
        }
    }, 120_000);

    it("refuses a directory that is not a policy pack", async () => {
        const dir = path.join(ROOT, "registry");
        await expect(startPolicyPack({ packDir: dir })).rejects.toThrow(`${dir} is not a policy pack: PulumiPolicy.yaml is missing`);
    });
});
