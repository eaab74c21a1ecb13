import type { PolicyDiagnostic } from "../engine";
import { namespaceOf } from "../../contract";
import type { Registry } from "../../registry";
import { findDangers } from "./danger";
import type { DiffError, ResourceChange } from "./diff";
import type { KeyRotation } from "./stack-delta";
import { combineGrants, grantChanges, kubeGrantLines, natsGrantLines } from "./grants";
import type { PlannedResource } from "./inventory";
import type { KubeProblem } from "./kube-validate";
import { accountNames, tenantNatsSummary, type NatsDocuments } from "./nats";
import type { NatsAccountChange } from "./nats-diff";
import type { PlanReport, RemovedTenant, ReportChanges, ReportDiagnostic, ReportInvalidObject, TenantReport } from "./report-types";
import type { ReportedSecret } from "./secret-values";

/** What `tenancy plan` runs for real, stated in every report. */
export const REAL = [
    "the Pulumi program (its code, components and resource options, run by the Pulumi Node.js SDK)",
    "the policy pack, in its own process started like `pulumi preview --policy-pack`, over the engine's Analyzer gRPC protocol",
    "Kubernetes schema validation of every object (kubernetes-models OpenAPI schemas, plus name and label syntax)",
];

/** What `tenancy plan` emulates, stated in every report (with the master key's line when plan emulates it). */
export const EMULATED = [
    "the Pulumi engine: a recording resource monitor in preview mode (no state, no cluster, no Pulumi CLI)",
    "provider-computed values: Kubernetes objects echo their inputs (auto-names derived from a per-machine key); values only a provider computes for a new resource are unknown, as in `pulumi preview`",
];

export type { PlanReport, RemovedTenant, ReportChanges, ReportDiagnostic, ReportInvalidObject, TenantReport } from "./report-types";

/** What the report keeps of one owner's resources (a tenant's, or the shared ones). */
export interface OwnerTally {
    /** Number of resources. */
    resources: number;
    /** Kubernetes objects by kind, in the order first seen. */
    objects: Record<string, number>;
    /** The `hard` limits of the last unscoped ResourceQuota (tenants only). */
    quota?: Record<string, string>;
    /** Objects the API server would reject, in plan order. */
    invalid: ReportInvalidObject[];
    /** Policy diagnostics on the owner's resources, sorted by URN, rule and message. */
    policy: ReportDiagnostic[];
}

/** What the report keeps of a plan's resources: counts, per-owner tallies and the tenants' Kubernetes grant lines. */
export interface ResourceTally {
    /** Every resource of the plan. */
    resources: number;
    /** Of them, Kubernetes objects. */
    kubernetesObjects: number;
    /** Each reported tenant's tally, by slug (a tenant without resources has none). */
    tenants: Map<string, OwnerTally>;
    /** Resources of no reported tenant. */
    shared: OwnerTally;
    /** Each tenant's grant lines from its objects and declared Secrets, unsorted (see kubeGrantLines). */
    kubeGrants: ReadonlyMap<string, readonly string[]>;
}

/** Inputs to {@link buildReport} about the plan as a whole. */
interface ReportContext {
    project: string;
    stack: string;
    registryShown: string;
    programShown: string;
    registry: Registry;
    pack: { name: string; version: string; rules: number };
    missingSecrets: ReportedSecret[];
    nats: NatsDocuments;
    /** What plan did about tenancy:natsMasterKey (emulated, and why), when it did not pass the stack's own value. */
    masterKey?: string;
    /** The tenants the plan declares when not the whole registry (slugs), and the report's note on it. */
    scope?: Omit<NonNullable<PlanReport["scope"]>, "tenantsPlanned" | "registryTenants"> & { slugs: ReadonlySet<string> };
    base?: {
        ref: string;
        commit: string;
        changes: ResourceChange[];
        natsAccounts: NatsAccountChange[];
        errors: DiffError[];
        added: string[];
        removed: Array<Omit<RemovedTenant, "removed" | "natsChange" | "errors">>;
        changed: string[];
        /** Each tenant's lifecycle at the base, by slug. */
        lifecycles: ReadonlyMap<string, string>;
        /** NATS key generations changed in the stack file since the base. */
        rotations: KeyRotation[];
        /** Each tenant's grant lines at the base (see grants.ts), by slug. */
        grants: ReadonlyMap<string, string[]>;
    };
}

/** Inputs to {@link buildReport}: every planned resource with its diagnostics and invalid objects. */
export interface ReportInputs extends ReportContext {
    resources: PlannedResource[];
    diagnostics: PolicyDiagnostic[];
    invalid: Map<string, KubeProblem[]>;
}

/** Inputs to {@link buildReport} when the resources were reduced to their tally as they were planned (a sharded plan). */
export interface TalliedReportInputs extends ReportContext {
    tally: ResourceTally;
}

