import type { ResourceChange } from "./diff";
import type { NatsAccountChange } from "./nats-diff";
import type { PlanReport, RemovedTenant, ReportChanges, TenantReport } from "./report";
import { baseShown, counts, dangerHeading, kindCounts, natsChangeLines, plural, policySummary, resourceChangeLines, secretsSummary, urnLabel, verdict } from "./render";

/**
 * Budget of the plan in one pull-request comment. GitHub caps a comment at 65,536 characters; the
 * rest is left for the workflow's header and the `pulumi preview` summary it appends.
 */
export const PR_COMMENT_MAX_CHARS = 60_000;

/** How much of a tenant's section is shown: everything, or only what changed and what was found. */
type Detail = "full" | "compact";

function md(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The Kubernetes objects of a change list: the one unit the comment counts in (the objects column, +/~/-, the changes line). */
function objectsOf(list: readonly ResourceChange[]): ResourceChange[] {
    return list.filter((c) => c.object !== undefined);
}

// Added and removed Kubernetes objects are counted by kind (the text output and report.json list
// every resource, Pulumi components included); changed ones are listed with their fields, and so are
// NATS account changes.
function mdChanges(changes: ReportChanges, nats: NatsAccountChange | undefined): string[] {
    const summary: string[] = [];
    const [added, changed, removed] = [objectsOf(changes.added), objectsOf(changes.changed), objectsOf(changes.removed)];
    if (added.length) summary.push(`${plural(added.length, "object")} added (${kindCounts(added)})`);
    if (changed.length) summary.push(`${plural(changed.length, "object")} changed`);
    if (removed.length) summary.push(`${plural(removed.length, "object")} removed (${kindCounts(removed)})`);
    const lines = [`- **changes**: ${summary.join("; ") || "none"}${nats ? `; NATS account ${nats.change}` : ""}`];
    const diff = [...changes.changed.flatMap((c: ResourceChange) => resourceChangeLines(c, "~", "")), ...(nats && nats.change === "changed" ? natsChangeLines(nats, "") : [])];
    if (diff.length) lines.push("", "```diff", ...diff, "```");
    return lines;
}

function findings(t: Pick<TenantReport, "policy" | "invalid" | "errors">): string[] {
    const lines: string[] = [];
    for (const d of t.policy) lines.push(`- ${d.level === "mandatory" ? "❌" : "⚠️"} \`${d.rule}\` on ${md(urnLabel(d.urn))}: ${md(d.message.replace(/\n/g, " "))}`);
    for (const o of t.invalid) for (const p of o.problems) lines.push(`- ❌ ${md(o.object)} \`${p.path}\`: ${md(p.message)}`);
    for (const e of t.errors) lines.push(`- ❌ **${md(e)}**`);
    return lines;
}

function failing(t: TenantReport): boolean {
    return t.policy.some((d) => d.level === "mandatory") || t.invalid.length > 0 || t.errors.length > 0;
}

function mdTenant(t: TenantReport, detail: Detail): string[] {
    const state = t.changes && t.changes.added.length > 0 && t.changes.changed.length + t.changes.removed.length === 0 ? " · added" : "";
    const lines = [`<details><summary>${failing(t) ? "❌" : "✅"} <b>${t.slug}</b> · ${t.plan} · ${t.lifecycle} · ${t.namespace}${state}</summary>`, ""];
    if (detail === "full") {
        lines.push(`- **org id**: \`${t.id}\` (${md(t.file)})`, `- **objects**: ${md(counts(t.objects))}`);
        if (t.quota) lines.push(`- **quota**: ${Object.entries(t.quota).map(([k, v]) => `\`${k}=${v}\``).join(" ")}`);
        if (t.nats) {
            const access = t.nats.connect === false ? ` (${t.lifecycle}: no connection admitted)` : "";
            lines.push(`- **NATS account** \`${t.nats.account}\`${access}: publish ${t.nats.publish.map((s) => `\`${s}\``).join(", ")}; subscribe ${t.nats.subscribe.map((s) => `\`${s}\``).join(", ")}`);
        }
        // Subjects are on the NATS account's line; every other grant (egress, RBAC, Secrets, NATS imports and limits) here.
        const grants = t.grants.filter((g) => !/^NATS (publish|subscribe) /.test(g));
        if (grants.length) lines.push("- **grants**:", ...grants.map((g) => `  - ${md(g)}`));
        lines.push(`- **policies**: ${policySummary(t.policy)}`, `- **schema**: ${t.invalid.length ? plural(t.invalid.length, "invalid object") : "valid"}`);
    }
    lines.push(...findings(t));
    const secrets = secretsSummary(t);
    if (secrets) lines.push(`- ⏳ **secrets**: ${md(secrets)}`);
    if (t.grantChanges) {
        lines.push(`- **grant changes**: ${t.grantChanges.added.length} added, ${t.grantChanges.removed.length} removed`, "", "```diff", ...t.grantChanges.added.map((g) => `+ ${g}`), ...t.grantChanges.removed.map((g) => `- ${g}`), "```");
    }
    if (t.changes) lines.push(...mdChanges(t.changes, t.natsChange));
    lines.push("", "</details>", "");
    return lines;
}

function mdRemoved(r: RemovedTenant): string[] {
    const nats = r.natsChange ? "; NATS account removed" : "";
    return [`- ➖ **${r.slug}** (\`${r.id}\`, ${r.plan}, was ${r.lifecycle}): ${plural(objectsOf(r.removed).length, "object")} removed (${kindCounts(objectsOf(r.removed))})${nats}`, ...findings({ policy: [], invalid: [], errors: r.errors }).map((l) => `  ${l}`)];
}

