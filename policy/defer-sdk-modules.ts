// index.ts imports this module first, so that it runs before @pulumi/policy loads @pulumi/pulumi:
// the SDK's closure serializer and code-path walker (@npmcli/arborist and about 480 modules) and
// its Automation API then load only if a rule uses them, which none does (bin/sdk-deferral.js):
// 0.7 s of every pack start. `pulumi preview|up` start the pack twice per update (preview, update).
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The project's bin/sdk-deferral.js, from the nearest directory at or above `start` that holds
 * one: the pack runs from policy/, from dist/policy (compiled by `npm ci`) and from the plan's
 * pack cache under node_modules/.cache, all inside the project.
 */
export function findSdkDeferral(start: string): string | undefined {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "bin", "sdk-deferral.js");
        if (fs.existsSync(candidate)) return candidate;
        if (path.dirname(dir) === dir) return undefined;
    }
}

// A pack copied out of the project finds no deferral and loads the SDK as it always did.
const deferral = findSdkDeferral(__dirname);
if (deferral) {
    // bin/sdk-deferral.js is plain JavaScript, shared with infra/main.js, which runs before any TypeScript.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(deferral) as { deferUnusedSdkModules(fromDir: string): boolean }).deferUnusedSdkModules(__dirname);
}
