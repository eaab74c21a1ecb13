// The registry's invariants across a change (--base): a tenant's org id never changes, and neither
// does its slug (which names its namespace). Both are checked on the two validated registries
// before anything is planned; a broken one is a registry error (exit 2) at the field's line.
import * as fs from "node:fs";
import * as path from "node:path";
import { namespaceOf } from "../../contract";
import { YamlSource, type Registry, type RegistryEntry, type SourceIssue } from "../../registry";

/** The issues of a change from `base` to `head` that breaks an invariant; `ref` is the base as given. */
export function invariantIssues(base: Registry, head: Registry, ref: string, baseFile: (entry: RegistryEntry) => string): SourceIssue[] {
    const issues: SourceIssue[] = [];
    const baseBySlug = new Map(base.entries.map((e) => [e.tenant.slug, e]));
    const baseById = new Map(base.entries.map((e) => [e.tenant.id, e]));
    for (const entry of head.entries) {
        const { slug, id } = entry.tenant;
        const before = baseBySlug.get(slug);
        if (before && before.tenant.id !== id) {
            issues.push(issueAt(head, entry, "id",
                `changed from ${before.tenant.id} (at ${ref}) to ${id}; ids are opaque and immutable (every object's tenant label and the NATS account derive from it); ` +
                `restore id: ${before.tenant.id}; to replace the tenant, remove it and add a new slug in two PRs`));
            continue;
        }
        const renamed = baseById.get(id);
        if (!before && renamed && renamed.tenant.slug !== slug) {
            const old = renamed.tenant.slug;
            issues.push(issueAt(head, entry, "slug",
                `tenant ${id} was "${old}" at ${ref} (${baseFile(renamed)}); a slug is immutable like the id: it names the namespace, so renaming it deletes ` +
                `${namespaceOf({ slug: old })} with its data and creates an empty ${namespaceOf({ slug })}; restore slug: ${old} in ${baseFile(renamed)}` +
                ` (git mv ${entry.file} ${baseFile(renamed)}); to move the tenant to a new slug, add the new slug with a new id and off-board "${old}" in two steps`));
        }
    }
    return issues;
}

// The issue at a field of a head entry's file, at the line and column of its value.
function issueAt(head: Registry, entry: RegistryEntry, field: "id" | "slug", message: string): SourceIssue {
    const source = YamlSource.parse(entry.file, fs.readFileSync(path.join(head.dir, path.basename(entry.file)), "utf8"));
    if (Array.isArray(source)) return { file: entry.file, line: 1, col: 1, field, message };
    return source.issueAt([field], message);
}