// Worth a section when space is short: findings and changes always; values still to be set only
// without --base, since a pull request's comment is about what it changes (the footer counts them).
// Encrypted values are the normal state of a stack file and never make a tenant notable.
function notable(t: TenantReport): boolean {
    const changed = t.changes && t.changes.added.length + t.changes.changed.length + t.changes.removed.length > 0;
    const waiting = !t.changes && t.missingSecrets.some((m) => m.state === "missing");
    return t.policy.length > 0 || t.invalid.length > 0 || t.errors.length > 0 || waiting || Boolean(changed) || Boolean(t.natsChange);
}

/**
 * A report for one pull-request comment: a summary table, then one collapsed section per tenant,
 * removed tenants, the shared resources. Past `maxChars`, in this order until it fits: only tenants
 * with findings or changes (without --base: or secret values still to set) get a row and a section
 * (the others are counted); those sections show only their changes and findings; sections that
 * still do not fit are counted. report.json has all.
 */
export function renderMarkdown(report: PlanReport, maxChars = Number.POSITIVE_INFINITY): string {
    const full = markdown(report, report.tenants, "full", 0);
    if (full.length <= maxChars) return full;
    const shown = report.tenants.filter(notable);
    const quiet = report.tenants.length - shown.length;
    for (const detail of ["full", "compact"] as const) {
        const text = markdown(report, shown, detail, quiet);
        if (text.length <= maxChars) return text;
    }
    let fitting = shown.length;
    let text = markdown(report, shown, "compact", quiet);
    // Drop sections from the end, each try as many as the overshoot needs at the average section
    // size, so a few renders suffice however large the registry.
    while (text.length > maxChars && fitting > 0) {
        const excess = text.length - maxChars;
        const perTenant = text.length / Math.max(1, fitting);
        fitting = Math.max(0, fitting - Math.max(1, Math.ceil(excess / perTenant)));
        text = markdown(report, shown.slice(0, fitting), "compact", quiet, shown.length - fitting);
    }
    return text;
}

