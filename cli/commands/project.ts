import * as fs from "node:fs";
import * as path from "node:path";
import { displayPath, formatIssue, type Registry } from "../../registry";
import { validateTenantRegistry } from "../registry-checks";
import { readStackFiles, StackFileError, type StackConfigFiles } from "../plan/stack-config";
import type { Flags } from "./args";
import { UsageError, type CommandIO } from "./types";

/** Like the Pulumi CLI: the project is the nearest directory upwards that holds Pulumi.yaml. */
export function findProjectRoot(cwd: string): string {
    for (let dir = cwd; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) return cwd;
    }
}

/** Checks a --stack value; stack names become file names, so nothing but a plain name passes. */
export function stackName(verb: string, flags: Flags): string {
    const stack = (flags.stack as string | undefined) ?? "dev";
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`${verb}: --stack "${stack}" is not a stack name (letters, digits, '-', '_', '.')`);
    return stack;
}

/** A project, its stack's config files and its registry directory, as the verbs that read config need them. */
export interface StackContext {
    /** The project root (holds Pulumi.yaml). */
    projectRoot: string;
    /** The stack name. */
    stack: string;
    /** Pulumi.yaml and Pulumi.<stack>.yaml as read. */
    files: StackConfigFiles;
    /** Absolute registry directory: --tenants, else the stack's tenancy:tenantsDir, else tenants. */
    tenantsDir: string;
}

/**
 * Resolves --stack and --tenants like `tenancy plan` does; a missing directory is a UsageError, and so
 * is a missing stack file given by --stack unless `stackFileOptional` (the verbs that print the
 * commands a new stack needs: `secrets`, `rotate`).
 */
export function stackContext(verb: string, flags: Flags, io: CommandIO, stackFileOptional = false): StackContext {
    const stack = stackName(verb, flags);
    const projectRoot = findProjectRoot(io.cwd);
    let files: StackConfigFiles;
    try {
        files = readStackFiles(projectRoot, stack, flags.stack !== undefined && !stackFileOptional);
    } catch (error) {
        if (error instanceof StackFileError) throw new UsageError(`${verb}: ${error.message}`);
        throw error;
    }
    const given = typeof flags.tenants === "string" ? path.resolve(io.cwd, flags.tenants) : undefined;
    if (given && !fs.existsSync(given)) throw new UsageError(`${verb}: --tenants ${flags.tenants}: directory not found`);
    const tenantsDir = given ?? path.resolve(projectRoot, files.config["tenancy:tenantsDir"] ?? "tenants");
    return { projectRoot, stack, files, tenantsDir };
}

/**
 * What to run before the printed `pulumi config set` commands when the stack has no file in this
 * checkout yet: they need the stack's backend, its secrets provider and the stack itself.
 */
export function stackSetupText(stack: string): string {
    const steps: Array<[string, string]> = [
        ['export PATH="$(node tools/build.mjs --path pulumi):$PATH"', "the Pulumi CLI npm run tools builds (or any Pulumi CLI 3.248)"],
        ["pulumi login file://$HOME/.pulumi-state", "or the team's backend: s3://…, gs://…, azblob://…, Pulumi Cloud"],
        ["export PULUMI_CONFIG_PASSPHRASE='…'", "the stack's passphrase (not with a KMS or Pulumi Cloud secrets provider)"],
        [`pulumi stack select ${stack} --create`, `creates Pulumi.${stack}.yaml here when the stack is new`],
    ];
    const width = Math.max(...steps.map(([command]) => command.length)) + 2;
    return [
        `Pulumi.${stack}.yaml does not exist in this checkout yet. The commands below need the stack's state backend, its secrets provider and the stack itself; first:`,
        "",
        ...steps.map(([command, note]) => `  ${command.padEnd(width)}# ${note}`),
        "",
        "",
    ].join("\n");
}

/**
 * Validates the registry; when it is invalid, prints every problem and a closing line naming the
 * verb and what it did not do, and returns undefined (the caller exits 2).
 */
export function registryOrReport(verb: string, dir: string, io: CommandIO, nothing = "nothing was changed"): Registry | undefined {
    const { registry, issues } = validateTenantRegistry(dir);
    if (registry) return registry;
    io.err(`${issues.map(formatIssue).join("\n")}\n`);
    io.err(`tenancy ${verb}: ${issues.length} problem${issues.length === 1 ? "" : "s"} in ${displayPath(dir)}; ${nothing}\n`);
    return undefined;
}

/** `tenancy validate`'s one-line summary of a valid registry: tenants by plan and the number of plans. */
export function registrySummary(dir: string, registry: Registry): string {
    const byPlan = new Map<string, number>();
    for (const { tenant } of registry.entries) byPlan.set(tenant.plan, (byPlan.get(tenant.plan) ?? 0) + 1);
    const plans = [...byPlan].sort(([a], [b]) => a.localeCompare(b)).map(([plan, n]) => `${n} ${plan}`);
    const count = registry.entries.length;
    return `${displayPath(dir)}: ${count} tenant${count === 1 ? "" : "s"} valid (${plans.join(", ") || "none"}), ${Object.keys(registry.plans.plans).length} plans`;
}
