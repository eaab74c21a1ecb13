import type { PolicyDiagnostic } from "../engine";
import { namespaceOf } from "../../contract";
import type { Registry } from "../../registry";
import { findDangers } from "./danger";
import type { DiffError, ResourceChange } from "./diff";
import type { KeyRotation } from "./stack-delta";
import { grantChanges, grantsBySlug } from "./grants";
import type { PlannedResource } from "./inventory";
import type { KubeProblem } from "./kube-validate";
import { accountNames, tenantNatsSummary, type NatsDocuments } from "./nats";
import type { NatsAccountChange } from "./nats-diff";
import type { PlanReport, RemovedTenant, ReportChanges, ReportDiagnostic, TenantReport } from "./report-types";
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

/** Inputs to {@link buildReport}. */
export interface ReportInputs {
    project: string;
    stack: string;
    registryShown: string;
    programShown: string;
    registry: Registry;
    resources: PlannedResource[];
    pack: { name: string; version: string; rules: number };
    diagnostics: PolicyDiagnostic[];
    invalid: Map<string, KubeProblem[]>;
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

function diagnostic(d: PolicyDiagnostic): ReportDiagnostic {
    // The pack's message repeats the rule description on its first line; the rest is the finding.
    const lines = d.message.split("\n");
    const message = lines.length > 1 && lines[0] === d.description ? lines.slice(1).join("\n") : d.message;
    return { rule: d.policyName, level: d.enforcementLevel, urn: d.urn, message: message.trim() };
}

function emptyChanges(): ReportChanges {
    return { added: [], changed: [], removed: [] };
}

/** Assembles the report; every list is in a fixed order so the same plan prints the same bytes. */
export function buildReport(inputs: ReportInputs): PlanReport {
    const { registry, resources } = inputs;
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
    tally(inputs, tenants, shared);
    const grants = grantsBySlug(inputs.resources, inputs.nats, registry);
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
            resources: resources.length,
            kubernetesObjects: resources.filter((r) => r.kube).length,
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

// Resources, objects by kind, quotas, policy findings, invalid objects and NATS accounts, per owner.
function tally(inputs: ReportInputs, tenants: Map<string, TenantReport>, shared: PlanReport["shared"]): void {
    const byUrn = new Map(inputs.resources.map((r) => [r.urn, r]));
    for (const r of inputs.resources) {
        const target = (r.tenant && tenants.get(r.tenant)) || shared;
        target.resources++;
        if (r.kube) target.objects[r.kube.kind] = (target.objects[r.kube.kind] ?? 0) + 1;
        if (r.kube?.kind === "ResourceQuota" && target !== shared && !(r.kube.manifest.spec as { scopeSelector?: unknown } | undefined)?.scopeSelector) {
            const hard = (r.kube.manifest.spec as { hard?: Record<string, string> } | undefined)?.hard;
            if (hard) (target as TenantReport).quota = hard;
        }
        const problems = inputs.invalid.get(r.urn);
        if (problems && r.kube) {
            const object = `${r.kube.kind} ${r.kube.namespace ? `${r.kube.namespace}/` : ""}${r.kube.name}`;
            target.invalid.push({ urn: r.urn, object, problems });
        }
    }
    for (const d of inputs.diagnostics) {
        const slug = byUrn.get(d.urn)?.tenant;
        ((slug && tenants.get(slug)) || shared).policy.push(diagnostic(d));
    }
    const names = accountNames(inputs.nats);
    const accounts = new Map(inputs.nats.accounts.filter((a) => a.tenant !== undefined && !a.problem).map((a) => [a.tenant!, a]));
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
