import * as fs from "node:fs";
import { namespaceOf } from "../contract";
import * as path from "node:path";
import type { z } from "zod";
import { parseQuantity } from "./quantity";
import { planCatalogSchema, tenantSchema, type Plan, type PlanCatalog, type Tenant } from "./schema";
import { deferredSource, fieldName, formatIssue, MAX_FILE_BYTES, YamlSource, type SourceIssue, type SourcePositions } from "./yaml-source";

/** Name of the plan catalog inside the registry directory. */
export const PLANS_FILE = "plans.yaml";

/** A tenant entry together with the plan it resolves to and where it came from. */
export interface RegistryEntry {
    /** The validated entry. */
    tenant: Tenant;
    /** The tenant's plan from the catalog. */
    plan: Plan;
    /** The file it was read from, as shown to the user. */
    file: string;
}

/** A fully validated registry, tenants sorted by slug so every run declares them in one order. */
export interface Registry {
    /** The directory it was read from. */
    dir: string;
    /** The plan catalog. */
    plans: PlanCatalog;
    /** Every tenant, sorted by slug. */
    entries: RegistryEntry[];
}

/**
 * A check of one tenant file beyond the schema and the plan catalog, on the fields that are valid on
 * their own (e.g. the CLI's egress arithmetic, which reuses the policy pack's). Returns its issues.
 */
export type TenantCheck = (tenant: Partial<Tenant>, source: SourcePositions) => SourceIssue[];

/** Thrown when the registry is invalid; carries every issue found, already sorted by file and line. */
export class RegistryError extends Error {
    constructor(readonly issues: SourceIssue[]) {
        super(`${issues.length} problem${issues.length === 1 ? "" : "s"} in the tenant registry:\n${issues.map(formatIssue).join("\n")}`);
        this.name = "RegistryError";
    }
}

/**
 * Tenant files that are valid on their own (YAML and schema), by their exact text, with what the
 * schema made of them: validating another registry that holds the same texts (the --base registry,
 * a plan's policy pack, the next plan through its cache) skips their YAML and schema work. Checks
 * across files still run.
 */
export type ParsedTenants = Map<string, Tenant>;

// A plan hands its recording child the registry it validated (cli/engine/child.ts), so that the
// program plans exactly the registry the plan reports on, without reading and checking every file
// again (about 0.2 ms per file in each child). A global, because the child's own modules (compiled,
// in dist/) and the program's (TypeScript, through tsx) are separate copies of this one; nothing
// outside a plan child sets it.
const SHARED = Symbol.for("tenancy.registry.validated");

/** Makes `registry` what every later loadRegistry of its directory in this process returns: for a plan's recording child only. */
export function shareRegistry(registry: Registry): void {
    (globalThis as Record<symbol, unknown>)[SHARED] = registry;
}

/** Reads and validates the whole registry; throws a RegistryError listing every problem at once. */
export function loadRegistry(dir: string): Registry {
    const shared = (globalThis as Record<symbol, Registry | undefined>)[SHARED];
    if (shared && path.resolve(shared.dir) === path.resolve(dir)) return shared;
    const result = validateRegistry(dir);
    if (!result.registry) throw new RegistryError(result.issues);
    return result.registry;
}

/**
 * Reads and validates the whole registry (a directory, or its entries as another source holds them),
 * returning either the registry or every issue found; `parsed` supplies files validated before and
 * receives the ones valid on their own.
 */