/** A pack diagnostic as the report shows it. */
export function reportDiagnostic(d: PolicyDiagnostic): ReportDiagnostic {
    // The pack's message repeats the rule description on its first line; the rest is the finding.
    const lines = d.message.split("\n");
    const message = lines.length > 1 && lines[0] === d.description ? lines.slice(1).join("\n") : d.message;
    return { rule: d.policyName, level: d.enforcementLevel, urn: d.urn, message: message.trim() };
}

function emptyChanges(): ReportChanges {
    return { added: [], changed: [], removed: [] };
}

/** Assembles the report; every list is in a fixed order so the same plan prints the same bytes. */
export function buildReport(inputs: ReportInputs | TalliedReportInputs): PlanReport {
    const { registry } = inputs;
    // A shard's or partial plan reports the secret values of the tenants it declares, not the registry's.
    const missingSecrets = inputs.scope ? inputs.missingSecrets.filter((m) => inputs.scope!.slugs.has(m.tenant)) : inputs.missingSecrets;
    const tenants = new Map<string, TenantReport>();
    for (const { tenant, file } of registry.entries) {
        if (inputs.scope && !inputs.scope.slugs.has(tenant.slug)) continue;
        tenants.set(tenant.slug, {
            slug: tenant.slug, id: tenant.id, plan: tenant.plan, lifecycle: tenant.lifecycle, namespace: namespaceOf(tenant), file,
            resources: 0, objects: {}, grants: [], policy: [], invalid: [], missingSecrets: [], errors: [],
            ...(inputs.base ? { changes: emptyChanges() } : {}),
        });
    }
    const shared: PlanReport["shared"] = { resources: 0, objects: {}, policy: [], invalid: [], ...(inputs.base ? { changes: emptyChanges(), natsChanges: [] } : {}) };
    const counted = "tally" in inputs ? inputs.tally : tallyResources(inputs.resources, inputs.invalid, inputs.diagnostics, registry, (slug) => tenants.has(slug));
    apply(counted, inputs.nats, tenants, shared);
    const grants = combineGrants(counted.kubeGrants, natsGrantLines(inputs.nats));
    for (const t of tenants.values()) {
        t.grants = grants.get(t.slug) ?? [];
        const changed = inputs.base ? grantChanges(inputs.base.grants.get(t.slug) ?? [], t.grants) : undefined;
        if (changed) t.grantChanges = changed;
    }
    for (const m of missingSecrets) tenants.get(m.tenant)?.missingSecrets.push({ path: m.path, secret: m.secret, state: m.state });
    const removedTenants = inputs.base ? compare(inputs.base, tenants, shared) : undefined;

    const list = [...tenants.values()];
    const all = [...list.map((t) => t.policy), shared.policy].flat();
    const mandatoryViolations = all.filter((d) => d.level === "mandatory").length;
    const invalidObjects = [...list.map((t) => t.invalid.length), shared.invalid.length].reduce((a, b) => a + b, 0);
    const diffErrors = inputs.base?.errors.length ?? 0;
    return {
        version: 1,
        project: inputs.project,
        stack: inputs.stack,
        registry: inputs.registryShown,
        program: inputs.programShown,
        policyPack: inputs.pack,
        ...(inputs.scope
            ? { scope: { tenantsPlanned: tenants.size, registryTenants: registry.entries.length, shard: inputs.scope.shard, partial: inputs.scope.partial, note: inputs.scope.note } }
            : {}),
        real: REAL,
        emulated: inputs.masterKey ? [...EMULATED, inputs.masterKey] : EMULATED,
        totals: {
            tenants: list.length,
            resources: counted.resources,
            kubernetesObjects: counted.kubernetesObjects,
            mandatoryViolations,
            advisories: all.length - mandatoryViolations,
            invalidObjects,
            missingSecrets: missingSecrets.length,
            diffErrors,
        },
        ok: mandatoryViolations === 0 && invalidObjects === 0 && diffErrors === 0,
        missingSecrets,
        tenants: list,
        ...(removedTenants ? { removedTenants } : {}),
        shared,
        ...(inputs.base ? { dangers: findDangers(list, removedTenants ?? [], inputs.base.lifecycles, inputs.base.rotations) } : {}),
        ...(inputs.base
            ? {
                  base: {
                      ref: inputs.base.ref, commit: inputs.base.commit, tenantsAdded: inputs.base.added, tenantsRemoved: inputs.base.removed.map((r) => r.slug),
                      tenantsChanged: inputs.base.changed, errors: inputs.base.errors,
                  },
              }
            : {}),
    };
}

function emptyTally(): OwnerTally {
    return { resources: 0, objects: {}, invalid: [], policy: [] };
}

