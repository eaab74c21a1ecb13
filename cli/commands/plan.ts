import * as fs from "node:fs";
import * as path from "node:path";
import * as v8 from "node:v8";
import { displayPath, formatIssue } from "../../registry";
import { heapGrowingFlag } from "../engine/fork";
import { PR_COMMENT_MAX_CHARS, renderMarkdown } from "../plan/markdown";
import { renderText } from "../plan/render";
import { runPlan } from "../plan/run";
import { DEFAULT_SHARD_SIZE, parseShardSize } from "../plan/shards";
import { writeOut } from "../plan/write-out";
import { parseFlags } from "./args";
import { findProjectRoot, stackName } from "./project";
import { UsageError, type Command } from "./types";

const FORMATS = ["text", "json", "markdown"] as const;

/** Silence after which a plan writing to a log (not a terminal) says it is still working; with the check interval, a line comes at least every 10 s. */
const HEARTBEAT_MS = 8_000;

/** `tenancy plan`: the credential-free preview of what the registry creates and whether the policies accept it. */
export const planCommand: Command = {
    name: "plan",
    summary: "preview every resource of the registry and check it with the policy pack, without credentials",
    help: `Usage: tenancy plan [--tenants DIR] [--stack NAME] [--out DIR] [--format text|json|markdown]
                    [--reveal-secrets] [--base GIT_REF [--full]] [--quiet] [--program FILE]
                    [--policy-pack DIR] [--shard-size N]

Runs the real Pulumi program against an emulated engine (no Pulumi CLI, state backend or cluster
credentials), sends every resource and then the whole stack to the real policy pack over the
Analyzer protocol, validates every Kubernetes object against the API schemas, and prints a
per-tenant summary: objects by kind, quota, NATS subjects and limits, grants (egress CIDRs, Role
rules with resource names, RoleBindings, Secrets by name and key) and policy results.

Options:
  --tenants DIR       registry directory (default: the stack's tenancy:tenantsDir, else tenants,
                      relative to the project: the nearest directory upwards with Pulumi.yaml)
  --stack NAME        stack whose Pulumi.<NAME>.yaml config is used (default: dev)
  --out DIR           write resources.json, manifests/<namespace>/<Kind>-<name>.yaml (cluster-scoped
                      objects under manifests/_cluster/), nats/, report.json and report.md
  --format FORMAT     text (default), json (report.json) or markdown (one PR comment: over
                      60,000 characters, only tenants with findings or changes (without --base,
                      also values to set) are listed, then in short; report.md in --out has all)
  --reveal-secrets    write secret values and generated credentials in clear into --out
  --base GIT_REF      also plan the registry as it is at GIT_REF and report added, changed and
                      removed resources per tenant, each tenant's NATS account change and the
                      removed tenants, each tenant's grants diff, and, at the top, every
                      destructive or weakening change (removal, protection lifted, suspend or
                      resume, a quota or NATS limit lowered, a NATS key rotation); a change to a
                      tenant the registry diff does not touch, or removing an active or suspended
                      tenant, is an error; changing a tenant's id or slug is a registry error
                      (exit 2). When only tenant entries (and per-tenant stack config: secret
                      values, key generations) changed since GIT_REF (no other file, not the plan
                      catalog) and the program is the project's, only the changed tenants are
                      planned, with the shared objects computed from the whole registry
  --full              with --base, plan every tenant even then
  --quiet             no progress or timing on stderr (progress: on a terminal, the phases of
                      plans of 100 tenants or more; in a log, every phase and a line at least
                      every 10 s)
  --program FILE      program entry (default: Pulumi.yaml main, else infra/index.ts)
  --policy-pack DIR   policy pack directory (default: policy)
  --shard-size N      plan more than N tenants (default ${DEFAULT_SHARD_SIZE}) as shards of at most N, each
                      recorded in a process of its own and judged by the pack as that shard's
                      stack, one per core as memory allows, then the NATS checks that span
                      shards over all of them: the same report in bounded memory. Not with --out,
                      another --policy-pack or a stack that is itself a shard (tenancy:shard),
                      which plan in one pass; a size at least the registry's plans in one pass
  --help              show this help

Real: the program, the policy pack process and its protocol, Kubernetes schema validation.
Emulated: the Pulumi engine (a recording resource monitor in preview mode: Kubernetes objects
echo their inputs, values only a provider computes are unknown, as in pulumi preview) and the
stack's secret tenancy:natsMasterKey, which plan cannot decrypt: a key derived from the per-machine
key in ~/.config/tenancy/plan-key stands in for it, so every NATS key and credential is derived as
pulumi up derives it, but is not the deployed one.

Exit codes: 0 the plan passes; 1 a mandatory policy fails, an object is invalid, a --base rule
is broken, or the program or policy pack failed; 2 bad usage, missing file, invalid registry, or a
tenant's id or slug changed since --base.
`,
    async run(args, io) {
        const flags = parseFlags("plan", args, {
            tenants: "string", stack: "string", out: "string", format: "string", "reveal-secrets": "boolean",
            base: "string", full: "boolean", quiet: "boolean", program: "string", "policy-pack": "string", "shard-size": "string",
        });
        if (flags.full === true && flags.base === undefined) throw new UsageError("plan: --full only applies to --base (without --base, every tenant is planned)");
        const format = (flags.format as string | undefined) ?? "text";
        if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`plan: --format must be one of ${FORMATS.join(", ")}, not "${format}"`);
        const reveal = flags["reveal-secrets"] === true;
        const quiet = flags.quiet === true;
        const resolve = (value: string | boolean | undefined) => (typeof value === "string" ? path.resolve(io.cwd, value) : undefined);
        const out = resolve(flags.out);
        if (reveal && !out) throw new UsageError("plan: --reveal-secrets only affects the files of --out; pass --out DIR as well");
        if (out && fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`plan: --out ${flags.out} exists and is not a directory`);
        const tenantsDir = resolve(flags.tenants);
        if (tenantsDir && !fs.existsSync(tenantsDir)) throw new UsageError(`plan: --tenants ${flags.tenants}: directory not found`);
        const programFile = resolve(flags.program);
        if (programFile && !fs.existsSync(programFile)) throw new UsageError(`plan: --program ${flags.program}: file not found`);
        const projectRoot = findProjectRoot(io.cwd);
        const packDir = resolve(flags["policy-pack"]) ?? path.join(projectRoot, "policy");
        const stack = stackName("plan", flags);
        let shardSize: number | undefined;
        if (flags["shard-size"] !== undefined) {
            const parsed = parseShardSize(String(flags["shard-size"]));
            if ("problem" in parsed) throw new UsageError(`plan: ${parsed.problem}`);
            shardSize = parsed.size;
        }

        const shown = (file: string) => {
            const relative = path.relative(io.cwd, file);
            return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
        };

        // As in its children and packs (heapGrowingFlag); V8 reads the factor at each full collection.
        for (const flag of heapGrowingFlag()) v8.setFlagsFromString(flag);
        const result = await runPlan({
            projectRoot, tenantsDir, stack, stackGiven: flags.stack !== undefined, programFile, packDir,
            baseRef: flags.base as string | undefined, full: flags.full === true, shown, shardSize, keepResources: out !== undefined,
            // On a terminal, phases of large plans; in a log (CI), every phase and a line at least every 10 s.
            progress: quiet ? undefined : (line) => io.err(`${line}\n`),
            progressAlways: !io.errIsTTY,
            heartbeatMs: io.errIsTTY ? undefined : (io.heartbeatMs ?? HEARTBEAT_MS),
            programOutput: quiet ? undefined : (line) => io.err(`program: ${line}\n`),
        });
        if (result.kind === "invalid-registry") {
            io.err(`${result.issues.map(formatIssue).join("\n")}\n`);
            io.err(`tenancy plan: ${result.issues.length} problem${result.issues.length === 1 ? "" : "s"} in ${displayPath(result.where)}; nothing was planned\n`);
            return 2;
        }
        if (result.kind === "failed") {
            if (result.usage) throw new UsageError(`plan: ${result.message}`);
            io.err(`tenancy plan: ${result.message}\n`);
            return 1;
        }
        const { report } = result;
        if (out) {
            if (reveal) io.err(`tenancy plan: WARNING: --reveal-secrets writes secret values and generated credentials in clear into ${shown(out)}; do not commit or share it\n`);
            writeOut(out, report, result.resources, result.nats, reveal);
        }
        io.out(format === "json" ? `${JSON.stringify(report, null, 2)}\n` : format === "markdown" ? renderMarkdown(report, PR_COMMENT_MAX_CHARS) : renderText(report));
        if (!quiet) {
            const t = result.timings;
            const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
            io.err(`tenancy plan: ${report.totals.resources} resources in ${s(t.totalMs)} (program ${s(t.recordMs)} while the policy pack started in ${s(t.packStartMs)}; analysis ${s(t.analyzeMs)})\n`);
        }
        return report.ok ? 0 : 1;
    },
};
