#!/usr/bin/env node
"use strict";
// Compiles the CLI (cli/ and what it imports) into dist/ with tsc, then records the digest of the
// sources it was built from (bin/build-state.js), so bin/tenancy.js starts from JavaScript.
// `npm ci` runs it as the `prepare` script; with --prepare a failed build only warns (exit 0): the
// CLI then runs the TypeScript through tsx, as without a build.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { sourceDigest, DIGEST_FILE, OUT_DIR } = require("./build-state");

const root = path.resolve(__dirname, "..");
const prepare = process.argv.includes("--prepare");
// Taken before compiling: a source edited during the build makes the digest stale, never wrong.
const digest = sourceDigest(root);
fs.rmSync(path.join(root, OUT_DIR), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (tsc.status !== 0) {
    fs.rmSync(path.join(root, DIGEST_FILE), { force: true });
    process.stderr.write(
        `tenancy: the compiled CLI was not built (tsc ${tsc.error ? tsc.error.message : `exited ${tsc.status ?? tsc.signal}`}); ` +
            "bin/tenancy.js runs the TypeScript sources through tsx until `npm run build` succeeds\n",
    );
    process.exit(prepare ? 0 : 1);
}
// The pack's metadata next to its compiled entry, so run-policy-pack can start it from dist/policy.
const packManifest = JSON.parse(fs.readFileSync(path.join(root, "policy", "package.json"), "utf8"));
fs.writeFileSync(path.join(root, OUT_DIR, "policy", "package.json"), `${JSON.stringify({ ...packManifest, main: "index.js" }, null, 2)}\n`);
fs.copyFileSync(path.join(root, "policy", "PulumiPolicy.yaml"), path.join(root, OUT_DIR, "policy", "PulumiPolicy.yaml"));
fs.writeFileSync(path.join(root, DIGEST_FILE), `${digest}\n`);
