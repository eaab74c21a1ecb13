import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordedProgram } from "../../../cli/plan/program";

// bin/build-state.js is plain JavaScript: the digest a build records.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sourceDigest, DIGEST_FILE } = require("../../../bin/build-state") as { sourceDigest(root: string): string; DIGEST_FILE: string };

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

// A project with infra/main.js, infra/index.ts and its compiled copy, built from the sources as they are.
function builtProject(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-program-"));
    roots.push(root);
    fs.mkdirSync(path.join(root, "infra"));
    fs.mkdirSync(path.join(root, "dist", "infra"), { recursive: true });
    fs.writeFileSync(path.join(root, "infra", "main.js"), "module.exports = {};\n");
    fs.writeFileSync(path.join(root, "infra", "index.ts"), "export const a = 1;\n");
    fs.writeFileSync(path.join(root, "dist", "infra", "index.js"), "exports.a = 1;\n");
    fs.writeFileSync(path.join(root, DIGEST_FILE), `${sourceDigest(root)}\n`);
    return root;
}

describe("recordedProgram", () => {
    it("records the project's program from its compiled copy when dist/ was built from the current sources", () => {
        const root = builtProject();
        expect(recordedProgram(path.join(root, "infra", "index.ts"), root)).toEqual({
            file: path.join(root, "dist", "infra", "index.js"), typescript: false, warm: path.join(root, "dist", "infra", "program.js"),
        });
    });

    it("records the compiled copy for Pulumi.yaml's main, infra/main.js, too", () => {
        const root = builtProject();
        expect(recordedProgram(path.join(root, "infra", "main.js"), root)).toEqual({
            file: path.join(root, "dist", "infra", "index.js"), typescript: false, warm: path.join(root, "dist", "infra", "program.js"),
        });
    });

    it("records infra/index.ts through tsx once a source changed since the build, whichever entry was given", () => {
        const root = builtProject();
        fs.writeFileSync(path.join(root, "infra", "index.ts"), "export const a = 2;\n");
        for (const entry of ["index.ts", "main.js"]) {
            expect(recordedProgram(path.join(root, "infra", entry), root)).toEqual({ file: path.join(root, "infra", "index.ts"), typescript: true, warm: path.join(root, "infra", "program.ts") });
        }
    });

    it("records any other program as given, through tsx unless it is JavaScript", () => {
        const root = builtProject();
        for (const [name, typescript] of [["other.ts", true], ["other.js", false], ["other.mjs", false]] as const) {
            fs.writeFileSync(path.join(root, name), "");
            expect(recordedProgram(path.join(root, name), root)).toEqual({ file: path.join(root, name), typescript });
        }
    });
});
