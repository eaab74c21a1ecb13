import type { ResourceChange } from "./diff";
import type { PlanReport, ReportChanges, ReportDiagnostic, ReportInvalidObject, TenantReport } from "./report";

/** `Kind name` of a URN, for people: `RoleBinding acme-secret-reader`. */
export function urnLabel(urn: string): string {
    if (!urn) return "(stack)";
    const parts = urn.split("::");
    const type = (parts[2] ?? "").split("$").pop() ?? "";
    const kind = type.split(":").pop() || type;
    return `${kind} ${parts.slice(3).join("::")}`;
}

function counts(objects: Record<string, number>): string {
    const entries = Object.entries(objects);
    return entries.length ? entries.map(([kind, n]) => `${kind} ${n}`).join(", ") : "none";
}

function plural(n: number, word: string): string {
    if (n === 1) return `${n} ${word}`;
    return `${n} ${word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}

function json(value: unknown): string {
    return value === undefined ? "(none)" : JSON.stringify(value);
}

function changeLines(changes: ReportChanges, indent: string): string[] {
    const lines: string[] = [];
    const sign = { added: "+", changed: "~", removed: "-" } as const;
    for (const kind of ["added", "changed", "removed"] as const) {
        for (const c of changes[kind]) {
            lines.push(`${indent}${sign[kind]} ${c.type} ${c.name}${c.natsAuthorization ? " (shared NATS authorization)" : ""}`);
            for (const f of c.fields) lines.push(`${indent}    ${f.path}: ${json(f.before)} → ${json(f.after)}`);
        }
    }
    return lines;
}

function changeCount(changes: ReportChanges): string {
    return `${changes.added.length} added, ${changes.changed.length} changed, ${changes.removed.length} removed`;
}

function policyLines(policy: ReportDiagnostic[], indent: string): string[] {
    return policy.map((d) => `${indent}${d.level === "mandatory" ? "✗" : "!"} [${d.level}] ${d.rule} on ${urnLabel(d.urn)}: ${d.message.replace(/\n/g, " ")}`);
}

function invalidLines(invalid: ReportInvalidObject[], indent: string): string[] {
    return invalid.flatMap((o) => o.problems.map((p) => `${indent}✗ ${o.object} ${p.path}: ${p.message}`));
}

function policySummary(policy: ReportDiagnostic[]): string {
    const mandatory = policy.filter((d) => d.level === "mandatory").length;
    if (policy.length === 0) return "pass";
    return `${plural(mandatory, "mandatory violation")}, ${plural(policy.length - mandatory, "advisory")}`;
}

function tenantText(t: TenantReport): string[] {
    const lines = [`${t.slug} (${t.id}) · plan ${t.plan} · ${t.lifecycle} · namespace ${t.namespace}`];
    lines.push(`  objects:  ${counts(t.objects)}`);
    if (t.quota) lines.push(`  quota:    ${Object.entries(t.quota).map(([k, v]) => `${k}=${v}`).join(" ")}`);
    if (t.nats) {
        lines.push(`  nats:     account ${t.nats.account}`);
        lines.push(`            publish ${t.nats.publish.join(", ")}`);
        lines.push(`            subscribe ${t.nats.subscribe.join(", ")}`);
        for (const i of t.nats.imports) lines.push(`            import ${i}`);
    } else lines.push("  nats:     no account in the planned authorization");
    lines.push(`  policies: ${policySummary(t.policy)}`, ...policyLines(t.policy, "    "));
    lines.push(`  schema:   ${t.invalid.length ? plural(t.invalid.length, "invalid object") : "valid"}`, ...invalidLines(t.invalid, "    "));
    if (t.changes) lines.push(`  changes:  ${changeCount(t.changes)}`, ...changeLines(t.changes, "    "));
    for (const e of t.errors) lines.push(`  ERROR: ${e}`);
    return lines;
}

// Errors about tenants no longer in the registry have no tenant section to sit in.
function errorsOfRemovedTenants(report: PlanReport) {
    const present = new Set(report.tenants.map((t) => t.slug));
    return (report.base?.errors ?? []).filter((e) => !present.has(e.tenant));
}

/** Whether the report's verdict line says OK, and why not. */
export function verdict(report: PlanReport): string {
    const t = report.totals;
    const facts = `${plural(t.resources, "resource")} (${plural(t.kubernetesObjects, "Kubernetes object")}) for ${plural(t.tenants, "tenant")}; ` +
        `${plural(t.mandatoryViolations, "mandatory policy violation")}, ${plural(t.advisories, "advisory")}, ${plural(t.invalidObjects, "invalid object")}` +
        (report.base ? `, ${plural(t.diffErrors, "change error")}` : "");
    return `${facts} → ${report.ok ? "OK" : "BLOCKED"}`;
}

/** The default text output: one block per tenant, the shared resources, then the verdict. */
export function renderText(report: PlanReport): string {
    const lines = [
        `tenancy plan: project ${report.project}, stack ${report.stack}, registry ${report.registry} (${plural(report.totals.tenants, "tenant")}), program ${report.program}`,
        `policy pack: ${report.policyPack.name} ${report.policyPack.version} (${plural(report.policyPack.rules, "rule")})`,
    ];
    if (report.base) {
        const b = report.base;
        lines.push(`base: ${b.ref} (${b.commit.slice(0, 12)}): tenants added ${b.tenantsAdded.join(", ") || "none"}; changed ${b.tenantsChanged.join(", ") || "none"}; removed ${b.tenantsRemoved.join(", ") || "none"}`);
    }
    lines.push("");
    for (const t of report.tenants) lines.push(...tenantText(t), "");
    const s = report.shared;
    lines.push(`shared (owned by no tenant): ${plural(s.resources, "resource")}; objects: ${counts(s.objects)}`);
    lines.push(`  policies: ${policySummary(s.policy)}`, ...policyLines(s.policy, "    "));
    if (s.invalid.length) lines.push(`  schema:   ${plural(s.invalid.length, "invalid object")}`, ...invalidLines(s.invalid, "    "));
    if (s.changes) lines.push(`  changes:  ${changeCount(s.changes)}`, ...changeLines(s.changes, "    "));
    for (const e of errorsOfRemovedTenants(report)) lines.push(`  ERROR: ${e.message}`);
    lines.push("");
    if (report.missingSecrets.length) {
        lines.push(`missing secret values (placeholders were planned; set them before pulumi up):`);
        for (const m of report.missingSecrets) lines.push(`  ${m.path}: ${m.reason}`);
        lines.push("");
    }
    lines.push("real:", ...report.real.map((r) => `  - ${r}`), "emulated:", ...report.emulated.map((e) => `  - ${e}`), "");
    lines.push(verdict(report), "");
    return lines.join("\n");
}

function md(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function mdChanges(changes: ReportChanges): string[] {
    const lines: string[] = [];
    const sign = { added: "+", changed: "~", removed: "-" } as const;
    for (const kind of ["added", "changed", "removed"] as const) {
        for (const c of changes[kind] as ResourceChange[]) {
            lines.push(`${sign[kind]} ${c.type} ${c.name}${c.natsAuthorization ? " (shared NATS authorization)" : ""}`);
            for (const f of c.fields) lines.push(`    ${f.path}: ${json(f.before)} → ${json(f.after)}`);
        }
    }
    return lines.length ? ["```diff", ...lines, "```"] : [];
}

function mdTenant(t: TenantReport): string[] {
    const status = t.policy.some((d) => d.level === "mandatory") || t.invalid.length || t.errors.length ? "❌" : "✅";
    const lines = [`<details><summary>${status} <b>${t.slug}</b> · ${t.plan} · ${t.lifecycle} · ${t.namespace}</summary>`, ""];
    lines.push(`- **org id**: \`${t.id}\` (${md(t.file)})`);
    lines.push(`- **objects**: ${md(counts(t.objects))}`);
    if (t.quota) lines.push(`- **quota**: ${Object.entries(t.quota).map(([k, v]) => `\`${k}=${v}\``).join(" ")}`);
    if (t.nats) {
        lines.push(`- **NATS account** \`${t.nats.account}\`: publish ${t.nats.publish.map((s) => `\`${s}\``).join(", ")}; subscribe ${t.nats.subscribe.map((s) => `\`${s}\``).join(", ")}`);
    }
    lines.push(`- **policies**: ${policySummary(t.policy)}`);
    for (const d of t.policy) lines.push(`  - ${d.level === "mandatory" ? "❌" : "⚠️"} \`${d.rule}\` on ${md(urnLabel(d.urn))}: ${md(d.message.replace(/\n/g, " "))}`);
    lines.push(`- **schema**: ${t.invalid.length ? plural(t.invalid.length, "invalid object") : "valid"}`);
    for (const o of t.invalid) for (const p of o.problems) lines.push(`  - ❌ ${md(o.object)} \`${p.path}\`: ${md(p.message)}`);
    for (const e of t.errors) lines.push(`- ❌ **${md(e)}**`);
    if (t.changes) lines.push(`- **changes**: ${changeCount(t.changes)}`, "", ...mdChanges(t.changes));
    lines.push("", "</details>", "");
    return lines;
}

