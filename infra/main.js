"use strict";
// The entry `pulumi preview|up` runs (Pulumi.yaml main). It runs the program compiled in dist/infra
// when `npm ci` (or `npm run build`) built dist/ from the sources as they are (bin/build-state.js),
// else infra/index.ts through ts-node as the CLI's `typescript: true` did, so an edit is never run
// stale. Plain JavaScript: the CLI then loads no TypeScript for a compiled run.
const path = require("node:path");
const { compiledProgram } = require("../bin/build-state");
const { deferUnusedSdkModules } = require("../bin/sdk-deferral");
const { skipUnreadSdkDiagnostics } = require("../bin/sdk-diagnostics");

const root = path.resolve(__dirname, "..");
deferUnusedSdkModules(root);
skipUnreadSdkDiagnostics(root);
const compiled = compiledProgram(root);
if (compiled) {
    // dist/ has no source maps (tsconfig.build.json), so the source-map-support that the SDK's runner
    // registers has nothing to map; it only slowed the stack the SDK captures for every promise it
    // makes (a third of the program's CPU time at 25 tenants). V8 formats stacks itself.
    Error.prepareStackTrace = undefined;
    module.exports = require(compiled);
} else {
    // As @pulumi/pulumi's cmd/run registers ts-node: type-checked unless PULUMI_NODEJS_TRANSPILE_ONLY.
    const only = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
    require("ts-node").register({ project: path.join(root, "tsconfig.json"), transpileOnly: only ? only === "true" : undefined });
    module.exports = require("./index.ts");
}