export function validateRegistry(
    where: string | RegistryFiles, checks: readonly TenantCheck[] = [], parsed?: ParsedTenants,
): { registry?: Registry; issues: SourceIssue[] } {
    const files = typeof where === "string" ? directoryFiles(where) : where;
    const { dir } = files;
    const issues: SourceIssue[] = [];
    const shown = (file: string) => displayPath(path.join(dir, file));
    const names = files.names();
    if (!names) {
        const issue = { file: displayPath(dir), line: 1, col: 1, field: "(file)", message: "registry directory not found; pass --tenants DIR" };
        return { issues: [issue] };
    }

    const plans = readPlans(files, shown(PLANS_FILE), issues);
    const entries: RegistryEntry[] = [];
    const bySlug = new Map<string, string>();
    const byId = new Map<string, string>();

    for (const name of [...names].sort()) {
        if (name === PLANS_FILE) continue;
        const file = shown(name);
        if (name.endsWith(".yml")) {
            issues.push({ file, line: 1, col: 1, field: "(file)", message: `rename to ${name.slice(0, -4)}.yaml; registry files end in .yaml` });
            continue;
        }
        if (!name.endsWith(".yaml")) continue;
        const text = readText(files.entry(name), file, issues);
        if (text === undefined) continue;
        let valid = parsed?.get(text);
        let source: SourcePositions;
        let tenant: Partial<Tenant>;
        if (valid) {
            source = deferredSource(file, text);
            tenant = valid;
        } else {
            const yaml = parseSource(file, text, issues);
            if (!yaml) continue;
            valid = parseWith(tenantSchema, yaml, issues);
            if (valid) parsed?.set(text, valid);
            source = yaml;
            // A file with schema errors still gets the registry-level checks on the fields that are
            // valid on their own, so every problem of the file shows in one pass.
            tenant = valid ?? validFields(yaml.data);
        }
        const before = issues.length;
        const plan = checkEntry(name, file, tenant, source, { plans, bySlug, byId }, issues);
        for (const check of checks) issues.push(...check(tenant, source));
        if (valid && plan && issues.length === before) entries.push({ tenant: valid, plan, file });
    }

    if (issues.length > 0 || !plans) return { issues: sortIssues(issues) };
    entries.sort((a, b) => a.tenant.slug.localeCompare(b.tenant.slug));
    return { registry: { dir, plans, entries }, issues: [] };
}

// The fields of a tenant file that pass their own schema, for the checks across fields and files.
function validFields(data: unknown): Partial<Tenant> {
    const raw = (data ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(tenantSchema.shape)) {
        if (raw[key] === undefined) continue;
        const result = (schema as z.ZodType).safeParse(raw[key]);
        if (result.success) out[key] = result.data;
    }
    return out as Partial<Tenant>;
}

// File name, uniqueness, namespace length, secret duplicates, plan and plan limits: each check runs
// on the fields it needs that are present. Returns the tenant's plan when it resolves.
function checkEntry(
    name: string, file: string, tenant: Partial<Tenant>, source: SourcePositions,
    seen: { plans?: PlanCatalog; bySlug: Map<string, string>; byId: Map<string, string> }, issues: SourceIssue[],
): Plan | undefined {
    if (tenant.slug !== undefined) {
        const slug = tenant.slug;
        if (name !== `${slug}.yaml`) issues.push(source.issueAt(["slug"], `file must be named after the slug: rename ${name} to ${slug}.yaml or change slug`));
        const slugOwner = seen.bySlug.get(slug);
        if (slugOwner) issues.push(source.issueAt(["slug"], `"${slug}" is already used by ${slugOwner}; slugs must be unique`));
        else seen.bySlug.set(slug, file);
        if (namespaceOf({ slug }).length > 63) issues.push(source.issueAt(["slug"], `namespace "${namespaceOf({ slug })}" is longer than 63 characters`));
    }
    if (tenant.id !== undefined) {
        const idOwner = seen.byId.get(tenant.id);
        if (idOwner) issues.push(source.issueAt(["id"], `"${tenant.id}" is already used by ${idOwner}; org ids must be unique`));
        else seen.byId.set(tenant.id, file);
    }
    if (tenant.secrets) secretDuplicates(tenant.secrets, source, issues);
    if (tenant.plan === undefined || !seen.plans) return undefined;
    const plan = seen.plans.plans[tenant.plan];
    if (!plan) {
        const allowed = Object.keys(seen.plans.plans).sort().join(", ");
        issues.push(source.issueAt(["plan"], `unknown plan "${tenant.plan}"; allowed: ${allowed}`));
        return undefined;
    }
    planLimits(tenant, plan, source, issues);
    return plan;
}

