import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const DEFERRAL = path.join(ROOT, "bin", "sdk-deferral.js");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-sdk-deferral-"));
    dirs.push(dir);
    return dir;
}

/** Runs `script` in a fresh node (its own module cache) in `cwd`, and parses the JSON it prints last. */
function inNode(script: string, cwd = ROOT): unknown {
    const run = spawnSync(process.execPath, ["-e", script], { cwd, encoding: "utf8", timeout: 120_000 });
    if (run.status !== 0) throw new Error(`node exited ${run.status}: ${run.stderr}`);
    return JSON.parse(run.stdout.trim().split("\n").pop()!);
}

const LOADED = `(name) => Object.keys(require.cache).some((k) => k.includes("/node_modules/" + name + "/"))`;

describe("deferUnusedSdkModules", () => {
    it("keeps TypeScript, @npmcli/arborist and the Automation API out of a process that requires @pulumi/pulumi, and loads each on first use", () => {
        // A project of its own without dependencies, so that computeCodePaths has little to walk.
        const cwd = tempDir();
        fs.writeFileSync(path.join(cwd, "package.json"), JSON.stringify({ name: "p", version: "1.0.0" }));
        const sdk = path.join(ROOT, "node_modules", "@pulumi", "pulumi");
        const result = inNode(
            `const loaded = ${LOADED};
             const deferred = require(${JSON.stringify(DEFERRAL)}).deferUnusedSdkModules(${JSON.stringify(ROOT)});
             const pulumi = require(${JSON.stringify(sdk)});
             const before = { typescript: loaded("typescript"), arborist: loaded("@npmcli/arborist"), automation: loaded("@pulumi/pulumi/automation") };
             (async () => {
                 const serialized = await pulumi.runtime.serializeFunction(() => 6 * 7);
                 const afterSerialize = loaded("typescript");
                 const paths = await pulumi.runtime.computeCodePaths({});
                 const automation = { workspace: typeof pulumi.automation.LocalWorkspace, keys: Object.keys(pulumi.automation).sort().join() === Object.keys(require(${JSON.stringify(sdk)} + "/automation")).sort().join() };
                 console.log(JSON.stringify({ deferred, before, afterSerialize, keepsBody: serialized.text.includes("6 * 7"), codePaths: paths instanceof Map, arborist: loaded("@npmcli/arborist"), automation }));
             })();`,
            cwd,
        );
        expect(result).toEqual({
            deferred: true,
            before: { typescript: false, arborist: false, automation: false },
            afterSerialize: true,
            keepsBody: true,
            codePaths: true,
            arborist: true,
            automation: { workspace: "function", keys: true },
        });
    });

    it("defers them in a process started with --require bin/sdk-deferral-preload.js (recording children, the plan's pack)", () => {
        const run = spawnSync(process.execPath, ["--require", path.join(ROOT, "bin", "sdk-deferral-preload.js"), "-e", `require("@pulumi/pulumi"); console.log(JSON.stringify((${LOADED})("typescript")))`], {
            cwd: ROOT,
            encoding: "utf8",
            timeout: 120_000,
        });
        expect({ code: run.status, typescript: run.stdout.trim() }).toEqual({ code: 0, typescript: "false" });
    });

    it("hooks an SDK once, however many copies of this file ask (a plan's preloaded pack runs the project's own), and unhooks once it is loaded", () => {
        const copy = path.join(tempDir(), "sdk-deferral.js");
        fs.copyFileSync(DEFERRAL, copy);
        const result = inNode(
            `const Module = require("node:module");
             const original = Module._load;
             const calls = [${JSON.stringify(DEFERRAL)}, ${JSON.stringify(DEFERRAL)}, ${JSON.stringify(copy)}].map((file) => require(file).deferUnusedSdkModules(${JSON.stringify(ROOT)}));
             require("@pulumi/pulumi");
             console.log(JSON.stringify({ calls, typescript: (${LOADED})("typescript"), unhooked: Module._load === original }));`,
        );
        expect(result).toEqual({ calls: [true, false, false], typescript: false, unhooked: true });
    });

    it("changes nothing when the SDK's runtime is loaded already", () => {
        const result = inNode(
            `require("@pulumi/pulumi");
             const deferred = require(${JSON.stringify(DEFERRAL)}).deferUnusedSdkModules(${JSON.stringify(ROOT)});
             console.log(JSON.stringify({ deferred, typescript: (${LOADED})("typescript") }));`,
        );
        expect(result).toEqual({ deferred: false, typescript: true });
    });

    it("changes nothing for an SDK whose runtime reads anything else from those modules", () => {
        const runtimeIndex = fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "runtime", "index.js"), "utf8");
        const sdkWith = (source: string) => {
            const dir = tempDir();
            const sdk = path.join(dir, "node_modules", "@pulumi", "pulumi");
            fs.mkdirSync(path.join(sdk, "runtime"), { recursive: true });
            fs.writeFileSync(path.join(sdk, "package.json"), JSON.stringify({ name: "@pulumi/pulumi", version: "0.0.0" }));
            fs.writeFileSync(path.join(sdk, "runtime", "index.js"), source);
            return dir;
        };
        const deferred = (dir: string) => inNode(`console.log(JSON.stringify(require(${JSON.stringify(DEFERRAL)}).deferUnusedSdkModules(${JSON.stringify(dir)})))`);
        expect(deferred(sdkWith(runtimeIndex))).toBe(true);
        const readsMore = runtimeIndex.replace("exports.computeCodePaths = codePaths_1.computeCodePaths;", "$&\nexports.other = codePaths_1.other;");
        expect(readsMore).not.toBe(runtimeIndex);
        expect(deferred(sdkWith(readsMore))).toBe(false);
        const requiredTwice = `${runtimeIndex}\nrequire("./closure/serializeClosure");\n`;
        expect(deferred(sdkWith(requiredTwice))).toBe(false);
        expect(deferred(sdkWith(runtimeIndex.replace('var codePaths_1 = require("./closure/codePaths");', 'const codePaths_1 = __importStar(require("./closure/codePaths"));')))).toBe(false);
    });

    it("loads the Automation API as usual for an SDK whose index.js uses it in any other way", () => {
        const index = fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "index.js"), "utf8");
        const sdkWith = (source: string) => {
            const dir = tempDir();
            const sdk = path.join(dir, "node_modules", "@pulumi", "pulumi");
            fs.mkdirSync(path.join(sdk, "automation"), { recursive: true });
            fs.writeFileSync(path.join(sdk, "package.json"), JSON.stringify({ name: "@pulumi/pulumi", version: "0.0.0", main: "index.js" }));
            // The real index.js's other modules, each an empty module here.
            for (const request of source.matchAll(/require\("\.\/(\w+)"\)/g)) if (request[1] !== "automation") fs.writeFileSync(path.join(sdk, `${request[1]}.js`), "");
            fs.writeFileSync(path.join(sdk, "automation", "index.js"), "exports.LocalWorkspace = class LocalWorkspace {};");
            fs.writeFileSync(path.join(sdk, "index.js"), source);
            return dir;
        };
        const run = (dir: string) =>
            inNode(
                `const deferred = require(${JSON.stringify(DEFERRAL)}).deferUnusedSdkModules(${JSON.stringify(dir)});
                 const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [${JSON.stringify(dir)}] }));
                 const automation = Object.keys(require.cache).some((k) => k.endsWith("/automation/index.js"));
                 console.log(JSON.stringify({ deferred, automation, workspace: typeof pulumi.automation.LocalWorkspace }));`,
            );
        expect(run(sdkWith(index))).toEqual({ deferred: true, automation: false, workspace: "function" });
        const usedElsewhere = `${index}\nexports.workspaces = automation.LocalWorkspace;\n`;
        expect(run(sdkWith(usedElsewhere))).toEqual({ deferred: false, automation: true, workspace: "function" });
        const boundOtherwise = index.replace('const automation = __importStar(require("./automation"));', 'const automation = require("./automation");');
        expect(boundOtherwise).not.toBe(index);
        expect(run(sdkWith(boundOtherwise))).toEqual({ deferred: false, automation: true, workspace: "function" });
    });
});

