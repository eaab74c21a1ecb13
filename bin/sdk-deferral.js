"use strict";
// The Pulumi Node.js SDK's `runtime` module loads its closure serializer (which loads TypeScript)
// and its code-path walker (which loads @npmcli/arborist, pacote and sigstore) up front: about 480
// modules and 0.6–0.9 s of every process that requires @pulumi/pulumi, for two functions this
// project never calls (they package functions for dynamic providers and cloud functions). Each
// `pulumi up` starts the program twice (preview, update) and a plan starts a recording child per
// shard, so the program's entry and the recording child load those two modules only when called.
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

// The runtime/index.js files this process hooks already, shared by every copy of this file that
// loads (a plan's pack is preloaded with the CLI's copy, then runs its own project's).
const HOOKED = Symbol.for("tenancy.sdkDeferral.hooked");

/** What runtime/index.js reads from each deferred module (pinned @pulumi/pulumi 3.248). */
const DEFERRED = {
    "./closure/codePaths": ["computeCodePaths"],
    "./closure/serializeClosure": ["serializeFunction", "serializeFunctionAsync"],
};

/**
 * The names runtime/index.js reads from `request`, or undefined when it does not bind the module
 * as `var <name>_1 = require("<request>");` (the only use a stand-in can replace).
 */
function namesRead(source, request) {
    const binding = new RegExp(`var (\\w+) = require\\("${request.replace(/[./]/g, "\\$&")}"\\);`).exec(source);
    if (!binding) return undefined;
    const uses = source.split(`require("${request}")`).length - 1;
    if (uses !== 1) return undefined;
    return [...new Set([...source.matchAll(new RegExp(`\\b${binding[1]}\\.(\\w+)`, "g"))].map((m) => m[1]))].sort();
}

/**
 * Makes the @pulumi/pulumi that `fromDir` resolves load its closure serializer and code-path walker
 * on first call instead of at require time. Changes nothing (returns false) when that SDK's
 * runtime/index.js is loaded or hooked already, or reads anything from them but the functions above (another
 * SDK version): there every module loads as usual.
 */
function deferUnusedSdkModules(fromDir) {
    let runtimeIndex;
    try {
        const sdkRoot = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [fromDir] }));
        runtimeIndex = path.join(sdkRoot, "runtime", "index.js");
        if (require.cache[runtimeIndex] || Module[HOOKED]?.has(runtimeIndex)) return false;
        const source = fs.readFileSync(runtimeIndex, "utf8");
        for (const [request, names] of Object.entries(DEFERRED)) {
            if (JSON.stringify(namesRead(source, request)) !== JSON.stringify([...names].sort())) return false;
        }
    } catch {
        return false;
    }
    (Module[HOOKED] ??= new Set()).add(runtimeIndex);
    const load = Module._load;
    const pending = new Set(Object.keys(DEFERRED));
    Module._load = function deferring(request, parent, isMain) {
        const names = parent && parent.filename === runtimeIndex ? DEFERRED[request] : undefined;
        if (!names) return load.apply(this, arguments);
        // runtime/index.js loads once: after it took both stand-ins, loading is as before (unless a
        // later hook wrapped this one: removing it would remove that hook too).
        pending.delete(request);
        if (pending.size === 0 && Module._load === deferring) Module._load = load;
        let loaded;
        const real = () => (loaded ??= load.call(this, request, parent, isMain));
        return Object.fromEntries(names.map((name) => [name, (...args) => real()[name](...args)]));
    };
    return true;
}

module.exports = { deferUnusedSdkModules };
