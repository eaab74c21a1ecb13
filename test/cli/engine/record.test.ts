import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKGROUND_PRIORITY, HEAP_GROWING_PERCENT, heapGrowingFlag, SEMI_SPACE_MB, semiSpaceFlag } from "../../../cli/engine/fork";
import { ensurePlanKey, forkRecordingChild, recordInChild, RecordError, type RecordedResource } from "../../../cli/engine";
import { UNKNOWN } from "../../../cli/engine";
import { toPlain } from "../../../cli/engine/wire";
import { validateRegistry } from "../../../registry";
import { alive } from "../../support/processes";
import { makeRegistry, tenantYaml } from "../../support/registry-fixture";

const program = path.join(__dirname, "fixtures", "program.ts");
const root = path.resolve(__dirname, "../../..");
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-key-"));
const keyFile = path.join(keyDir, "plan-key");
const base = {
    programFile: program, project: "tenancy", stack: "dev", cwd: root, keyFile,
    config: { "test:apiKey": "sk-live-123", "test:plain": "hello" }, secretKeys: ["test:apiKey"],
};

afterAll(() => fs.rmSync(keyDir, { recursive: true, force: true }));

let resources: RecordedResource[];
const byUrn = (urn: string) => resources.find((r) => r.urn === urn)!;

beforeAll(async () => {
    ensurePlanKey(keyFile);
    resources = await recordInChild(base);
});

describe("recording monitor", () => {
    it("records every registration in tree order with engine URNs", () => {
        expect(resources.map((r) => r.urn)).toEqual([
            "urn:pulumi:dev::tenancy::pulumi:pulumi:Stack::tenancy-dev",
            "urn:pulumi:dev::tenancy::pulumi:providers:kubernetes::k8s",
            "urn:pulumi:dev::tenancy::test:index:Box::acme",
            "urn:pulumi:dev::tenancy::test:index:Box$kubernetes:core/v1:ConfigMap::acme",
            "urn:pulumi:dev::tenancy::test:index:Box$kubernetes:core/v1:Namespace::acme",
            "urn:pulumi:dev::tenancy::test:index:Box$kubernetes:core/v1:Secret::acme",
            "urn:pulumi:dev::tenancy::test:index:Box$random:index/randomBytes:RandomBytes::acme-token",
        ]);
        const box = byUrn("urn:pulumi:dev::tenancy::test:index:Box::acme");
        expect(box.custom).toBe(false);
        expect(box.parent).toBe("urn:pulumi:dev::tenancy::pulumi:pulumi:Stack::tenancy-dev");
        expect(box.outputs).toEqual({ namespace: "org-acme" });
        expect(byUrn("urn:pulumi:dev::tenancy::pulumi:pulumi:Stack::tenancy-dev").outputs).toEqual({ namespace: "org-acme" });
    });

    it("records the options the engine sees", () => {
        const ns = byUrn("urn:pulumi:dev::tenancy::test:index:Box$kubernetes:core/v1:Namespace::acme");
        expect(ns.custom).toBe(true);
        expect(ns.provider).toBe("urn:pulumi:dev::tenancy::pulumi:providers:kubernetes::k8s::04da6b54-80e4-46f7-96ec-b56ff0331ba9");
        expect(ns.options.protect).toBe(true);
        expect(ns.options.retainOnDelete).toBe(true);
        expect(ns.options.aliases).toEqual([{ name: "old-acme", parentUrn: "urn:pulumi:dev::tenancy::test:index:Box::acme" }]);
        const secretRes = byUrn("urn:pulumi:dev::tenancy::test:index:Box$kubernetes:core/v1:Secret::acme");
        expect(secretRes.options.deletedWith).toBe(ns.urn);
        expect(secretRes.options.ignoreChanges).toEqual(["metadata.annotations"]);
        expect(secretRes.options.additionalSecretOutputs).toEqual(["data", "stringData"]);
        expect(secretRes.dependencies).toEqual([
            "urn:pulumi:dev::tenancy::test:index:Box$kubernetes:core/v1:Namespace::acme",
            "urn:pulumi:dev::tenancy::test:index:Box$random:index/randomBytes:RandomBytes::acme-token",
        ]);
        expect(secretRes.propertyDependencies.metadata).toEqual([ns.urn]);
    });

    it("keeps secrets marked and leaves what only the random provider computes unknown, as a real preview does", () => {
        const token = byUrn("urn:pulumi:dev::tenancy::test:index:Box$random:index/randomBytes:RandomBytes::acme-token");
        // The engine answers a new resource with its inputs; base64 and hex are not among them.
        expect(token.emulated).toEqual([]);
        expect(token.outputs).toEqual({ length: 32 });
        const secretRes = byUrn("urn:pulumi:dev::tenancy::test:index:Box$kubernetes:core/v1:Secret::acme");
        // stringData depends on the unknown bytes, so the SDK sends all of it as the engine's unknown sentinel.
        expect(secretRes.inputs.stringData).toBe(UNKNOWN);
        expect(toPlain(secretRes.inputs, true)).toMatchObject({ kind: "Secret", stringData: "[computed]" });
        expect(secretRes.options.additionalSecretOutputs).toEqual(["data", "stringData"]);
        expect(JSON.stringify(toPlain(resources.map((r) => r.inputs)))).not.toContain("sk-live-123");
        const cm = byUrn("urn:pulumi:dev::tenancy::test:index:Box$kubernetes:core/v1:ConfigMap::acme");
        expect(cm.emulated).toEqual(["metadata.name"]);
        expect((cm.outputs.metadata as { name: string }).name).toMatch(/^acme-[0-9a-f]{8}$/);
    });

    it("gives the same auto-names on a second run and other ones with another key", async () => {
        const again = await recordInChild(base);
        expect(JSON.stringify(again)).toBe(JSON.stringify(resources));
        const otherKey = path.join(keyDir, "other-key");
        ensurePlanKey(otherKey);
        const other = await recordInChild({ ...base, keyFile: otherKey });
        const nameOf = (rs: RecordedResource[]) => JSON.stringify(rs.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!.outputs.metadata);
        expect(nameOf(other)).not.toBe(nameOf(resources));
    });

    it("reports a program error by message, without a stack trace", async () => {
        const error = await recordInChild({ ...base, config: { "test:plain": "x" } }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RecordError);
        expect((error as RecordError).messages).toEqual([
            "Missing required configuration variable 'test:apiKey'\n\tplease set a value using the command `pulumi config set --secret test:apiKey <value>`",
        ]);
    });
});

