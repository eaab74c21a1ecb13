import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main";
import { startPolicyPack } from "../../cli/engine";
import { planPackDir } from "../../cli/plan/policy";
import { RULES } from "../../policy/rules";
import { captureIO, PROJECT_ROOT } from "../support/cli";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";

const VERSION = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;

// A copy of the project's sources and bin/ with the real node_modules, built with the real
// `prepare` script. A preload that makes `require("tsx/cjs")` throw tells which path the bin took.
describe("bin/tenancy.js: the compiled CLI when current, else tsx", () => {
    let root: string;
    let blockTsx: string;
    const run = (args: string[], options: { blockTsx?: boolean } = {}) =>
        spawnSync(process.execPath, [...(options.blockTsx ? ["--require", blockTsx] : []), path.join(root, "bin", "tenancy.js"), ...args], {
            cwd: root,
            encoding: "utf8",
            timeout: 20_000,
        });

    beforeAll(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-build-"));
        for (const entry of ["bin", "cli", "registry", "contract", "components", "infra", "policy", "tsconfig.json", "tsconfig.build.json", "package.json"]) {
            fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(root, entry), { recursive: true, filter: (source) => path.basename(source) !== "node_modules" });
        }
        fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"));
        blockTsx = path.join(root, "block-tsx.js");
        fs.writeFileSync(
            blockTsx,
            `const Module = require("node:module");\nconst load = Module._load;\nModule._load = function (request, ...rest) {\n    if (request === "tsx/cjs") throw new Error("tsx blocked by the test");\n    return load.call(this, request, ...rest);\n};\n`,
        );
        // Spawned, not spawnSync: a build of minutes on a loaded machine must not block the worker's event loop (vitest's RPC times out).
        const build = await new Promise<{ status: number | null; output: string }>((resolve) => {
            const child = spawn("npm", ["run", "--silent", "prepare"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
            let output = "";
            child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
            child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
            const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, "SIGKILL"), 300_000);
            child.on("close", (status) => {
                clearTimeout(timer);
                resolve({ status, output });
            });
        });
        expect(build.output).toBe("");
        expect(build.status).toBe(0);
    }, 320_000);

    afterAll(() => {
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("answers --version from dist/ without loading tsx, within its timeout", () => {
        expect(fs.readFileSync(path.join(root, "dist", ".source-digest"), "utf8")).toMatch(/^[0-9a-f]{64}\n$/);
        // How long it takes is measured outside the suite (timings here are noisy); blocking tsx proves the path.
        const result = run(["--version"], { blockTsx: true });
        expect({ status: result.status, stdout: result.stdout, stderr: result.stderr, signal: result.signal }).toEqual({ status: 0, stdout: `tenancy ${VERSION}\n`, stderr: "", signal: null });
        const validate = run(["validate", "--tenants", EXAMPLE_REGISTRY], { blockTsx: true });
        expect([validate.status, validate.stdout, validate.stderr]).toEqual([0, `${EXAMPLE_REGISTRY}: 3 tenants valid (1 enterprise, 1 free, 1 standard), 3 plans\n`, ""]);
    });

    it("loads each verb lazily from dist/: --help lists main.ts's verbs, every verb answers --help, an unknown verb is named", async () => {
        const help = captureIO();
        expect(await main(["--help"], help)).toBe(0);
        expect([run(["--help"], { blockTsx: true }).stdout, run(["help"], { blockTsx: true }).status]).toEqual([help.stdout(), 0]);
        for (const verb of ["validate", "add", "secrets", "plan", "pack-config", "rotate", "schema"]) {
            const inProcess = captureIO();
            expect(await main([verb, "--help"], inProcess)).toBe(0);
            expect(run([verb, "--help"], { blockTsx: true }).stdout, verb).toBe(inProcess.stdout());
        }
        const unknown = run(["deploy"], { blockTsx: true });
        expect([unknown.status, unknown.stderr]).toEqual([2, 'tenancy: unknown command "deploy"; commands: validate, add, secrets, plan, pack-config, rotate, schema\n']);
    }, 60_000);

    it("gives the plan the compiled pack, which the real run-policy-pack starts with every rule, and the sources once a rule differs", async () => {
        const compiled = path.join(root, "dist", "policy");
        expect(planPackDir(path.join(root, "policy"), root)).toBe(compiled);
        expect(planPackDir(path.join(PROJECT_ROOT, "test", "policy", "fixtures"), root)).toBe(path.join(PROJECT_ROOT, "test", "policy", "fixtures"));
        expect(JSON.parse(fs.readFileSync(path.join(compiled, "package.json"), "utf8")).main).toBe("index.js");
        const host = await startPolicyPack({ packDir: compiled, timeoutMs: 60_000 });
        try {
            expect((await host.getAnalyzerInfo()).policies.map((p) => p.name)).toEqual(RULES.map((r) => r.name));
        } finally {
            await host.stop();
        }
        // A changed rule makes the build stale: the plan type-checks the sources, as pulumi preview does.
        const rule = path.join(root, "policy", "isolate-tenant-nats.ts");
        const source = fs.readFileSync(rule, "utf8");
        fs.writeFileSync(rule, `${source}\n// edited\n`);
        expect(planPackDir(path.join(root, "policy"), root)).toBe(path.join(root, "policy"));
        fs.writeFileSync(rule, source);
        expect(planPackDir(path.join(root, "policy"), root)).toBe(compiled);
    }, 90_000);

    it("falls back to the TypeScript sources through tsx once a source differs from the build, printing nothing extra", () => {
        const dispatch = path.join(root, "cli", "dispatch.ts");
        const source = fs.readFileSync(dispatch, "utf8");
        expect(source).toContain("io.out(`tenancy ${version()}\\n`);");
        fs.writeFileSync(dispatch, source.replace("io.out(`tenancy ${version()}\\n`);", "io.out(`tenancy ${version()} (edited)\\n`);"));
        const blocked = run(["--version"], { blockTsx: true });
        expect(blocked.status).toBe(1);
        expect(blocked.stderr).toContain("tsx blocked by the test");
        const result = run(["--version"]);
        expect([result.status, result.stdout, result.stderr]).toEqual([0, `tenancy ${VERSION} (edited)\n`, ""]);
        // Verbs load through tsx too (require, which its CommonJS hook serves).
        const validate = run(["validate", "--tenants", EXAMPLE_REGISTRY]);
        expect([validate.status, validate.stdout, validate.stderr]).toEqual([0, `${EXAMPLE_REGISTRY}: 3 tenants valid (1 enterprise, 1 free, 1 standard), 3 plans\n`, ""]);
        expect(run(["plan", "--help"]).stdout).toMatch(/^Usage: tenancy plan /);
    }, 60_000);

    it("falls back to tsx without a digest or without dist/", () => {
        fs.rmSync(path.join(root, "dist", ".source-digest"));
        expect([run(["--version"]).stdout, run(["--version"], { blockTsx: true }).status]).toEqual([`tenancy ${VERSION} (edited)\n`, 1]);
        fs.rmSync(path.join(root, "dist"), { recursive: true });
        const result = run(["--version"]);
        expect([result.status, result.stdout, result.stderr]).toEqual([0, `tenancy ${VERSION} (edited)\n`, ""]);
    });

    it("lets `npm ci` succeed when the build fails (prepare only warns) and leaves no digest behind", () => {
        fs.rmSync(path.join(root, "tsconfig.build.json"));
        const prepare = spawnSync(process.execPath, [path.join(root, "bin", "build.js"), "--prepare"], { cwd: root, encoding: "utf8", timeout: 60_000 });
        expect(prepare.status).toBe(0);
        expect(prepare.stderr).toMatch(/tenancy: the compiled CLI was not built \(tsc exited 1\); bin\/tenancy\.js runs the TypeScript sources through tsx until `npm run build` succeeds\n$/);
        const build = spawnSync(process.execPath, [path.join(root, "bin", "build.js")], { cwd: root, encoding: "utf8", timeout: 60_000 });
        expect(build.status).toBe(1);
        expect(fs.existsSync(path.join(root, "dist", ".source-digest"))).toBe(false);
        expect(run(["--version"]).stdout).toBe(`tenancy ${VERSION} (edited)\n`);
    });
});
