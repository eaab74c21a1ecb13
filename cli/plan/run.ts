import * as fs from "node:fs";
import * as path from "node:path";
import { recordInChild } from "../engine/fork";
import { ensurePlanKey, planKeyPath } from "../engine/plan-key";
import type { RecordedResource } from "../engine/types";
import { startPolicyPack, type PolicyHost } from "../engine";
import { missingSecrets, validateRegistry, type Registry, type SourceIssue } from "../../registry";
import { checkoutRegistryAt, type BaseCheckout } from "./git-base";
import { diffErrors, diffPlans, registryDelta } from "./diff";
import { inventory, type PlannedResource } from "./inventory";
import { validateObjects } from "./kube-validate";
import { isNatsAuthorization, natsDocuments, type NatsDocuments } from "./nats";
import { analyzeRecording } from "./policy";
import { buildReport, type PlanReport } from "./report";
import { readStackFiles, type StackConfigFiles } from "./stack-config";

/** Everything a plan needs, already resolved to absolute paths by the command. */
export interface PlanOptions {
    /** Project root (holds Pulumi.yaml, Pulumi.<stack>.yaml, policy/). */
    projectRoot: string;
    /** Registry directory, or undefined for the stack's `tenancy:tenantsDir` (default "tenants"). */
    tenantsDir?: string;
    /** Stack name. */
    stack: string;
    /** Whether --stack was given (then its stack file must exist). */
    stackGiven: boolean;
    /** Program entry, or undefined for Pulumi.yaml `main`, else infra/index.ts. */
    programFile?: string;
    /** Policy pack directory. */
    packDir: string;
    /** Git revision to compare with. */
    baseRef?: string;
    /** Receives progress lines (only wired for large registries on a terminal). */
    progress?: (line: string) => void;
    /** Receives what the program prints (warnings of the SDK, console output). */
    programOutput?: (line: string) => void;
    /** Shows paths relative to the working directory. */
    shown: (file: string) => string;
}

/** A plan that ran: the report, the planned resources and the documents --out writes. */
export interface PlanResult {
    kind: "planned";
    report: PlanReport;
    resources: PlannedResource[];
    nats: NatsDocuments;
    /** Wall-clock milliseconds of each phase (stderr only: never in the report, which must be deterministic). */
    timings: { recordMs: number; packStartMs: number; analyzeMs: number; totalMs: number };
}

/** The registry (at head or at --base) is invalid. */
export interface InvalidRegistry {
    kind: "invalid-registry";
    /** Which registry: the working tree's or the one at --base. */
    where: string;
    issues: SourceIssue[];
}

/** The plan could not run; `usage` problems exit 2, the others 1. */
export interface PlanFailure {
    kind: "failed";
    usage: boolean;
    message: string;
}

