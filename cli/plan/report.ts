import type { PolicyDiagnostic } from "../engine";
import { namespaceOf } from "../../contract";
import type { Registry } from "../../registry";
import type { DiffError, ResourceChange } from "./diff";
import type { PlannedResource } from "./inventory";
import type { KubeProblem } from "./kube-validate";
import type { NatsDocuments } from "./nats";

/** What `tenancy plan` runs for real, stated in every report. */
export const REAL = [
    "the Pulumi program (its code, components and resource options, run by the Pulumi Node.js SDK)",
    "the policy pack, in its own process started like `pulumi preview --policy-pack`, over the engine's Analyzer gRPC protocol",
    "Kubernetes schema validation of every object (kubernetes-models OpenAPI schemas, plus name and label syntax)",
];

/** What `tenancy plan` emulates, stated in every report. */
export const EMULATED = [
    "the Pulumi engine: a recording resource monitor in preview mode (no state, no cluster, no Pulumi CLI)",
    "provider-computed values: Kubernetes objects echo their inputs; random values are derived from a per-machine key (stable per resource URN)",
    "generated credentials (NATS nkeys) come from those emulated random values and are not the ones `pulumi up` will create",
];

/** A policy diagnostic as reported. */
export interface ReportDiagnostic {
    /** Rule name. */
    rule: string;
    /** mandatory or advisory (or remediate/disabled as the pack reports). */
    level: string;
    /** Resource URN, "" for stack-wide findings. */
    urn: string;
    /** The rule's message. */
    message: string;
}

/** One object the API server would reject. */
export interface ReportInvalidObject {
    /** Resource URN. */
    urn: string;
    /** `Kind namespace/name`. */
    object: string;
    /** Problems found. */
    problems: KubeProblem[];
}

/** Changes of one tenant (or of the shared resources) against --base. */
export interface ReportChanges {
    /** Resources added. */
    added: ResourceChange[];
    /** Resources changed, with their field-level diff. */
    changed: ResourceChange[];
    /** Resources removed. */
    removed: ResourceChange[];
}

/** The per-tenant part of the report. */
export interface TenantReport {
    /** Slug. */
    slug: string;
    /** Opaque org id. */
    id: string;
    /** Plan name. */
    plan: string;
    /** Lifecycle state. */
    lifecycle: string;
    /** Namespace. */
    namespace: string;
    /** Registry file. */
    file: string;
    /** Number of resources attributed to the tenant (components included). */
    resources: number;
    /** Kubernetes objects by kind. */
    objects: Record<string, number>;
    /** ResourceQuota `hard` limits, as planned. */
    quota?: Record<string, string>;
    /** The tenant's NATS account from the authorization's permission document. */
    nats?: { account: string; publish: string[]; subscribe: string[]; imports: string[] };
    /** Policy diagnostics on the tenant's resources. */
    policy: ReportDiagnostic[];
    /** Objects the API server would reject. */
    invalid: ReportInvalidObject[];
    /** Changes against --base (present only with --base). */
    changes?: ReportChanges;
    /** Blast-radius and off-boarding errors concerning this tenant. */
    errors: string[];
}

