import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PACKAGE_ROOT } from "../package-root";
import { PLAN_PARSE_ENV, writeParsedTenants, type ParsedTenants } from "../../registry";
// Not the engine's index: it loads the recording side, whose Pulumi SDK (about 0.8 s to load) only the recording child needs.
import type { PolicyConfig, PolicyDiagnostic, PolicyHost } from "../engine/analyzer-types";
import { engineResource, engineResources } from "../engine/engine-resources";
import { startPolicyPack } from "../engine/policy-host";
import type { RecordedResource } from "../engine/types";
import { cachedPack, compiledPack } from "./pack-cache";
import { packConfig, type PackSettings } from "./pack-config";

// bin/build-state.js is plain JavaScript at the repository root (bin/tenancy.js uses it before any TypeScript loads), found from there whether this file runs compiled or not.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compiledPackDir } = require(path.join(PACKAGE_ROOT, "bin", "build-state")) as { compiledPackDir(root: string): string | undefined };

/** What the pack said about one planned stack. */
export interface PolicyOutcome {
    /** Pack name, version and number of rules, from GetAnalyzerInfo. */
    pack: { name: string; version: string; rules: number };
    /** Every diagnostic of Analyze (per resource) and AnalyzeStack, sorted by URN, rule and message. */
    diagnostics: PolicyDiagnostic[];
    /** Milliseconds spent in Analyze and AnalyzeStack calls. */
    analyzeMs: number;
}

/**
 * Starts the policy pack and configures every rule with the settings its schema reads: the registry
 * being planned (so the pack judges plans against the registry the program ran on, not the
 * repository's), the stack's shard and pinned keys, and the tenants of a partial plan.
 */
export async function startPlanPack(packDir: string, settings: PackSettings): Promise<PolicyHost> {
    return configurePlanPack(await startPolicyPack({ packDir: await preparePlanPack(packDir) }), settings);
}

/** A pack that is starting: `host` settles once it is ready; `abandon` stops it, started or not. */
export interface EarlyPack {
    /** The started and ready pack. */
    host: Promise<PolicyHost>;
    /**
     * Settles once the slow part of the start runs in a process of its own (the pack, or tsc
     * compiling it) or the start failed: the caller may then block its event loop (registry
     * validation) without holding the start back.
     */
    launched: Promise<void>;
    /** Stops the pack, started or not. */
    abandon(): Promise<void>;
    /** The plan's parse file this pack reads (see {@link planParseFile}), for the packs started after it. */
    parseFile?: string;
}

/**
 * The directory the plan starts the pack from when it is ready without compiling: the project's own
 * pack compiled by `npm ci` (dist/policy) when that build is of the current sources and
 * dependencies, else its compilation in the pack cache (pack-cache.ts) when there is one; any other
 * pack as given.
 */
export function planPackDir(packDir: string, root: string = PACKAGE_ROOT): string {
    if (!isProjectPack(packDir, root)) return packDir;
    return compiledPackDir(root) ?? cachedPack(root) ?? packDir;
}

/**
 * The directory the plan starts the pack from (see {@link planPackDir}), compiling the project's
 * pack into the cache first when its sources or dependencies changed, so that only the first plan
 * after a change type-checks it. A pack that does not compile starts from its sources, whose start
 * reports the errors as `pulumi preview` would.
 */
export async function preparePlanPack(packDir: string, root: string = PACKAGE_ROOT, signal?: AbortSignal, onCompiling?: () => void): Promise<string> {
    const ready = planPackDir(packDir, root);
    if (ready !== packDir || !isProjectPack(packDir, root)) return ready;
    onCompiling?.();
    try {
        const compiled = await compiledPack(root, { signal });
        return "dir" in compiled ? compiled.dir : packDir;
    } catch {
        // A cache that cannot be written (read-only node_modules) costs only the type check.
        return packDir;
    }
}

function isProjectPack(packDir: string, root: string): boolean {
    return path.resolve(packDir) === path.join(root, "policy");
}

/**
 * Where a plan writes its parse of the registries for its packs (registry/parse-share.ts), in a
 * directory only its user can read: the packs start before the registries are validated, so they
 * are told the file's name at once and read it when they first load the registry, after Configure.
 */