/** Runs a whole plan. Throws nothing for expected failures: they come back as values. */
export async function runPlan(options: PlanOptions): Promise<PlanResult | InvalidRegistry | PlanFailure> {
    const started = Date.now();
    let files: StackConfigFiles;
    try {
        files = readStackFiles(options.projectRoot, options.stack, options.stackGiven);
    } catch (error) {
        return { kind: "failed", usage: true, message: (error as Error).message };
    }
    const tenantsDir = options.tenantsDir ?? path.resolve(options.projectRoot, files.config["tenancy:tenantsDir"] ?? "tenants");
    const programFile = options.programFile ?? path.resolve(options.projectRoot, files.main ?? "infra/index.ts");
    if (!fs.existsSync(programFile)) return { kind: "failed", usage: true, message: `program ${options.shown(programFile)} not found; pass --program FILE` };
    if (!fs.existsSync(path.join(options.packDir, "PulumiPolicy.yaml"))) {
        return { kind: "failed", usage: true, message: `policy pack ${options.shown(options.packDir)} not found (no PulumiPolicy.yaml); pass --policy-pack DIR` };
    }
    const head = validateRegistry(tenantsDir);
    if (!head.registry) return { kind: "invalid-registry", where: options.shown(tenantsDir), issues: head.issues };
    const registry = head.registry;

    let base: BaseCheckout | undefined;
    let baseRegistry: Registry | undefined;
    if (options.baseRef !== undefined) {
        try {
            base = checkoutRegistryAt(tenantsDir, options.baseRef);
        } catch (error) {
            return { kind: "failed", usage: true, message: (error as Error).message };
        }
        const result = validateRegistry(base.dir);
        if (!result.registry) {
            base.cleanup();
            const issues = result.issues.map((i) => ({ ...i, file: i.file.replace(base!.dir, `${options.shown(tenantsDir)}@${options.baseRef}`) }));
            return { kind: "invalid-registry", where: `${options.shown(tenantsDir)} at ${options.baseRef}`, issues };
        }
        baseRegistry = result.registry;
    }

    const keyFile = planKeyPath();
    try {
        ensurePlanKey(keyFile);
    } catch (error) {
        base?.cleanup();
        const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        return { kind: "failed", usage: false, message: `cannot create the plan key ${keyFile} (${reason}); set XDG_CONFIG_HOME to a writable directory` };
    }
    let host: PolicyHost | undefined;
    try {
        const large = registry.entries.length >= 100;
        if (large) options.progress?.(`tenancy plan: recording the program over ${registry.entries.length} tenants${base ? " (and the base registry)" : ""}…`);
        const record = (dir: string, reg: Registry) => {
            const { config, secretKeys, missing } = programConfig(files, dir, reg);
            const begun = Date.now();
            const recording = recordInChild({
                programFile, project: files.project, stack: options.stack, config, secretKeys, keyFile, cwd: options.projectRoot,
                onOutput: options.programOutput,
            }).then((resources) => {
                recordMs = Math.max(recordMs, Date.now() - begun);
                return resources;
            });
            return { recording, missing };
        };
        let recordMs = 0;
        // The program runs (once or twice) while the pack starts: they are independent processes.
        const headRun = record(tenantsDir, registry);
        const baseRun = base && baseRegistry ? record(base.dir, baseRegistry) : undefined;
        const hostStart = startPolicyPack({ packDir: options.packDir });
        const settled = await Promise.allSettled([headRun.recording, baseRun?.recording, hostStart]);
        if (settled[2].status === "fulfilled") host = settled[2].value;
        const failure = settled.find((s) => s.status === "rejected") as PromiseRejectedResult | undefined;
        if (failure) {
            const which = failure === settled[0] ? "the program failed" : failure === settled[1] ? `the program failed on the registry at ${options.baseRef}` : "the policy pack did not start";
            return { kind: "failed", usage: false, message: `${which}:\n${(failure.reason as Error).message}` };
        }
        const headResources = (settled[0] as PromiseFulfilledResult<RecordedResource[]>).value;
        const natsNamespace = natsNamespaceOf(files.config);
        const planned = inventory(headResources, registry);
        const nats = natsDocuments(planned, natsNamespace);

        if (large) options.progress?.(`tenancy plan: analyzing ${planned.length} resources with the policy pack…`);
        const outcome = await analyzeRecording(host!, headResources, large ? analyzeProgress(planned.length, options.progress) : undefined);
        if (large) options.progress?.(`tenancy plan: validating ${planned.filter((r) => r.kube).length} Kubernetes objects…`);
        const invalid = validateObjects(planned);

        let baseSection: Parameters<typeof buildReport>[0]["base"];
        if (base && baseRegistry && baseRun) {
            const baseResources = inventory((settled[1] as PromiseFulfilledResult<RecordedResource[]>).value, baseRegistry);
            const changes = diffPlans(baseResources, planned, (r) => isNatsAuthorization(r, natsNamespace));
            const delta = registryDelta(baseRegistry, registry);
            // Files of removed tenants are named as in the working tree, not the temporary checkout.
            for (const entry of delta.removed) entry.file = path.join(options.shown(tenantsDir), path.basename(entry.file));
            baseSection = {
                ref: base.ref, commit: base.commit, changes, errors: diffErrors(delta, changes),
                added: delta.added, removed: delta.removed.map((e) => e.tenant.slug).sort(), changed: delta.changed,
            };
        }
        const report = buildReport({
            project: files.project, stack: options.stack, registryShown: options.shown(tenantsDir), programShown: options.shown(programFile),
            registry, resources: planned, pack: outcome.pack, diagnostics: outcome.diagnostics, invalid,
            missingSecrets: headRun.missing, nats, base: baseSection,
        });
        return {
            kind: "planned", report, resources: planned, nats,
            timings: { recordMs, packStartMs: host!.startMs, analyzeMs: outcome.analyzeMs, totalMs: Date.now() - started },
        };
    } finally {
        base?.cleanup();
        await host?.stop();
    }
}

// A line at every tenth of the resources analyzed, so a large plan shows it is moving.
function analyzeProgress(total: number, progress: PlanOptions["progress"]) {
    const step = Math.max(1, Math.ceil(total / 10));
    return (done: number) => {
        if (done % step === 0 && done < total) progress?.(`tenancy plan: analyzed ${done}/${total} resources`);
    };
}

function natsNamespaceOf(config: Record<string, string>): string {
    try {
        const nats = JSON.parse(config["tenancy:nats"] ?? "{}") as { namespace?: unknown };
        return typeof nats.namespace === "string" ? nats.namespace : "nats";
    } catch {
        return "nats";
    }
}

/**
 * The config the program gets: the stack file's readable values, the registry directory being
 * planned, and for each declared secret key without a readable value a placeholder, reported as
 * missing (the program refuses to run with missing secrets, as `pulumi up` must).
 */
export function programConfig(files: StackConfigFiles, tenantsDir: string, registry: Registry) {
    const config: Record<string, string> = { ...files.config, "tenancy:tenantsDir": tenantsDir };
    let values: Record<string, Record<string, Record<string, unknown>>> = {};
    try {
        values = JSON.parse(config["tenancy:secrets"] ?? "{}");
    } catch {
        // Left as is: the program reports a malformed tenancy:secrets itself.
        return { config, secretKeys: files.secretKeys, missing: [] };
    }
    const encrypted = new Set(files.encrypted);
    const where = files.stackFile ?? "stack config (there is no stack file)";
    const missing: Array<{ path: string; reason: string }> = [];
    for (const { tenant } of registry.entries) {
        for (const { secret, key, path: at } of missingSecrets(tenant, values[tenant.slug])) {
            values[tenant.slug] ??= {};
            values[tenant.slug][secret] ??= {};
            values[tenant.slug][secret][key] = `<placeholder: ${at} is not available to tenancy plan>`;
            missing.push({ path: at, reason: encrypted.has(at) ? `encrypted in ${where}; tenancy plan cannot decrypt it` : `not set in ${where}` });
        }
    }
    config["tenancy:secrets"] = JSON.stringify(values);
    const secretKeys = [...new Set([...files.secretKeys, "tenancy:secrets"])].sort();
    return { config, secretKeys, missing };
}