/** The whole plan report (report.json and `--format json`). */
export interface PlanReport {
    /** Report format version. */
    version: 1;
    /** Pulumi project. */
    project: string;
    /** Stack. */
    stack: string;
    /** Registry directory, as given. */
    registry: string;
    /** Program entry, relative to the project root. */
    program: string;
    /** Policy pack name and version. */
    policyPack: { name: string; version: string; rules: number };
    /** What is real. */
    real: string[];
    /** What is emulated. */
    emulated: string[];
    /** Counts. */
    totals: {
        tenants: number;
        resources: number;
        kubernetesObjects: number;
        mandatoryViolations: number;
        advisories: number;
        invalidObjects: number;
        missingSecrets: number;
        diffErrors: number;
    };
    /** True when nothing blocks the change; the exit code is 0 exactly then. */
    ok: boolean;
    /** Declared secret values that were not available; placeholders were planned instead. */
    missingSecrets: Array<{ path: string; reason: string }>;
    /** One entry per tenant, by slug. */
    tenants: TenantReport[];
    /** Resources that belong to no tenant (provider, stack, NATS authorization…). */
    shared: { resources: number; objects: Record<string, number>; policy: ReportDiagnostic[]; invalid: ReportInvalidObject[]; changes?: ReportChanges };
    /** The --base comparison, when requested. */
    base?: { ref: string; commit: string; tenantsAdded: string[]; tenantsRemoved: string[]; tenantsChanged: string[]; errors: DiffError[] };
}

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
    missingSecrets: Array<{ path: string; reason: string }>;
    nats: NatsDocuments;
    base?: { ref: string; commit: string; changes: ResourceChange[]; errors: DiffError[]; added: string[]; removed: string[]; changed: string[] };
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
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const tenants = new Map<string, TenantReport>();
    for (const { tenant, file } of registry.entries) {
        tenants.set(tenant.slug, {
            slug: tenant.slug, id: tenant.id, plan: tenant.plan, lifecycle: tenant.lifecycle, namespace: namespaceOf(tenant), file,
            resources: 0, objects: {}, policy: [], invalid: [], errors: [],
            ...(inputs.base ? { changes: emptyChanges() } : {}),
        });
    }
    const shared: PlanReport["shared"] = { resources: 0, objects: {}, policy: [], invalid: [], ...(inputs.base ? { changes: emptyChanges() } : {}) };
    const owner = (urn: string) => {
        const slug = byUrn.get(urn)?.tenant;
        return slug ? tenants.get(slug) : undefined;
    };

    for (const r of resources) {
        const target = (r.tenant && tenants.get(r.tenant)) || shared;
        target.resources++;
        if (r.kube) target.objects[r.kube.kind] = (target.objects[r.kube.kind] ?? 0) + 1;
        if (r.kube?.kind === "ResourceQuota" && target !== shared) {
            const hard = (r.kube.manifest.spec as { hard?: Record<string, string> } | undefined)?.hard;
            if (hard) (target as TenantReport).quota = hard;
        }
        const problems = inputs.invalid.get(r.urn);
        if (problems && r.kube) {
            const object = `${r.kube.kind} ${r.kube.namespace ? `${r.kube.namespace}/` : ""}${r.kube.name}`;
            target.invalid.push({ urn: r.urn, object, problems });
        }
    }
    for (const d of inputs.diagnostics) (owner(d.urn) ?? shared).policy.push(diagnostic(d));
    const accounts = new Map((inputs.nats.permissions?.tenants ?? []).map((a) => [a.slug, a]));
    for (const t of tenants.values()) {
        const account = accounts.get(t.slug);
        if (account) {
            t.nats = {
                account: account.account,
                publish: account.permissions.publish.allow,
                subscribe: account.permissions.subscribe.allow,
                imports: account.imports.map((i) => `${i.kind} ${i.subject} from ${i.account} as ${i.to}`),
            };
        }
        t.objects = sortRecord(t.objects);
    }
    shared.objects = sortRecord(shared.objects);

    if (inputs.base) {
        for (const c of inputs.base.changes) {
            const target = (c.tenant && tenants.get(c.tenant)) || shared;
            // A removed tenant has no entry at head: its removals are listed with the shared ones.
            target.changes![c.change].push(c);
        }
        for (const e of inputs.base.errors) tenants.get(e.tenant)?.errors.push(e.message);
    }

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
        real: REAL,
        emulated: EMULATED,
        totals: {
            tenants: list.length,
            resources: resources.length,
            kubernetesObjects: resources.filter((r) => r.kube).length,
            mandatoryViolations,
            advisories: all.length - mandatoryViolations,
            invalidObjects,
            missingSecrets: inputs.missingSecrets.length,
            diffErrors,
        },
        ok: mandatoryViolations === 0 && invalidObjects === 0 && diffErrors === 0,
        missingSecrets: inputs.missingSecrets,
        tenants: list,
        shared,
        ...(inputs.base
            ? {
                  base: {
                      ref: inputs.base.ref, commit: inputs.base.commit, tenantsAdded: inputs.base.added, tenantsRemoved: inputs.base.removed,
                      tenantsChanged: inputs.base.changed, errors: inputs.base.errors,
                  },
              }
            : {}),
    };
}

function sortRecord(value: Record<string, number>): Record<string, number> {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