function summaryTable(report: PlanReport, tenants: TenantReport[]): string[] {
    const lines = [
        `| tenant | plan | lifecycle | objects | policies | schema |${report.base ? " changes |" : ""}`,
        `|---|---|---|---|---|---|${report.base ? "---|" : ""}`,
    ];
    for (const t of tenants) {
        const objects = Object.values(t.objects).reduce((a, b) => a + b, 0);
        const changes = t.changes
            ? ` +${objectsOf(t.changes.added).length} ~${objectsOf(t.changes.changed).length} -${objectsOf(t.changes.removed).length}${t.errors.length ? " ❌" : ""} |`
            : "";
        lines.push(`| ${t.slug} | ${t.plan} | ${t.lifecycle} | ${objects} | ${policySummary(t.policy)} | ${t.invalid.length ? `${t.invalid.length} invalid` : "valid"} |${changes}`);
    }
    for (const r of report.removedTenants ?? []) lines.push(`| ${r.slug} | ${r.plan} | removed (was ${r.lifecycle}) | 0 | – | – | +0 ~0 -${objectsOf(r.removed).length}${r.errors.length ? " ❌" : ""} |`);
    return lines;
}

function markdown(report: PlanReport, tenants: TenantReport[], detail: Detail, quiet: number, omitted = 0): string {
    const danger = dangerHeading(report);
    const lines = [
        `## tenancy plan: ${report.ok ? "✅ OK" : "❌ blocked"}${danger ? ` · ${danger}` : ""}`,
        "",
        `Project \`${report.project}\`, stack \`${report.stack}\`, registry \`${report.registry}\`, policy pack \`${report.policyPack.name}@${report.policyPack.version}\`.`,
        "",
        // Never shortened to fit: a reviewer must see every one of them.
        ...(danger ? [`### ${danger}`, "", ...report.dangers!.map((d) => `- **${d.tenant}**: ${md(d.message)}`), ""] : []),
        ...(report.scope ? [`Scope: ${md(report.scope.note)}`, ""] : []),
        ...summaryTable(report, tenants),
    ];
    if (quiet > 0) lines.push("", `${plural(quiet, "other tenant")} with no findings${report.base ? " and no changes" : ""} are not listed, to fit one comment; the workflow's plan artifact (\`--out DIR\`) has report.json and the full report.md.`);
    lines.push("", `**${md(verdict(report))}**`, "");
    if (report.base) {
        const b = report.base;
        lines.push(`Compared with ${baseShown(b, "`")}: tenants added ${b.tenantsAdded.join(", ") || "none"}; changed ${b.tenantsChanged.join(", ") || "none"}; removed ${b.tenantsRemoved.join(", ") || "none"}.`, "");
    }
    for (const t of tenants) lines.push(...mdTenant(t, detail));
    if (omitted > 0) lines.push(`… ${plural(omitted, "more tenant")} with findings or changes did not fit in one comment; see report.md in the plan artifact.`, "");
    if (report.removedTenants?.length) lines.push("### Removed tenants", "", ...report.removedTenants.flatMap(mdRemoved), "");
    lines.push(...sharedSection(report));
    lines.push("<sub>Real: " + report.real.map(md).join("; ") + ".<br>Emulated: " + report.emulated.map(md).join("; ") + ".</sub>", "");
    return lines.join("\n");
}

function sharedSection(report: PlanReport): string[] {
    const s = report.shared;
    const lines = ["### Shared resources", "", `${plural(s.resources, "resource")} owned by no tenant: ${md(counts(s.objects))}; policies: ${policySummary(s.policy)}.`];
    lines.push(...findings({ policy: s.policy, invalid: s.invalid, errors: [] }));
    const diff = s.changes ? (["added", "changed", "removed"] as const).flatMap((k) => s.changes![k].flatMap((c) => resourceChangeLines(c, { added: "+", changed: "~", removed: "-" }[k], ""))) : [];
    diff.push(...(s.natsChanges ?? []).flatMap((c) => natsChangeLines(c, "")));
    if (diff.length) lines.push("", "```diff", ...diff, "```");
    lines.push("");
    const waiting = report.missingSecrets.filter((m) => m.state === "missing").length;
    if (waiting) lines.push(`⏳ ${plural(waiting, "declared secret value")} not set yet: their Secrets are created once set (\`npx tenancy secrets\` prints the commands); the rest of each tenant deploys now.`, "");
    return lines;
}
