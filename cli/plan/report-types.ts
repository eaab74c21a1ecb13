// The shape of the plan report (report.json, `--format json`): what every renderer reads.
import type { Danger } from "./danger";
import type { DiffError, ResourceChange } from "./diff";
import type { GrantChanges } from "./grants";
import type { KubeProblem } from "./kube-validate";
import type { NatsAccountChange } from "./nats-diff";
import type { ReportedSecret } from "./secret-values";

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
    /** The tenant's NATS account as its account JWT says (permissions of its scoped signing key, imports); `connect: false` when the account admits no connection (not active). */
    nats?: { account: string; publish: string[]; subscribe: string[]; imports: string[]; connect?: false };
    /**
     * What the tenant is granted, one line each: egress CIDRs, every Role rule (with its resource
     * names) and binding, its Secrets (names and keys, never values), its NATS subjects, imports and limits.
     */
    grants: string[];
    /** Policy diagnostics on the tenant's resources. */
    policy: ReportDiagnostic[];
    /** Objects the API server would reject. */
    invalid: ReportInvalidObject[];
    /** With --base, when they differ: grant lines only at head (`added`) and only at the base (`removed`), in the same words. */
    grantChanges?: GrantChanges;
    /** Changes against --base (present only with --base). */
    changes?: ReportChanges;
    /** How the tenant's NATS account changed against --base, if it did. */
    natsChange?: NatsAccountChange;
    /** Declared secret values the plan could not read: `missing` ones hold back their Secret, `encrypted` ones were planned with a placeholder. */
    missingSecrets: Array<{ path: string; secret: string; state: "missing" | "encrypted" }>;
    /** Blast-radius and off-boarding errors concerning this tenant. */
    errors: string[];
}

/** A tenant in the registry at --base and no longer at head: everything of it is removed. */
export interface RemovedTenant {
    /** Slug. */
    slug: string;
    /** Opaque org id. */
    id: string;
    /** Plan at base. */
    plan: string;
    /** Lifecycle at base (only `decommissioned` may be removed). */
    lifecycle: string;
    /** The removed registry file. */
    file: string;
    /** Its resources, all removed. */
    removed: ResourceChange[];
    /** Its NATS account, removed from the shared authorization. */
    natsChange?: NatsAccountChange;
    /** Off-boarding errors concerning it. */
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
    /**
     * Which tenants of the registry the plan declares, when not all: a shard's (`tenancy:shard`) or,
     * with --base, those a registry-only change touches; `note` says which and why.
     */
    scope?: { tenantsPlanned: number; registryTenants: number; shard: { index: number; count: number }; partial: boolean; note: string };
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
    /** Declared secret values the plan could not read, by config path (per tenant in `tenants[].missingSecrets`). */
    missingSecrets: ReportedSecret[];
    /** One entry per tenant, by slug. */
    tenants: TenantReport[];
    /** Tenants removed against --base, by slug (present only with --base). */
    removedTenants?: RemovedTenant[];
    /** Resources that belong to no tenant (provider, stack, NATS authorization…). */
    shared: {
        resources: number;
        objects: Record<string, number>;
        policy: ReportDiagnostic[];
        invalid: ReportInvalidObject[];
        changes?: ReportChanges;
        /** Changes of the platform's own NATS account. */
        natsChanges?: NatsAccountChange[];
    };
    /**
     * With --base: every destructive or weakening change (a tenant removed, its namespace protection
     * lifted, suspend or resume, a quota or NATS limit lowered, a NATS key rotation), by tenant.
     */
    dangers?: Danger[];
    /** The --base comparison, when requested. */
    base?: { ref: string; commit: string; tenantsAdded: string[]; tenantsRemoved: string[]; tenantsChanged: string[]; errors: DiffError[] };
}
