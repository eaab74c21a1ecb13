"use strict";
// The Pulumi Node.js SDK loads, for every process that requires @pulumi/pulumi, modules this
// project never uses:
// - `runtime/index.js` loads its closure serializer (which loads TypeScript) and its code-path
//   walker (which loads @npmcli/arborist, pacote and sigstore): about 480 modules and 0.4–0.9 s,
//   for two functions that package functions for dynamic providers and cloud functions;
// - `index.js` loads the Automation API (`pulumi.automation`, about 60 ms), which drives the CLI
//   from a program and has no use inside one.
// Each `pulumi up` starts the program and the pack twice (preview, update) and a plan starts a
// recording child per shard, so these processes load those modules only when they are used.
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

// The SDK files this process hooks already, shared by every copy of this file that loads (a plan's
// pack is preloaded with the CLI's copy, then runs its own project's).
const HOOKED = Symbol.for("tenancy.sdkDeferral.hooked");

/** What runtime/index.js reads from each module whose functions it gets stand-ins for (pinned @pulumi/pulumi 3.248). */
const STAND_INS = {
    "./closure/codePaths": ["computeCodePaths"],
    "./closure/serializeClosure": ["serializeFunction", "serializeFunctionAsync"],
};

/** The lines by which index.js loads and exports the Automation API, its only uses of the name. */
const AUTOMATION_LINES = ['const automation = __importStar(require("./automation"));', "exports.automation = automation;"];

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

/** True when runtime/index.js reads from the two modules exactly the functions above. */
function standInsFit(source) {
    return Object.entries(STAND_INS).every(([request, names]) => JSON.stringify(namesRead(source, request)) === JSON.stringify([...names].sort()));
}

/** True when index.js uses `automation` only in the two lines above (4 occurrences of the word). */
function automationFits(source) {
    return AUTOMATION_LINES.every((line) => source.split(line).length === 2) && (source.match(/\bautomation\b/g) ?? []).length === 4;
}

/**
 * A module namespace that loads the module behind it on first use. __importStar returns it as it
 * is, since it answers `__esModule` without loading.
 */
function lazyNamespace(real) {
    return new Proxy(
        Object.defineProperty({}, "__esModule", { value: true, configurable: true }),
        {
            get: (target, key) => (key === "__esModule" ? true : real()[key]),
            has: (target, key) => key in real(),
            ownKeys: () => [...new Set(["__esModule", ...Reflect.ownKeys(real())])],
            getOwnPropertyDescriptor: (target, key) => {
                if (key === "__esModule") return Reflect.getOwnPropertyDescriptor(target, key);
                const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
                return descriptor && { ...descriptor, configurable: true };
            },
        },
    );
}

/**
 * Makes the @pulumi/pulumi that `fromDir` resolves load the modules above on first use instead of
 * at require time. Each SDK file is hooked only when it is not loaded or hooked already and reads
 * from those modules exactly what is stood in for (else, another SDK version, it loads them as
 * usual). Returns whether anything was hooked.
 */
function deferUnusedSdkModules(fromDir) {
    const hooked = (Module[HOOKED] ??= new Set());
    // SDK file -> { request: the names of its stand-in functions, or "namespace" }
    const deferred = new Map();
    let sdkRoot;
    try {
        sdkRoot = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [fromDir] }));
    } catch {
        return false;
    }
    const candidates = [
        [path.join(sdkRoot, "runtime", "index.js"), standInsFit, STAND_INS],
        [path.join(sdkRoot, "index.js"), automationFits, { "./automation": "namespace" }],
    ];
    for (const [file, fits, standIns] of candidates) {
        if (require.cache[file] || hooked.has(file)) continue;
        let source;
        try {
            source = fs.readFileSync(file, "utf8");
        } catch {
            continue;
        }
        if (fits(source)) deferred.set(file, standIns);
    }
    if (deferred.size === 0) return false;
    const pending = new Set();
    for (const [file, standIns] of deferred) {
        hooked.add(file);
        for (const request of Object.keys(standIns)) pending.add(`${file}\0${request}`);
    }
    const load = Module._load;
    Module._load = function deferring(request, parent, isMain) {
        const standIns = parent ? deferred.get(parent.filename) : undefined;
        if (!standIns || !Object.hasOwn(standIns, request)) return load.apply(this, arguments);
        // Each file loads once: after every stand-in was handed out, loading is as before (unless a
        // later hook wrapped this one: removing it would remove that hook too).
        pending.delete(`${parent.filename}\0${request}`);
        if (pending.size === 0 && Module._load === deferring) Module._load = load;
        let loaded;
        const real = () => (loaded ??= load.call(this, request, parent, isMain));
        const standIn = standIns[request];
        if (standIn === "namespace") return lazyNamespace(real);
        return Object.fromEntries(standIn.map((name) => [name, (...args) => real()[name](...args)]));
    };
    return true;
}