function readPlans(files: RegistryFiles, file: string, issues: SourceIssue[]): PlanCatalog | undefined {
    const entry = files.entry(PLANS_FILE);
    if (!entry) {
        issues.push({ file, line: 1, col: 1, field: "(file)", message: "plan catalog not found; every registry needs plans.yaml" });
        return undefined;
    }
    const text = readText(entry, file, issues);
    const source = text === undefined ? undefined : parseSource(file, text, issues);
    const catalog = source && parseWith(planCatalogSchema, source, issues);
    if (!source || !catalog) return undefined;
    const before = issues.length;
    for (const [name, plan] of Object.entries(catalog.plans)) {
        const at = (...rest: PropertyKey[]) => ["plans", name, ...rest];
        const lr = plan.limitRange;
        for (const resource of ["cpu", "memory"] as const) {
            if (q(lr.defaultRequest[resource]) > q(lr.default[resource])) {
                issues.push(source.issueAt(at("limitRange", "defaultRequest", resource), `must not exceed limitRange.default.${resource} (${lr.default[resource]})`));
            }
            if (q(lr.default[resource]) > q(lr.max[resource])) {
                issues.push(source.issueAt(at("limitRange", "default", resource), `must not exceed limitRange.max.${resource} (${lr.max[resource]})`));
            }
        }
        if (plan.agentLimit + plan.podHeadroom > plan.quota.pods) {
            issues.push(source.issueAt(at("quota", "pods"), `must be at least agentLimit + podHeadroom (${plan.agentLimit + plan.podHeadroom})`));
        }
    }
    uniquePlanField(catalog, "priorityClassName", source, issues);
    uniquePlanField(catalog, "priority", source, issues);
    return issues.length === before ? catalog : undefined;
}

// Tiers are told apart by their PriorityClass: two plans sharing a name or a value would share a tier.
function uniquePlanField(catalog: PlanCatalog, field: "priorityClassName" | "priority", source: YamlSource, issues: SourceIssue[]): void {
    const seen = new Map<string | number, string>();
    for (const [name, plan] of Object.entries(catalog.plans)) {
        const other = seen.get(plan[field]);
        if (other !== undefined) issues.push(source.issueAt(["plans", name, field], `must differ from plan ${other}'s (${plan[field]}); every plan is its own tier`));
        else seen.set(plan[field], name);
    }
}

function readText(entry: RegistryFileEntry | undefined, file: string, issues: SourceIssue[]): string | undefined {
    if (!entry?.file) {
        issues.push({ file, line: 1, col: 1, field: "(file)", message: "is not a regular file" });
        return undefined;
    }
    // Checked before reading so that a huge file costs nothing.
    if (entry.size > MAX_FILE_BYTES) {
        issues.push({ file, line: 1, col: 1, field: "(file)", message: `file is ${entry.size} bytes; registry files must be under ${MAX_FILE_BYTES} bytes` });
        return undefined;
    }
    return entry.read();
}

/** One entry of a registry directory: a regular file (its size, and its text on demand), or anything else. */
export type RegistryFileEntry = { file: true; size: number; read(): string } | { file: false };

/** A registry directory's entries, as validateRegistry reads them: from the file system, or from a git commit (cli/plan/git-base.ts). */
export interface RegistryFiles {
    /** The directory's path: a registry validated from these entries has it as `dir`, and messages name files under it. */
    dir: string;
    /** The names of its entries, or undefined when there is no such directory. */
    names(): string[] | undefined;
    /** The entry of that name (symbolic links followed), or undefined when there is none. */
    entry(name: string): RegistryFileEntry | undefined;
}

/** The entries of a directory on disk. */
export function directoryFiles(dir: string): RegistryFiles {
    return {
        dir,
        names: () => (fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? fs.readdirSync(dir) : undefined),
        entry(name) {
            const full = path.join(dir, name);
            let stat: fs.Stats;
            try {
                stat = fs.statSync(full);
            } catch {
                // A link to nothing is an entry, but not a file.
                return fs.lstatSync(full, { throwIfNoEntry: false }) ? { file: false } : undefined;
            }
            return stat.isFile() ? { file: true, size: stat.size, read: () => fs.readFileSync(full, "utf8") } : { file: false };
        },
    };
}

function parseSource(file: string, text: string, issues: SourceIssue[]): YamlSource | undefined {
    const source = YamlSource.parse(file, text);
    if (Array.isArray(source)) {
        issues.push(...source);
        return undefined;
    }
    return source;
}