/** GitHub's limit for one comment is 65,536 characters; stay a little below it. */
export const PR_COMMENT_MAX_CHARS = 65_000;

function notable(t: TenantReport): boolean {
    const changed = t.changes && t.changes.added.length + t.changes.changed.length + t.changes.removed.length > 0;
    return t.policy.length > 0 || t.invalid.length > 0 || t.errors.length > 0 || Boolean(changed);
}

/**
 * A report for one pull-request comment: a summary table, then one collapsed section per tenant.
 * When that exceeds `maxChars`, only tenants with findings or changes get a row and a section (the
 * others are counted), and sections that still do not fit are counted too; report.json has all.
 */
export function renderMarkdown(report: PlanReport, maxChars = Number.POSITIVE_INFINITY): string {
    const full = markdown(report, report.tenants, 0);
    if (full.length <= maxChars) return full;
    const shown = report.tenants.filter(notable);
    let fitting = shown.length;
    let text = markdown(report, shown, report.tenants.length - shown.length);
    // Drop sections from the end, each try as many as the overshoot needs at the average section
    // size, so a few renders suffice however large the registry.
    while (text.length > maxChars && fitting > 0) {
        const excess = text.length - maxChars;
        const perTenant = text.length / Math.max(1, fitting);
        fitting = Math.max(0, fitting - Math.max(1, Math.ceil(excess / perTenant)));
        text = markdown(report, shown.slice(0, fitting), report.tenants.length - shown.length, shown.length - fitting);
    }
    return text;
}