// The policy-pack runner (run-policy-pack/run.js) registers ts-node, with type checking, before it
// loads any pack, and tsutils.js loads TypeScript and ts-node to find them: about 0.35 s of every
// pack start, for a plan's pack that is compiled JavaScript and never requires a TypeScript file.
// Pinned by content: what follows knows exactly what these two files read from both modules
// (`ts.version`, `tsn.VERSION`, `tsn.register(options)`); other SDK versions register as always.
const RUNNER_SHA256 = {
    "cmd/run-policy-pack/run.js": "424470b8f978efc65c236ecbb25b3abf9098684e798890e2ae55065842202018",
    "tsutils.js": "70d2651b9633cae56abc144aabfe4c7d56c4783b3be4e90bf9a84798af83527e",
};

/** The extensions ts-node registers for the runner's options; it compiles .mts and .cts through the .js handler. */
const TS_EXTENSIONS = [".ts", ".tsx"];
const TS_THROUGH_JS = [".mts", ".cts"];

/**
 * `register(options)` that registers ts-node when a TypeScript file is first required, or at once
 * when its configuration can come from anything but `options` (a tsconfig.json, TS_NODE_ variables)
 * or makes it compile JavaScript too (allowJs): it is then the runner's registration, later.
 */
function deferredRegister(realTsNode) {
    return (options) => {
        const configured = options?.skipProject !== true || fs.existsSync("tsconfig.json") || Object.keys(process.env).some((k) => k.startsWith("TS_NODE_"));
        if (configured || options?.compilerOptions?.allowJs) return realTsNode().register(options);
        const extensions = Module._extensions;
        const jsHandler = extensions[".js"];
        // What ts-node finds when it registers: the handlers as they were (for .ts and .tsx, none).
        const before = TS_EXTENSIONS.map((ext) => [ext, Object.getOwnPropertyDescriptor(extensions, ext)]);
        const registerNow = () => {
            for (const [ext, descriptor] of before) {
                if (descriptor) Object.defineProperty(extensions, ext, descriptor);
                else delete extensions[ext];
            }
            extensions[".js"] = jsHandler;
            realTsNode().register(options);
        };
        for (const ext of TS_EXTENSIONS) {
            extensions[ext] = function registering(module, filename) {
                registerNow();
                return (extensions[ext] ?? extensions[".js"])(module, filename);
            };
        }
        extensions[".js"] = function registeringTypeScript(module, filename) {
            if (!TS_THROUGH_JS.some((ext) => filename.endsWith(ext))) return jsHandler(module, filename);
            registerNow();
            return extensions[".js"](module, filename);
        };
        return undefined;
    };
}

/**
 * Makes the policy-pack runner of the @pulumi/pulumi that `fromDir` resolves register ts-node (and
 * load TypeScript) only when the pack first requires a TypeScript file, when both runner files are
 * the pinned ones and neither is loaded yet. Returns whether anything was hooked.
 */
function deferPackTypeScript(fromDir) {
    let sdkRoot;
    try {
        sdkRoot = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [fromDir] }));
    } catch {
        return false;
    }
    const files = Object.keys(RUNNER_SHA256).map((relative) => path.join(sdkRoot, relative));
    const hooked = (Module[HOOKED] ??= new Set());
    if (files.some((file) => require.cache[file] || hooked.has(file))) return false;
    const fits = Object.entries(RUNNER_SHA256).every(([relative, sha256]) => {
        try {
            return require("node:crypto").createHash("sha256").update(fs.readFileSync(path.join(sdkRoot, relative))).digest("hex") === sha256;
        } catch {
            return false;
        }
    });
    if (!fits) return false;
    for (const file of files) hooked.add(file);
    const load = Module._load;
    Module._load = function deferringTypeScript(request, parent, isMain) {
        if (!parent || !files.includes(parent.filename) || (request !== "typescript" && request !== "ts-node")) return load.apply(this, arguments);
        let packageFile;
        try {
            packageFile = require.resolve(`${request}/package.json`, { paths: [path.dirname(parent.filename)] });
        } catch {
            // Not installed: tsutils.js falls back to the SDK's vendored copy, as without this hook.
            return load.apply(this, arguments);
        }
        const version = JSON.parse(fs.readFileSync(packageFile, "utf8")).version;
        if (request === "typescript") return { version };
        let loaded;
        const real = () => (loaded ??= load.call(this, request, parent, isMain));
        return { VERSION: version, register: deferredRegister(real) };
    };
    return true;
}

module.exports = { deferPackTypeScript, deferUnusedSdkModules };
