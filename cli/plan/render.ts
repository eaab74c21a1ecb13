import type { ResourceChange } from "./diff";
import type { NatsAccountChange } from "./nats-diff";
import type { PlanReport, RemovedTenant, ReportChanges, ReportDiagnostic, ReportInvalidObject, TenantReport } from "./report";

/** `Kind name` of a URN, for people: `RoleBinding acme-secret-reader`. */
export function urnLabel(urn: string): string {
    if (!urn) return "(stack)";
    const parts = urn.split("::");
    const type = (parts[2] ?? "").split("$").pop() ?? "";
    const kind = type.split(":").pop() || type;
    return `${kind} ${parts.slice(3).join("::")}`;
}

/** `Namespace 1, Secret 3` for a count by kind, or `none`. */
export function counts(objects: Record<string, number>): string {
    const entries = Object.entries(objects);
    return entries.length ? entries.map(([kind, n]) => `${kind} ${n}`).join(", ") : "none";
}

/** `1 resource`, `2 resources`, `2 policies`. */
export function plural(n: number, word: string): string {
    if (n === 1) return `${n} ${word}`;
    return `${n} ${word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}

/** A value as one line of JSON, `(none)` when absent. */
export function json(value: unknown): string {
    return value === undefined ? "(none)" : JSON.stringify(value);
}

/** Resources of a change list counted by the last segment of their type (`Namespace 1, RandomBytes 1`). */
export function kindCounts(changes: readonly ResourceChange[]): string {
    const byKind: Record<string, number> = {};
    for (const c of changes) {
        const kind = c.type.split(":").pop() || c.type;
        byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    return counts(Object.fromEntries(Object.entries(byKind).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** `+ kind name` lines of every change, each changed one followed by its fields. */
export function changeLines(changes: ReportChanges, indent: string): string[] {
    const lines: string[] = [];
    const sign = { added: "+", changed: "~", removed: "-" } as const;
    for (const kind of ["added", "changed", "removed"] as const) {
        for (const c of changes[kind]) lines.push(...resourceChangeLines(c, sign[kind], indent));
    }
    return lines;
}

/**
 * A field path as a reviewer reads it: the object's own field names (`spec.hard.pods`, not
 * `inputs.spec.hard.pods`), list positions in brackets (`egress[0].to[1]`), resource options as
 * `(pulumi) protect`.
 */
export function fieldPath(path: string): string {
    const readable = path.replace(/\.(\d+)(?=\.|$)/g, "[$1]");
    if (readable.startsWith("inputs.")) return readable.slice("inputs.".length);
    if (readable.startsWith("options.")) return `(pulumi option) ${readable.slice("options.".length)}`;
    return readable;
}

/** One resource change: its line (a Kubernetes object as `Kind namespace/name`) and, indented below, its changed fields. */
export function resourceChangeLines(c: ResourceChange, sign: string, indent: string): string[] {
    // A tenant's account file says why it has no field listed: its JWT's change is the NATS account's below.
    const note = c.natsAuthorization ? ` (shared NATS authorization${c.summary ? `: ${c.summary}` : ""})` : c.summary ? ` (${c.summary})` : "";
    return [`${indent}${sign} ${c.object ?? `${c.type} ${c.name}`}${note}`, ...c.fields.map((f) => `${indent}    ${fieldPath(f.path)}: ${json(f.before)} → ${json(f.after)}`)];
}

/** One NATS account change: `~ NATS account org_x` and its fields. */
export function natsChangeLines(c: NatsAccountChange, indent: string): string[] {
    const sign = { added: "+", changed: "~", removed: "-" }[c.change];
    return [`${indent}${sign} NATS account ${c.account}`, ...c.fields.map((f) => `${indent}    ${fieldPath(f.path)}: ${json(f.before)} → ${json(f.after)}`)];
}

/**
 * `2 objects added, 0 changed, 1 removed`: Kubernetes objects, the unit of the `objects:` line and of
 * the PR comment; the program's other resources (its components, the NATS account) are counted apart.
 */
export function changeCount(changes: ReportChanges): string {
    const all = [...changes.added, ...changes.changed, ...changes.removed];
    const objects = (list: readonly { object?: string }[]) => list.filter((c) => c.object !== undefined).length;
    const others = all.length - objects(all);
    return `${plural(objects(changes.added), "object")} added, ${objects(changes.changed)} changed, ${objects(changes.removed)} removed` +
        (others > 0 ? ` (and ${plural(others, "other Pulumi resource")}: components, the NATS account)` : "");
}

function policyLines(policy: ReportDiagnostic[], indent: string): string[] {
    return policy.map((d) => `${indent}${d.level === "mandatory" ? "✗" : "!"} [${d.level}] ${d.rule} on ${urnLabel(d.urn)}: ${d.message.replace(/\n/g, " ")}`);
}

function invalidLines(invalid: ReportInvalidObject[], indent: string): string[] {
    return invalid.flatMap((o) => o.problems.map((p) => `${indent}✗ ${o.object} ${p.path}: ${p.message}`));
}

/** `pass`, or the number of mandatory violations and advisories. */
export function policySummary(policy: ReportDiagnostic[]): string {
    const mandatory = policy.filter((d) => d.level === "mandatory").length;
    if (policy.length === 0) return "pass";
    return `${plural(mandatory, "mandatory violation")}, ${plural(policy.length - mandatory, "advisory")}`;
}

/** What the tenant's declared secrets wait for: Secrets held back (values not set) and Secrets planned with placeholders. */
export function secretsSummary(t: TenantReport): string | undefined {
    if (t.missingSecrets.length === 0) return undefined;
    const names = (state: "missing" | "encrypted") => [...new Set(t.missingSecrets.filter((m) => m.state === state).map((m) => m.secret))];
    const waiting = names("missing");
    const placeholders = names("encrypted").filter((n) => !waiting.includes(n));
    const parts: string[] = [];
    const unset = t.missingSecrets.filter((m) => m.state === "missing").length;
    if (waiting.length) parts.push(`Secret${waiting.length === 1 ? "" : "s"} ${waiting.join(", ")} not created until ${plural(unset, "value")} ${unset === 1 ? "is" : "are"} set (npx tenancy secrets ${t.slug})`);
    if (placeholders.length) parts.push(`Secret${placeholders.length === 1 ? "" : "s"} ${placeholders.join(", ")} planned with placeholders (values encrypted in the stack file)`);
    return parts.join("; ");
}

function tenantText(t: TenantReport): string[] {
    const lines = [`${t.slug} (${t.id}) · plan ${t.plan} · ${t.lifecycle} · namespace ${t.namespace}`];
    lines.push(`  objects:  ${counts(t.objects)}`);
    if (t.quota) lines.push(`  quota:    ${Object.entries(t.quota).map(([k, v]) => `${k}=${v}`).join(" ")}`);
    if (t.nats) {
        lines.push(`  nats:     account ${t.nats.account}${t.nats.connect === false ? ` (${t.lifecycle}: the account admits no connection; its user and credential stay)` : ""}`);
        lines.push(`            publish ${t.nats.publish.join(", ")}`);
        lines.push(`            subscribe ${t.nats.subscribe.join(", ")}`);
        for (const i of t.nats.imports) lines.push(`            import ${i}`);
        const limits = t.grants.filter((g) => g.startsWith("NATS limit ")).map((g) => g.slice("NATS limit ".length));
        if (limits.length) lines.push(`            limits ${limits.join(", ")}`);
    } else lines.push("  nats:     no account in the planned authorization");
    // Subjects, imports and limits are in the NATS lines above; the other grants here.
    const grants = t.grants.filter((g) => !g.startsWith("NATS "));
    lines.push(...grants.map((g, i) => `${i === 0 ? "  grants:   " : "            "}${g}`));
    if (t.grantChanges) {
        lines.push("  grant changes:", ...t.grantChanges.added.map((g) => `    + ${g}`), ...t.grantChanges.removed.map((g) => `    - ${g}`));
    }
    const secrets = secretsSummary(t);
    if (secrets) lines.push(`  secrets:  ${secrets}`);
    lines.push(`  policies: ${policySummary(t.policy)}`, ...policyLines(t.policy, "    "));
    lines.push(`  schema:   ${t.invalid.length ? plural(t.invalid.length, "invalid object") : "valid"}`, ...invalidLines(t.invalid, "    "));
    if (t.changes) lines.push(`  changes:  ${changeCount(t.changes)}`, ...changeLines(t.changes, "    "));
    if (t.natsChange) lines.push(...natsChangeLines(t.natsChange, "    "));
    for (const e of t.errors) lines.push(`  ERROR: ${e}`);
    return lines;
}

function removedText(r: RemovedTenant): string[] {
    const lines = [`${r.slug} (${r.id}) · plan ${r.plan} · REMOVED (was ${r.lifecycle}) · ${r.file}`];
    lines.push(`  changes:  ${plural(r.removed.length, "resource")} removed`, ...r.removed.flatMap((c) => resourceChangeLines(c, "-", "    ")));
    if (r.natsChange) lines.push(...natsChangeLines(r.natsChange, "    "));
    for (const e of r.errors) lines.push(`  ERROR: ${e}`);
    return lines;
}

/** The base as given and the commit it resolved to, once when the revision was given as that commit (`c0eb0afd87c2`, not `c0eb0afd87c2 (c0eb0afd87c2)`). */
export function baseShown(base: { ref: string; commit: string }, quote = ""): string {
    const commit = base.commit.slice(0, 12);
    if (/^[0-9a-f]{4,40}$/i.test(base.ref) && base.commit.toLowerCase().startsWith(base.ref.toLowerCase())) return `${quote}${base.ref.length > 12 ? commit : base.ref}${quote}`;
    return `${quote}${base.ref}${quote} (${quote}${commit}${quote})`;
}

/** The ⚠️ heading of the destructive or weakening changes of a --base plan, or undefined when there are none. */
export function dangerHeading(report: PlanReport): string | undefined {
    const n = report.dangers?.length ?? 0;
    return n === 0 ? undefined : `⚠️ ${plural(n, "destructive or weakening change")} since ${report.base!.ref}`;
}

/** Whether the report's verdict line says OK, and why not. */
export function verdict(report: PlanReport): string {
    const t = report.totals;
    const facts = `${plural(t.resources, "resource")} (${plural(t.kubernetesObjects, "Kubernetes object")}) for ${plural(t.tenants, "tenant")}; ` +
        `${plural(t.mandatoryViolations, "mandatory policy violation")}, ${plural(t.advisories, "advisory")}, ${plural(t.invalidObjects, "invalid object")}` +
        (report.base ? `, ${plural(t.diffErrors, "change error")}` : "");
    return `${facts} → ${report.ok ? "OK" : "BLOCKED"}`;
}

/** The default text output: one block per tenant, removed tenants, the shared resources, then the verdict. */
export function renderText(report: PlanReport): string {
    const lines = [
        `tenancy plan: project ${report.project}, stack ${report.stack}, registry ${report.registry} (${plural(report.totals.tenants, "tenant")}), program ${report.program}`,
        `policy pack: ${report.policyPack.name} ${report.policyPack.version} (${plural(report.policyPack.rules, "rule")})`,
    ];
    if (report.scope) lines.push(`scope: ${report.scope.note}`);
    if (report.base) {
        const b = report.base;
        lines.push(`base: ${baseShown(b)}: tenants added ${b.tenantsAdded.join(", ") || "none"}; changed ${b.tenantsChanged.join(", ") || "none"}; removed ${b.tenantsRemoved.join(", ") || "none"}`);
    }
    lines.push("");
    const danger = dangerHeading(report);
    if (danger) lines.push(`${danger}:`, ...report.dangers!.map((d) => `  - ${d.tenant}: ${d.message}`), "");
    for (const t of report.tenants) lines.push(...tenantText(t), "");
    for (const r of report.removedTenants ?? []) lines.push(...removedText(r), "");
    const s = report.shared;
    lines.push(`shared (owned by no tenant): ${plural(s.resources, "resource")}; objects: ${counts(s.objects)}`);
    lines.push(`  policies: ${policySummary(s.policy)}`, ...policyLines(s.policy, "    "));
    if (s.invalid.length) lines.push(`  schema:   ${plural(s.invalid.length, "invalid object")}`, ...invalidLines(s.invalid, "    "));
    if (s.changes) lines.push(`  changes:  ${changeCount(s.changes)}`, ...changeLines(s.changes, "    "));
    for (const c of s.natsChanges ?? []) lines.push(...natsChangeLines(c, "    "));
    lines.push("");
    if (report.missingSecrets.length) {
        lines.push(`secret values the plan could not read (set the missing ones before pulumi up creates their Secrets):`);
        for (const m of report.missingSecrets) lines.push(`  ${m.path}: ${m.reason}`);
        lines.push("");
    }
    lines.push("real:", ...report.real.map((r) => `  - ${r}`), "emulated:", ...report.emulated.map((e) => `  - ${e}`), "");
    lines.push(verdict(report), "");
    return lines.join("\n");
}