describe("program errors", () => {
    it("names the program file of a plain Error, still without a stack trace", async () => {
        const error = await recordInChild({ ...base, programFile: path.join(__dirname, "fixtures", "throwing-program.ts") }).catch((e: unknown) => e);
        expect((error as RecordError).messages).toEqual(["tenant table is empty (in test/cli/engine/fixtures/throwing-program.ts)"]);
    });

    it("reports a duplicate URN as the engine does", async () => {
        const error = await recordInChild({ ...base, programFile: path.join(__dirname, "fixtures", "duplicate-program.ts") }).catch((e: unknown) => e);
        expect((error as RecordError).messages).toEqual([
            "failed to register new resource same [kubernetes:core/v1:ConfigMap]: Duplicate resource URN 'urn:pulumi:dev::tenancy::kubernetes:core/v1:ConfigMap::same'; try giving it a unique name (in test/cli/engine/fixtures/duplicate-program.ts)",
        ]);
    });
});

describe("the registry a plan hands its recording child", () => {
    const programFile = path.join(__dirname, "fixtures", "registry-program.ts");
    const agentLimit = (recorded: RecordedResource[]) => recorded.find((r) => r.type === "test:index:Tenant")?.inputs.agentLimit;

    it("is what the program's loadRegistry returns for its directory, without reading the files again", async () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme") });
        const options = { ...base, programFile, config: { "test:tenantsDir": dir } };
        const { registry } = validateRegistry(dir);
        // Another registry than the files say: only a handed-over registry can show it.
        const handed = { ...registry!, entries: [{ ...registry!.entries[0], tenant: { ...registry!.entries[0].tenant, agentLimit: 7 } }] };
        expect(agentLimit(await recordInChild({ ...options, registry: handed }))).toBe(7);
        expect(agentLimit(await recordInChild(options))).toBe(5);
        // The plan reports on the registry it validated: a file edited since is not what the program plans.
        fs.writeFileSync(path.join(dir, "acme.yaml"), tenantYaml("acme").replace("agentLimit: 5", "agentLimit: 4"));
        expect(agentLimit(await recordInChild({ ...options, registry: handed }))).toBe(7);
        expect(agentLimit(await recordInChild(options))).toBe(4);
    });

    it("is only returned for its own directory: another directory is read and validated", async () => {
        const dir = makeRegistry({ "acme.yaml": tenantYaml("acme") });
        const other = makeRegistry({ "acme.yaml": tenantYaml("acme").replace("agentLimit: 5", "agentLimit: 3") });
        const { registry } = validateRegistry(dir);
        expect(agentLimit(await recordInChild({ ...base, programFile, config: { "test:tenantsDir": other }, registry: registry! }))).toBe(3);
    });
});