/**
 * Resources, objects by kind, quotas, policy findings, invalid objects and grant lines, per owner: a
 * resource of a tenant `reported` says is in the report counts as the tenant's, any other as shared.
 * `diagnostics` must be sorted and deduplicated (PolicyOutcome's are).
 */
export function tallyResources(
    resources: readonly PlannedResource[], invalid: ReadonlyMap<string, KubeProblem[]>, diagnostics: readonly PolicyDiagnostic[], registry: Pick<Registry, "entries">,
    reported: (slug: string) => boolean,
): ResourceTally {
    const tenants = new Map<string, OwnerTally>();
    const shared = emptyTally();
    const ownerOf = (slug: string | undefined): OwnerTally => {
        if (slug === undefined || !reported(slug)) return shared;
        let owner = tenants.get(slug);
        if (!owner) tenants.set(slug, (owner = emptyTally()));
        return owner;
    };
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    let kubernetesObjects = 0;
    for (const r of resources) {
        const target = ownerOf(r.tenant);
        countResource(target, target !== shared, r, invalid.get(r.urn));
        if (r.kube) kubernetesObjects++;
    }
    for (const d of diagnostics) ownerOf(byUrn.get(d.urn)?.tenant).policy.push(reportDiagnostic(d));
    return { resources: resources.length, kubernetesObjects, tenants, shared, kubeGrants: kubeGrantLines(resources, registry) };
}

/** Adds one resource to its owner's tally: its count, its kind, a tenant's quota, its problems. */
export function countResource(target: OwnerTally, tenant: boolean, r: PlannedResource, problems: KubeProblem[] | undefined): void {
    target.resources++;
    if (r.kube) target.objects[r.kube.kind] = (target.objects[r.kube.kind] ?? 0) + 1;
    if (r.kube?.kind === "ResourceQuota" && tenant && !(r.kube.manifest.spec as { scopeSelector?: unknown } | undefined)?.scopeSelector) {
        const hard = (r.kube.manifest.spec as { hard?: Record<string, string> } | undefined)?.hard;
        if (hard) target.quota = hard;
    }
    if (problems && r.kube) target.invalid.push({ urn: r.urn, object: describeKube(r.kube), problems });
}

/** An object as the report names it: `Kind namespace/name`. */
export function describeKube(kube: { kind: string; namespace?: string; name: string }): string {
    return `${kube.kind} ${kube.namespace ? `${kube.namespace}/` : ""}${kube.name}`;
}

// Puts the tally into the report's tenants and shared section, with each tenant's NATS account.
function apply(counted: ResourceTally, nats: NatsDocuments, tenants: Map<string, TenantReport>, shared: PlanReport["shared"]): void {
    for (const t of tenants.values()) {
        const own = counted.tenants.get(t.slug);
        if (!own) continue;
        t.resources = own.resources;
        t.objects = own.objects;
        // Same key order as a report built resource by resource: quota after the fixed keys.
        if (own.quota) t.quota = own.quota;
        t.invalid = own.invalid;
        t.policy = own.policy;
    }
    shared.resources = counted.shared.resources;
    shared.objects = counted.shared.objects;
    shared.invalid = counted.shared.invalid;
    shared.policy = counted.shared.policy;
    const names = accountNames(nats);
    const accounts = new Map(nats.accounts.filter((a) => a.tenant !== undefined && !a.problem).map((a) => [a.tenant!, a]));
    for (const t of tenants.values()) {
        const account = accounts.get(t.slug);
        if (account) t.nats = tenantNatsSummary(account, names);
        t.objects = sortRecord(t.objects);
    }
    shared.objects = sortRecord(shared.objects);
}

// Attaches the --base changes to their tenants; a tenant gone from the registry gets an entry of its own.
function compare(base: NonNullable<ReportInputs["base"]>, tenants: Map<string, TenantReport>, shared: PlanReport["shared"]): RemovedTenant[] {
    const removed = new Map<string, RemovedTenant>(base.removed.map((r) => [r.slug, { ...r, removed: [], errors: [] }]));
    for (const c of base.changes) {
        const gone = c.tenant ? removed.get(c.tenant) : undefined;
        if (gone && c.change === "removed") gone.removed.push(c);
        else ((c.tenant && tenants.get(c.tenant)) || shared).changes![c.change].push(c);
    }
    for (const a of base.natsAccounts) {
        const owner = a.tenant ? (tenants.get(a.tenant) ?? removed.get(a.tenant)) : undefined;
        if (owner) owner.natsChange = a;
        else shared.natsChanges!.push(a);
    }
    for (const e of base.errors) (tenants.get(e.tenant) ?? removed.get(e.tenant))?.errors.push(e.message);
    return [...removed.values()];
}

function sortRecord(value: Record<string, number>): Record<string, number> {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
