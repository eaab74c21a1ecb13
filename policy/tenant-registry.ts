// The registry as the pack reads it: each tenant's plan comes from its registry entry, never from a
// label the tenant's own objects carry.
import * as path from "node:path";
import { formatIssue, PLAN_PARSE_ENV, readParsedTenants, validateRegistry, type ParsedTenants, type Plan, type Registry, type RegistryEntry } from "../registry";
import type { GuardConfig } from "./config";
import { isUnknown } from "./unknowns";

/** The registry the pack was configured with, or why it did not load. */
export interface RegistryView {
    /** Absolute directory. */
    dir: string;
    /** The validated registry, when it loaded. */
    registry?: Registry;
    /** Why it did not load (first problem and count). */
    problem?: string;
    /** Entries by slug. */
    bySlug: Map<string, RegistryEntry>;
    /** Entries by tenant id. */
    byId: Map<string, RegistryEntry>;
}

// One load per directory for the life of the pack process: a preview reads the registry once.
const loaded = new Map<string, RegistryView>();

/** Loads (once) the registry named by the configuration; `registryDir` is relative to the pack's directory. */
export function registryFor(config: GuardConfig): RegistryView {
    const dir = path.resolve(__dirname, config.registryDir);
    let view = loaded.get(dir);
    if (!view) {
        view = load(dir);
        loaded.set(dir, view);
    }
    return view;
}

/**
 * The parse of the registry's files that `tenancy plan` handed this pack (registry/parse-share.ts):
 * only when the process that named it is this pack's parent, the plan's policy host, and never under
 * the Pulumi CLI, which sets neither variable.
 */
export function planParse(env: NodeJS.ProcessEnv = process.env, parentPid: number = process.ppid): ParsedTenants | undefined {
    if (env.TENANCY_POLICY_HOST_PID !== String(parentPid)) return undefined;
    return readParsedTenants(env[PLAN_PARSE_ENV]);
}

function load(dir: string): RegistryView {
    try {
        const { registry, issues } = validateRegistry(dir, [], planParse());
        if (registry) {
            return { dir, registry, bySlug: new Map(registry.entries.map((e) => [e.tenant.slug, e])), byId: new Map(registry.entries.map((e) => [e.tenant.id, e])) };
        }
        const more = issues.length > 1 ? ` and ${issues.length - 1} more` : "";
        return { dir, problem: `${issues.length > 0 ? formatIssue(issues[0]) : "no registry"}${more}`, bySlug: new Map(), byId: new Map() };
    } catch (error) {
        return { dir, problem: (error as Error).message, bySlug: new Map(), byId: new Map() };
    }
}

/** A tenant's registry entry, or what keeps the pack from knowing it (a sentence fragment). */
export type EntryLookup = { entry: RegistryEntry; plan: Plan } | { problem: string };

/**
 * The registry entry of the tenant whose namespace is `org-<slug>` and whose id is `id`: found by
 * slug and by id, and both must name the same entry.
 */
export function entryFor(view: RegistryView, slug: string, id: string | undefined): EntryLookup {
    if (!view.registry) return { problem: `the registry at ${view.dir} did not load (${view.problem})` };
    const bySlug = view.bySlug.get(slug);
    const byId = id !== undefined && !isUnknown(id) ? view.byId.get(id) : undefined;
    if (id !== undefined && !isUnknown(id) && !byId) return { problem: `tenant id ${id} is not in the registry at ${view.dir}` };
    if (!bySlug) return { problem: `tenant ${slug} is not in the registry at ${view.dir}` };
    if (byId && byId !== bySlug) return { problem: `tenant id ${id} belongs to tenant ${byId.tenant.slug} in the registry at ${view.dir}, not to ${slug}` };
    return { entry: bySlug, plan: bySlug.plan };
}