export interface PlanParseFile {
    /** The file's path. */
    file: string;
    /** Writes the parse; a file that cannot be written leaves the packs to parse the registry themselves. */
    write(parsed: ParsedTenants): void;
    /** Removes the file and its directory. */
    remove(): void;
}

/**
 * A parse file for the packs of a plan of the project's own pack, whose registry module is the
 * CLI's; undefined for any other pack (it may read the registry with other code) or when no
 * temporary directory can be made.
 */
export function planParseFile(packDir: string, root: string = PACKAGE_ROOT): PlanParseFile | undefined {
    if (!isProjectPack(packDir, root)) return undefined;
    let dir: string;
    try {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-plan-"));
    } catch {
        return undefined;
    }
    const file = path.join(dir, "parsed-tenants");
    return {
        file,
        write(parsed) {
            try {
                writeParsedTenants(file, parsed);
            } catch {
                // Only slower: each pack parses the registry itself.
            }
        },
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

/**
 * Starts the policy pack without waiting for it (its compilation or start takes seconds whatever
 * the registry's size, and goes on while the caller validates registries). With `parseFile`, the
 * pack reuses the plan's parse of the registry written there (see {@link planParseFile}).
 */
export function spawnPlanPack(packDir: string, parseFile?: string): EarlyPack {
    const abort = new AbortController();
    let pid: number | undefined;
    let launch!: () => void;
    const launched = new Promise<void>((resolve) => (launch = resolve));
    const host = preparePlanPack(packDir, PACKAGE_ROOT, abort.signal, launch).then((dir) => {
        if (abort.signal.aborted) throw new Error("the policy pack was abandoned");
        return startPolicyPack({
            packDir: dir,
            env: parseFile ? { [PLAN_PARSE_ENV]: parseFile } : undefined,
            onSpawned: (spawned) => {
                pid = spawned;
                launch();
            },
        });
    });
    // The plan awaits `host` only after validating the registries; a failure meanwhile is not unhandled.
    host.then(launch, launch);
    return {
        host,
        launched,
        parseFile,
        async abandon() {
            abort.abort();
            // Killing the process makes a pending start fail; a started host is stopped.
            if (pid !== undefined) {
                try {
                    process.kill(pid, "SIGKILL");
                } catch {
                    // Already gone.
                }
            }
            await host.then((h) => h.stop(), () => undefined);
        },
    };
}

/**
 * Configures a started pack for a plan (see {@link startPlanPack}); stops it if that fails. With
 * `only`, every other rule of the pack is disabled: the analysis runs for that rule's findings alone.
 */
export async function configurePlanPack(host: PolicyHost, settings: PackSettings, only?: string): Promise<PolicyHost> {
    try {
        const info = await host.getAnalyzerInfo();
        // What the running pack says each rule reads, not this checkout's rules: --policy-pack may name another pack.
        const config: PolicyConfig = packConfig(settings, info.policies.map((p) => ({ name: p.name, reads: Object.keys(p.configSchema ?? {}) })));
        if (only !== undefined) for (const p of info.policies) if (p.name !== only) config[p.name] = { enforcementLevel: "disabled" };
        if (Object.keys(config).length > 0) await host.configure(config);
        return host;
    } catch (error) {
        await host.stop();
        throw error;
    }
}

// Analyze calls in flight at once: the pack answers each on its event loop, so a small window
// hides round-trip latency without piling up work.
const WINDOW = 8;

/**
 * Sends every resource to the pack with Analyze (its inputs, as the engine does before each step)
 * as soon as it is recorded — while the program still runs — and, once the recording is complete,
 * the whole stack with AnalyzeStack (its outputs), as a preview with `--policy-pack` does, and
 * collects the diagnostics. The conversion to analyzer requests is the policy host's, shared with
 * the pack's own whole-program tests. Resources added before the pack is up wait for start().
 */
export class PolicyStream {
    private readonly byUrn = new Map<string, RecordedResource>();
    private readonly queue: RecordedResource[] = [];
    private next = 0;
    private inFlight = 0;
    private done = 0;
    private host?: PolicyHost;
    private failure?: { error: unknown };
    private drained?: () => void;
    private progress?: (done: number) => void;
    private readonly diagnostics: PolicyDiagnostic[] = [];

    /** A resource just recorded: analyzed once the pack is up (its provider was recorded before it). */
    readonly add = (resource: RecordedResource): void => {
        this.byUrn.set(resource.urn, resource);
        this.queue.push(resource);
        this.pump();
    };

    /** The pack is up: analysis of what was recorded so far begins. */
    start(host: PolicyHost): void {
        this.host = host;
        this.pump();
    }

    /**
     * The recording is complete (`resources`, every one of them added before): waits for the
     * remaining Analyze calls, runs AnalyzeStack and returns the diagnostics, sorted and deduplicated.
     * `progress` hears the count of resources analyzed, from 1, including those analyzed before.
     */
    async finish(resources: RecordedResource[], progress?: (done: number) => void): Promise<PolicyOutcome> {
        const host = this.host;
        if (!host) throw new Error("PolicyStream.finish before start");
        const info = await host.getAnalyzerInfo();
        const started = Date.now();
        for (let done = 1; done <= this.done; done++) progress?.(done);
        this.progress = progress;
        if (this.next < this.queue.length || this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
        if (this.failure) throw this.failure.error;
        // The queue is only needed until each resource is analyzed.
        this.queue.length = 0;
        const diagnostics = this.diagnostics;
        diagnostics.push(...(await host.analyzeStack(engineResources(resources, "outputs"))));
        return { pack: { name: info.name, version: info.version, rules: info.policies.length }, diagnostics: sortDiagnostics(diagnostics), analyzeMs: Date.now() - started };
    }

    private pump(): void {
        const host = this.host;
        if (!host) return;
        while (!this.failure && this.inFlight < WINDOW && this.next < this.queue.length) {
            const resource = this.queue[this.next];
            this.queue[this.next++] = undefined as unknown as RecordedResource;
            this.inFlight++;
            let request;
            try {
                request = engineResource(resource, this.byUrn, "inputs");
            } catch (error) {
                this.fail(error);
                return;
            }
            host.analyze(request).then(
                (found) => {
                    // The pack names the resource in each diagnostic; fill it in if one ever does not.
                    for (const d of found) this.diagnostics.push(d.urn ? d : { ...d, urn: resource.urn });
                    this.done++;
                    this.progress?.(this.done);
                    this.inFlight--;
                    this.pump();
                },
                (error: unknown) => {
                    this.inFlight--;
                    this.fail(error);
                },
            );
        }
        if (this.drained && (this.failure || (this.inFlight === 0 && this.next >= this.queue.length))) {
            const drained = this.drained;
            this.drained = undefined;
            drained();
        }
    }

    /** The plan will not use the analysis (the program failed): sends nothing more. */
    cancel(): void {
        this.fail(new Error("analysis cancelled"));
    }

    private fail(error: unknown): void {
        this.failure ??= { error };
        this.pump();
    }
}

/** Analyzes a complete recording: every resource with Analyze, then the stack with AnalyzeStack (see PolicyStream). */
export async function analyzeRecording(host: PolicyHost, resources: RecordedResource[], progress?: (done: number) => void): Promise<PolicyOutcome> {
    const stream = new PolicyStream();
    stream.start(host);
    for (const resource of resources) stream.add(resource);
    return stream.finish(resources, progress);
}

/** Diagnostics sorted by URN, rule and message, identical ones once: the order every report lists them in. */
export function sortDiagnostics(diagnostics: PolicyDiagnostic[]): PolicyDiagnostic[] {
    diagnostics.sort((a, b) => cmp(a.urn, b.urn) || cmp(a.policyName, b.policyName) || cmp(a.message, b.message));
    return dedupe(diagnostics);
}

function cmp(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

// Sorted input: identical diagnostics are adjacent.
function dedupe(diagnostics: PolicyDiagnostic[]): PolicyDiagnostic[] {
    return diagnostics.filter((d, i) => i === 0 || JSON.stringify(d) !== JSON.stringify(diagnostics[i - 1]));
}