function markdown(report: PlanReport, tenants: TenantReport[], quiet: number, omitted = 0): string {
    const lines = [
        `## tenancy plan: ${report.ok ? "✅ OK" : "❌ blocked"}`,
        "",
        `Project \`${report.project}\`, stack \`${report.stack}\`, registry \`${report.registry}\`, policy pack \`${report.policyPack.name}@${report.policyPack.version}\`.`,
        "",
        `| tenant | plan | lifecycle | objects | policies | schema |${report.base ? " changes |" : ""}`,
        `|---|---|---|---|---|---|${report.base ? "---|" : ""}`,
    ];
    for (const t of tenants) {
        const objects = Object.values(t.objects).reduce((a, b) => a + b, 0);
        const changes = t.changes ? ` +${t.changes.added.length} ~${t.changes.changed.length} -${t.changes.removed.length}${t.errors.length ? " ❌" : ""} |` : "";
        lines.push(`| ${t.slug} | ${t.plan} | ${t.lifecycle} | ${objects} | ${policySummary(t.policy)} | ${t.invalid.length ? `${t.invalid.length} invalid` : "valid"} |${changes}`);
    }
    if (quiet > 0) lines.push("", `${plural(quiet, "other tenant")} with no findings${report.base ? " and no changes" : ""} are not listed, to fit one comment; run with \`--out DIR\` for report.json and the full report.md.`);
    lines.push("", `**${md(verdict(report))}**`, "");
    if (report.base) {
        const b = report.base;
        lines.push(`Compared with \`${b.ref}\` (\`${b.commit.slice(0, 12)}\`): tenants added ${b.tenantsAdded.join(", ") || "none"}; changed ${b.tenantsChanged.join(", ") || "none"}; removed ${b.tenantsRemoved.join(", ") || "none"}.`, "");
        for (const e of errorsOfRemovedTenants(report)) lines.push(`- ❌ **${md(e.message)}**`);
        lines.push("");
    }
    for (const t of tenants) lines.push(...mdTenant(t));
    if (omitted > 0) lines.push(`… ${plural(omitted, "more tenant")} with findings did not fit in one comment; see report.md from \`--out DIR\`.`, "");
    const s = report.shared;
    lines.push("### Shared resources", "", `${plural(s.resources, "resource")} owned by no tenant: ${md(counts(s.objects))}; policies: ${policySummary(s.policy)}.`);
    for (const d of s.policy) lines.push(`- ${d.level === "mandatory" ? "❌" : "⚠️"} \`${d.rule}\` on ${md(urnLabel(d.urn))}: ${md(d.message.replace(/\n/g, " "))}`);
    for (const o of s.invalid) for (const p of o.problems) lines.push(`- ❌ ${md(o.object)} \`${p.path}\`: ${md(p.message)}`);
    if (s.changes) lines.push("", ...mdChanges(s.changes));
    lines.push("");
    if (report.missingSecrets.length) {
        lines.push(`⚠️ ${plural(report.missingSecrets.length, "secret value")} not available to the plan (placeholders were planned): ${report.missingSecrets.map((m) => `\`${m.path}\``).join(", ")}`, "");
    }
    lines.push("<sub>Real: " + report.real.map(md).join("; ") + ".<br>Emulated: " + report.emulated.map(md).join("; ") + ".</sub>", "");
    return lines.join("\n");
}
