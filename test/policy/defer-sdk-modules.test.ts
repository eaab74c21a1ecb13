import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findSdkDeferral } from "../../policy/defer-sdk-modules";

const ROOT = path.resolve(__dirname, "../..");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-defer-sdk-"));
    dirs.push(dir);
    return dir;
}

describe("findSdkDeferral", () => {
    it("finds the project's bin/sdk-deferral.js from policy/, from dist/policy and from the pack cache", () => {
        const expected = path.join(ROOT, "bin", "sdk-deferral.js");
        for (const start of ["policy", path.join("dist", "policy"), path.join("node_modules", ".cache", "tenancy-pack", "0123abcd", "policy")]) {
            expect(findSdkDeferral(path.join(ROOT, start))).toBe(expected);
        }
    });

    it("finds none for a pack outside any project that has one", () => {
        expect(findSdkDeferral(tempDir())).toBeUndefined();
    });
});

describe("the pack's entry", () => {
    it("serves, started by the real run-policy-pack as the CLI starts it, without having loaded the SDK's code-path walker (@npmcli/arborist) or its Automation API, and with @pulumi/policy's deserializeProperties shared", () => {
        // Reports, when the pack prints the port it serves on, which packages it has loaded, then ends it.
        const reporter = path.join(tempDir(), "report-at-port.js");
        fs.writeFileSync(
            reporter,
            `const loaded = (name) => Object.keys(require.cache).some((k) => k.includes("/node_modules/" + name + "/"));
             process.stdout.write = (chunk) => {
                 process.stderr.write("REPORT " + JSON.stringify({ port: /^\\d+\\s*$/.test(String(chunk)), policy: loaded("@pulumi/policy"), arborist: loaded("@npmcli/arborist"), automation: loaded("@pulumi/pulumi/automation"), shared: !String(require(require.resolve("@pulumi/policy/deserialize", { paths: [process.cwd()] })).deserializeProperties).includes("toJavaScript") }) + "\\n");
                 process.exit(0);
             };`,
        );
        const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [ROOT] });
        const pack = path.join(ROOT, "policy");
        const run = spawnSync(process.execPath, ["--require", reporter, runPolicyPack, "127.0.0.1:1", pack], { cwd: pack, encoding: "utf8", timeout: 150_000 });
        const report = run.stderr.split("\n").find((line) => line.startsWith("REPORT "));
        expect({ code: run.status, report: report && JSON.parse(report.slice("REPORT ".length)) }).toEqual({ code: 0, report: { port: true, policy: true, arborist: false, automation: false, shared: true } });
    }, 180_000);
});
