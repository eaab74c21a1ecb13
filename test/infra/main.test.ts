import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EngineLog } from "../../cli/engine/analyzer-types";
import { startEngine } from "../../cli/engine/engine-service";

// bin/build-state.js is plain JavaScript: the digest a build records.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sourceDigest, DIGEST_FILE } = require("../../bin/build-state") as { sourceDigest(root: string): string; DIGEST_FILE: string };

const ROOT = path.resolve(__dirname, "../..");
const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

// What both programs export: which one ran, how stacks were formatted while it loaded, and whether
// requiring @pulumi/pulumi loaded TypeScript (the SDK's closure serializer does, unless deferred).
const REPORT = `{ mapped: typeof Error.prepareStackTrace, typescriptLoaded: Object.keys(require.cache).some((k) => k.includes("/node_modules/typescript/")) }`;

/**
 * A project holding the real infra/main.js and bin/ helpers, an infra/index.ts and a dist/infra/index.js
 * that each say which one ran, a build digest of the sources as they are, and the repository's node_modules.
 */
function project(program = `"use strict";\nrequire("@pulumi/pulumi");\nexports.report = { ran: "dist/infra/index.js", ...${REPORT} };\n`): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-main-"));
    roots.push(root);
    for (const dir of ["bin", "infra", path.join("dist", "infra")]) fs.mkdirSync(path.join(root, dir), { recursive: true });
    for (const file of ["bin/build-state.js", "bin/sdk-deferral.js", "bin/sdk-diagnostics.js", "infra/main.js", "tsconfig.json"]) fs.copyFileSync(path.join(ROOT, file), path.join(root, file));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
    fs.writeFileSync(path.join(root, "infra", "index.ts"), `import "@pulumi/pulumi";\nconst ran: string = "infra/index.ts";\nexport const report = { ran, ...${REPORT} };\n`);
    fs.writeFileSync(path.join(root, "dist", "infra", "index.js"), program);
    fs.writeFileSync(path.join(root, DIGEST_FILE), `${sourceDigest(root)}\n`);
    return root;
}

/** Requires infra/main.js as @pulumi/pulumi's cmd/run does: after registering source-map-support. */
function runMain(root: string, env: Record<string, string> = {}) {
    const script = `require("source-map-support/register"); console.log(JSON.stringify(require("./infra/main.js").report));`;
    const environment = { ...process.env, ...env };
    if (!("PULUMI_NODEJS_TRANSPILE_ONLY" in env)) delete environment.PULUMI_NODEJS_TRANSPILE_ONLY;
    const run = spawnSync(process.execPath, ["-e", script], { cwd: root, env: environment, encoding: "utf8", timeout: 120_000 });
    return { code: run.status, report: run.status === 0 ? JSON.parse(run.stdout) : undefined, stderr: run.stderr };
}

describe("infra/main.js, the entry Pulumi.yaml names", () => {
    it("runs dist/infra/index.js when the build is of the current sources, with V8's own stack format and the SDK's unused modules deferred", () => {
        const run = runMain(project());
        expect(run).toEqual({ code: 0, report: { ran: "dist/infra/index.js", mapped: "undefined", typescriptLoaded: false }, stderr: "" });
    });

    it("runs infra/index.ts through ts-node, stack traces source-mapped, once a source changed since the build", () => {
        const root = project();
        fs.appendFileSync(path.join(root, "infra", "index.ts"), "// edited\n");
        expect(runMain(root)).toEqual({ code: 0, report: { ran: "infra/index.ts", mapped: "function", typescriptLoaded: true }, stderr: "" });
    });

    it("type-checks the TypeScript unless PULUMI_NODEJS_TRANSPILE_ONLY=true, as the CLI's typescript option did", () => {
        const root = project();
        fs.writeFileSync(path.join(root, "infra", "index.ts"), `const ran: number = "infra/index.ts";\nexport const report = { ran };\n`);
        const checked = runMain(root);
        expect(checked.code).not.toBe(0);
        expect(checked.stderr).toContain(`index.ts(1,7): error TS2322: Type 'string' is not assignable to type 'number'.`);
        expect(runMain(root, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" })).toEqual({ code: 0, report: { ran: "infra/index.ts" }, stderr: "" });
    });

    it("sends the engine none of the SDK's debug lines unless TENANCY_SDK_DEBUG=true, and traces no tracked promise's stack unless PULUMI_DEBUG_PROMISE_LEAKS is set", async () => {
        // A program that logs through the SDK to a real Engine service, and reports the stack its leak tracker kept for a promise.
        const root = project(`"use strict";
const pulumi = require("@pulumi/pulumi");
const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable");
const tracked = Promise.resolve();
exports.report = Promise.all([pulumi.log.debug("a debug line"), pulumi.log.info("an info line"), debuggablePromise(tracked, "tracked")]).then(() => ({ traced: String(tracked._debugStackTrace).includes("\\n    at ") }));
`);
        const logs: EngineLog[] = [];
        const engine = await startEngine(logs);
        const run = async (env: Record<string, string>) => {
            logs.length = 0;
            const script = `require("source-map-support/register"); require("./infra/main.js").report.then((r) => { console.log(JSON.stringify(r)); process.exit(0); });`;
            const environment: NodeJS.ProcessEnv = { ...process.env, PULUMI_NODEJS_ENGINE: engine.address, ...env };
            for (const name of ["TENANCY_SDK_DEBUG", "PULUMI_DEBUG_PROMISE_LEAKS"]) if (!(name in env)) delete environment[name];
            const child = spawn(process.execPath, ["-e", script], { cwd: root, env: environment, stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
            const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
            return { code, report: code === 0 ? JSON.parse(stdout) : stderr, logs: logs.map((l) => `${l.severity}: ${l.message}`) };
        };
        try {
            expect(await run({})).toEqual({ code: 0, report: { traced: false }, logs: ["info: an info line"] });
            expect(await run({ TENANCY_SDK_DEBUG: "true", PULUMI_DEBUG_PROMISE_LEAKS: "1" })).toEqual({ code: 0, report: { traced: true }, logs: ["debug: a debug line", "info: an info line"] });
        } finally {
            engine.server.forceShutdown();
        }
    }, 60_000);
});