describe("deferPackTypeScript", () => {
    const SDK = path.join(ROOT, "node_modules", "@pulumi", "pulumi");
    const RUNNER = path.join(SDK, "cmd", "run-policy-pack", "index.js");
    // A "pack" that reports what is loaded, then requires TypeScript files: one with a type error, two valid ones.
    const PROGRAM = `const loaded = ${LOADED};
        const before = { typescript: loaded("typescript"), tsNode: loaded("ts-node") };
        const required = ["./broken.ts", "./valid.cts", "./valid.ts"].map((f) => {
            try { return require(f).value; } catch (e) { return e.name + ": " + String(e.message).split("\\n")[0]; }
        });
        console.log(JSON.stringify({ before, required }));`;

    /** Runs the SDK's real policy-pack runner on PROGRAM in a directory of its own, as a plan's pack (with the preload) or as the CLI does. */
    function runPack(options: { preload: boolean; tsconfig?: boolean }): unknown {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, "pack.js"), PROGRAM);
        fs.writeFileSync(path.join(dir, "broken.ts"), 'const n: number = "not a number";\nexport const value = n;\n');
        fs.writeFileSync(path.join(dir, "valid.cts"), 'const value: string = "cts compiled";\nmodule.exports = { value };\n');
        fs.writeFileSync(path.join(dir, "valid.ts"), 'export const value: string = "ts compiled";\n');
        if (options.tsconfig) fs.writeFileSync(path.join(dir, "tsconfig.json"), "{}\n");
        const preload = options.preload ? ["--require", path.join(ROOT, "bin", "pack-deferral-preload.js")] : [];
        // The runner drops its first argument (the engine's address) and logs nowhere when none answers.
        const run = spawnSync(process.execPath, [...preload, RUNNER, "127.0.0.1:1", path.join(dir, "pack.js")], { cwd: dir, encoding: "utf8", timeout: 120_000 });
        if (run.status !== 0) throw new Error(`the runner exited ${run.status}: ${run.stderr}`);
        return JSON.parse(run.stdout.trim().split("\n").pop()!);
    }

    const REQUIRED = ["TSError: ⨯ Unable to compile TypeScript:", "cts compiled", "ts compiled"];

    it("keeps TypeScript and ts-node out of a plan's pack until it requires a TypeScript file, which ts-node then compiles with its type check", () => {
        expect(runPack({ preload: false })).toEqual({ before: { typescript: true, tsNode: true }, required: REQUIRED });
        expect(runPack({ preload: true })).toEqual({ before: { typescript: false, tsNode: false }, required: REQUIRED });
    });

    it("registers ts-node at once when a tsconfig.json can configure it", () => {
        const asTheCliRunsIt = runPack({ preload: false, tsconfig: true });
        expect(asTheCliRunsIt).toMatchObject({ before: { typescript: true, tsNode: true } });
        expect(runPack({ preload: true, tsconfig: true })).toEqual(asTheCliRunsIt);
    });

    it("changes nothing for another version of the runner", () => {
        const sdkWith = (edit: (source: string) => string) => {
            const dir = tempDir();
            const sdk = path.join(dir, "node_modules", "@pulumi", "pulumi");
            fs.mkdirSync(path.join(sdk, "cmd", "run-policy-pack"), { recursive: true });
            fs.copyFileSync(path.join(SDK, "package.json"), path.join(sdk, "package.json"));
            fs.copyFileSync(path.join(SDK, "tsutils.js"), path.join(sdk, "tsutils.js"));
            fs.writeFileSync(path.join(sdk, "cmd", "run-policy-pack", "run.js"), edit(fs.readFileSync(path.join(SDK, "cmd", "run-policy-pack", "run.js"), "utf8")));
            return dir;
        };
        const deferred = (dir: string) => inNode(`console.log(JSON.stringify(require(${JSON.stringify(DEFERRAL)}).deferPackTypeScript(${JSON.stringify(dir)})))`);
        expect(deferred(sdkWith((s) => s))).toBe(true);
        expect(deferred(sdkWith((s) => s.replace("const tsVersion = semver.parse(ts.version);", "const tsVersion = semver.parse(ts.version);\n        ts.sys.exit;")))).toBe(false);
    });
});