describe("a recording child forked ahead of its request", () => {
    it("loads the warm module before the request, and records as a child forked with it", async () => {
        const child = forkRecordingChild({ cwd: root, warm: path.join(__dirname, "fixtures", "warm-module.ts") });
        const recorded = await child.record({ ...base, programFile: path.join(__dirname, "fixtures", "warm-program.ts") });
        // The program saw the module already loaded, by the child before the request.
        expect(recorded.find((r) => r.type === "test:index:Warm")?.inputs).toEqual({ loadedBefore: true });
        const cold = await recordInChild({ ...base, programFile: path.join(__dirname, "fixtures", "warm-program.ts") });
        expect(cold.find((r) => r.type === "test:index:Warm")?.inputs).toEqual({ loadedBefore: false });
    });

    it("runs at a lower priority when started in the background, and at the parent's otherwise", async () => {
        const background = forkRecordingChild({ cwd: root, background: true });
        const foreground = forkRecordingChild({ cwd: root });
        try {
            expect(os.getPriority(background.pid!)).toBe(os.getPriority() + BACKGROUND_PRIORITY);
            expect(os.getPriority(foreground.pid!)).toBe(os.getPriority());
        } finally {
            background.discard();
            foreground.discard();
        }
    });

    it("bounds how far its heap grows past its live size (heapGrowingFlag) and lets its young generation grow to 32 MB (semiSpaceFlag)", () => {
        const child = forkRecordingChild({ cwd: root });
        try {
            const argv = fs.readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0");
            expect(argv.filter((a) => a.startsWith("--heap") || a.startsWith("--max-semi"))).toEqual([
                `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
                `--max-semi-space-size=${SEMI_SPACE_MB}`,
            ]);
            expect([HEAP_GROWING_PERCENT, SEMI_SPACE_MB]).toEqual([50, 32]);
        } finally {
            child.discard();
        }
    });

    /** What `flag()` gives with `variable` set to each value (undefined: unset); the variable is restored after. */
    const flagsWith = (variable: string, flag: () => string[], values: (string | undefined)[]) => {
        const saved = process.env[variable];
        const set = (value: string | undefined) => {
            if (value === undefined) delete process.env[variable];
            else process.env[variable] = value;
        };
        try {
            return values.map((value) => {
                set(value);
                return flag();
            });
        } finally {
            set(saved);
        }
    };

    it("takes TENANCY_HEAP_GROWING_PERCENT as a whole percentage, 0 for V8's own factor, and ignores anything else", () => {
        expect(flagsWith("TENANCY_HEAP_GROWING_PERCENT", heapGrowingFlag, [undefined, "25", "0", "-5", "1e3", "12345", " 50", ""])).toEqual([
            ["--heap-growing-percent=50"], ["--heap-growing-percent=25"], [], [], [], [], [], [],
        ]);
    });

    it("takes TENANCY_SEMI_SPACE_MB as a whole number of MB, 0 for V8's own size, and ignores anything else", () => {
        expect(flagsWith("TENANCY_SEMI_SPACE_MB", semiSpaceFlag, [undefined, "64", "0", "-5", "16MB", "12345", ""])).toEqual([
            ["--max-semi-space-size=32"], ["--max-semi-space-size=64"], [], [], [], [], [],
        ]);
    });

    it("records once: a second request is refused", async () => {
        const child = forkRecordingChild({ cwd: root });
        await child.record(base);
        expect(() => child.record(base)).toThrow("a recording child records once");
    });

    it("reports a warm module that fails through the program's own load, with its message", async () => {
        const child = forkRecordingChild({ cwd: root, warm: path.join(__dirname, "fixtures", "throwing-program.ts") });
        const error = await child.record({ ...base, programFile: path.join(__dirname, "fixtures", "throwing-program.ts") }).catch((e: unknown) => e);
        const direct = await recordInChild({ ...base, programFile: path.join(__dirname, "fixtures", "throwing-program.ts") }).catch((e: unknown) => e);
        expect((error as RecordError).messages).toEqual((direct as RecordError).messages);
    });

    it("is killed by discard before its request, and exits on its own once its parent's IPC channel closes", async () => {
        const child = forkRecordingChild({ cwd: root });
        const pid = child.pid!;
        child.discard();
        await waitFor(() => !alive(pid));
        expect(alive(pid)).toBe(false);
        // A parent that dies without discarding: the child goes with it.
        const parent = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(__dirname, "fixtures", "forking-parent.ts")], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
        const orphan = Number((await new Promise<string>((resolve) => parent.stdout!.once("data", (d: Buffer) => resolve(String(d))))).trim());
        expect(alive(orphan)).toBe(true);
        parent.kill("SIGKILL");
        await waitFor(() => !alive(orphan));
        expect(alive(orphan)).toBe(false);
    });
});

async function waitFor(done: () => boolean, ms = 10_000): Promise<void> {
    for (const start = Date.now(); !done() && Date.now() - start < ms; ) await new Promise((r) => setTimeout(r, 50));
}

describe("plan key", () => {
    it("is created once with mode 0600 and reused", () => {
        const file = path.join(keyDir, "sub", "plan-key");
        const first = ensurePlanKey(file);
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        expect(ensurePlanKey(file).equals(first)).toBe(true);
        expect(first.length).toBe(32);
    });
});