function parseWith<S extends z.ZodType>(schema: S, source: YamlSource, issues: SourceIssue[]): z.infer<S> | undefined {
    const result = schema.safeParse(source.data, { error: describeIssue });
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                const allowed = knownKeys(schema, issue.path);
                const hint = closest(key, allowed);
                issues.push({
                    file: source.file,
                    ...source.positionOfKey(issue.path, key),
                    field: fieldName([...issue.path, key]),
                    message: `unknown field${hint ? `; did you mean "${hint}"?` : ""}${allowed.length ? ` Allowed: ${allowed.join(", ")}` : ""}`,
                });
            }
        } else {
            issues.push(source.issueAt(issue.path, issue.message));
        }
    }
    return undefined;
}

// Messages for the zod issues the schema does not word itself.
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
    if (issue.code === "invalid_type") {
        if (issue.input === undefined) return `is required (${issue.expected})`;
        const got = Array.isArray(issue.input) ? "a list" : issue.input === null ? "empty" : `a ${typeof issue.input}`;
        return `must be ${article(issue.expected)}, not ${got}`;
    }
    if (issue.code === "invalid_value") return `must be one of ${issue.values.map((v) => String(v)).join(", ")}`;
    return undefined;
}

function article(expected: string): string {
    if (expected === "object") return "a mapping";
    if (expected === "array") return "a list";
    return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function knownKeys(schema: z.ZodType, at: readonly PropertyKey[]): string[] {
    let node: unknown = schema;
    for (const part of at) {
        node = unwrap(node);
        const def = (node as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown } }).def;
        if (!def) return [];
        if (def.type === "object" && def.shape && typeof part === "string") node = def.shape[part];
        else if (def.type === "array") node = def.element;
        else if (def.type === "record") node = def.valueType;
        else return [];
    }
    const def = (unwrap(node) as { def?: { shape?: Record<string, unknown> } }).def;
    return def?.shape ? Object.keys(def.shape) : [];
}

function unwrap(node: unknown): unknown {
    let current = node as { def?: { type?: string; innerType?: unknown; in?: unknown } };
    while (current?.def && ["optional", "default", "nullable", "pipe"].includes(current.def.type ?? "")) {
        current = (current.def.innerType ?? current.def.in) as typeof current;
    }
    return current;
}

function closest(word: string, candidates: string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
    for (const candidate of candidates) {
        const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
        if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
    }
    return best;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const swap = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? previous[j - 2] ?? Infinity : Infinity;
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1), swap + 1);
        }
        previous = current;
    }
    return previous[b.length];
}

function secretDuplicates(secrets: Tenant["secrets"], source: SourcePositions, issues: SourceIssue[]): void {
    const seen = new Set<string>();
    secrets.forEach((secret, i) => {
        if (seen.has(secret.name)) issues.push(source.issueAt(["secrets", i, "name"], `"${secret.name}" is declared twice; secret names must be unique`));
        seen.add(secret.name);
        const keys = new Set<string>();
        secret.keys.forEach((key, k) => {
            if (keys.has(key)) issues.push(source.issueAt(["secrets", i, "keys", k], `"${key}" is listed twice`));
            keys.add(key);
        });
    });
}

function planLimits(tenant: Partial<Tenant>, plan: Plan, source: SourcePositions, issues: SourceIssue[]): void {
    if (tenant.agentLimit !== undefined && tenant.agentLimit > plan.agentLimit) {
        issues.push(source.issueAt(["agentLimit"], `${tenant.agentLimit} exceeds the ${tenant.plan} plan's limit of ${plan.agentLimit}; lower it or change plan`));
    }
    for (const [field, value] of Object.entries(tenant.quota ?? {})) {
        if (value === undefined) continue;
        const ceiling = plan.quota[field as keyof Plan["quota"]];
        if (q(value) > q(ceiling)) {
            issues.push(source.issueAt(["quota", field], `${value} exceeds the ${tenant.plan} plan's ceiling of ${ceiling}; lower it or change plan`));
        }
    }
}

function q(value: string | number): number {
    return typeof value === "number" ? value : (parseQuantity(value) ?? Number.NaN);
}

function sortIssues(issues: SourceIssue[]): SourceIssue[] {
    return [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

/** A path relative to the working directory when it lies inside it, so messages read `tenants/acme.yaml`. */
export function displayPath(full: string): string {
    const relative = path.relative(process.cwd(), full);
    return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : full;
}
