import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_TENANTS } from "../../support/registry-fixture";
import { commitTwoTenants, gitIn, isolatePlanKey, removeTempDirs, runCli, tempDir } from "./support";

// A git repository holding a copy of the example registry; each test commits a base state and
// edits the working tree, then plans with --base HEAD.
isolatePlanKey();
afterAll(removeTempDirs);
const repo = tempDir("base-repo");
const tenants = path.join(repo, "tenants");
const git = (...args: string[]) => gitIn(repo, ...args);
const file = (slug: string) => path.join(tenants, `${slug}.yaml`);
const edit = (slug: string, from: string, to: string) => {
    const text = fs.readFileSync(file(slug), "utf8");
    expect(text).toContain(from);
    fs.writeFileSync(file(slug), text.replace(from, to));
};
const commitAll = (message: string) => {
    git("add", "-A");
    git("commit", "-q", "-m", message);
};

interface Change { change: string; urn: string; name: string; summary?: string; tenant?: string; natsAuthorization: boolean; fields: Array<{ path: string; before?: unknown; after?: unknown }> }
/** Every changed field of a tenant's resources as `name path: before → after`; added or removed resources as `+ name` / `- name`. */
const fieldsOf = (report: { tenants: Array<{ slug: string; changes: Record<string, Change[]> }> }, slug: string) => {
    const { added, changed, removed } = report.tenants.find((t) => t.slug === slug)!.changes;
    return [
        ...added.map((c) => `+ ${c.urn.split("::").pop()}`),
        ...changed.flatMap((c) => c.fields.map((f) => `${c.urn.split("::").pop()} ${f.path}: ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`)),
        ...removed.map((c) => `- ${c.urn.split("::").pop()}`),
    ];
};
const changesOf = (report: { tenants: Array<{ slug: string; changes: Record<string, Change[]> }>; shared: { changes: Record<string, Change[]> } }) =>
    [...report.tenants.flatMap((t) => Object.values(t.changes).flat()), ...Object.values(report.shared.changes).flat()];

beforeAll(() => {
    commitTwoTenants(repo);
});

describe("tenancy plan --base", () => {
    it("reports only the added tenant's resources (and the shared NATS authorization)", async () => {
        fs.writeFileSync(file("initech"), EXAMPLE_TENANTS["initech.yaml"]);
        const run = await runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--format", "json", "--quiet"]);
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        const report = JSON.parse(run.stdout);
        expect(report.base).toMatchObject({ ref: "HEAD", tenantsAdded: ["initech"], tenantsRemoved: [], tenantsChanged: [], errors: [] });
        expect(report.base.commit).toBe(git("rev-parse", "HEAD").trim());
        const changes = changesOf(report);
        const initech = report.tenants.find((t: { slug: string }) => t.slug === "initech");
        expect(initech.changes.added.length).toBe(initech.resources);
        expect(initech.changes.changed).toEqual([]);
        for (const c of changes) expect(c.tenant === "initech" || c.natsAuthorization, c.urn).toBe(true);
        // Only a tenant entry changed: the plan declares initech alone, and the shared objects in full.
        expect(report.tenants.map((t: { slug: string }) => t.slug)).toEqual(["initech"]);
        expect(report.scope).toEqual({
            tenantsPlanned: 1, registryTenants: 3, shard: { index: 0, count: 1 }, partial: true,
            note: "1 of 3 tenants: those whose entries changed since HEAD. Only registry entries changed and the plan catalog did not, so the program gives every other tenant the same resources as before; the shared objects are planned in full (operator.conf includes all 3 tenants). --full plans every tenant.",
        });
        const full = JSON.parse((await runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--full", "--format", "json", "--quiet"])).stdout);
        expect(full.scope.note).toBe("every tenant is planned: --full was given.");
        for (const slug of ["acme", "globex"]) {
            expect(full.tenants.find((t: { slug: string }) => t.slug === slug).changes).toEqual({ added: [], changed: [], removed: [] });
        }
        commitAll("add initech");
    }, 120_000);

    it("flags a change to tenant A that alters tenant B's resources (blast radius)", async () => {
        edit("acme", "agentLimit: 10", "agentLimit: 8");
        const run = await runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--program", "test/cli/plan/fixtures/coupled-program.ts", "--format", "json", "--quiet"]);
        expect(run.code).toBe(1);
        const report = JSON.parse(run.stdout);
        expect(report.ok).toBe(false);
        expect(report.base.tenantsChanged).toEqual(["acme"]);
        expect(report.base.errors).toEqual([
            {
                tenant: "globex",
                message: "blast radius: the registry change touches only acme, yet 1 resource of tenant globex would change (changed ConfigMap org-globex/fleet); a change to one tenant must not alter another's resources",
            },
            {
                tenant: "initech",
                message: "blast radius: the registry change touches only acme, yet 1 resource of tenant initech would change (changed ConfigMap org-initech/fleet); a change to one tenant must not alter another's resources",
            },
        ]);
        const globex = report.tenants.find((t: { slug: string }) => t.slug === "globex");
        expect(globex.changes.changed).toHaveLength(1);
        expect(globex.changes.changed[0].fields).toEqual([{ path: "inputs.data.platformAgentLimit", before: "52", after: "50" }]);
        expect(globex.errors).toHaveLength(1);
        // The text report shows the error next to the tenant.
        const text = await runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--program", "test/cli/plan/fixtures/coupled-program.ts", "--quiet"]);
        expect(text.stdout).toContain("  ERROR: blast radius: the registry change touches only acme, yet 1 resource of tenant globex would change");
        // In Kubernetes words: the object as Kind namespace/name, its own field names.
        expect(text.stdout).toContain("    ~ ConfigMap org-globex/fleet\n        data.platformAgentLimit: \"52\" → \"50\"\n");
        fs.writeFileSync(file("acme"), EXAMPLE_TENANTS["acme.yaml"]);
    }, 180_000);

    it("refuses to remove an active or suspended tenant, explaining the two-step off-boarding", async () => {
        fs.rmSync(file("initech"));
        const run = await runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--quiet"]);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain(
            `  ERROR: ${tenants}/initech.yaml was removed while the tenant is suspended; off-boarding takes two changes: ` +
                'first set "lifecycle: decommissioned" (this lifts the namespace protection) and apply it, then remove the file in a later change\n',
        );
        expect(run.stdout).toMatch(/1 change error → BLOCKED\n$/);
        git("checkout", "-q", "--", "tenants/initech.yaml");
    }, 120_000);

    it("suspending an active tenant changes exactly its pod quota (and the provider's wait for it), its lifecycle annotation and its account's connection limit", async () => {
        edit("acme", "lifecycle: active", "lifecycle: suspended");
        const report = JSON.parse((await runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--format", "json", "--quiet"])).stdout);
        expect(report.ok).toBe(true);
        expect(fieldsOf(report, "acme")).toEqual([
            "acme-namespace inputs.metadata.annotations.tenancy.io/lifecycle: \"active\" → \"suspended\"",
            // Without skipAwait, pulumi up ends only once pods 0 is in force (components/tenant-quota.ts).
            "acme-quota inputs.metadata.annotations.pulumi.com/skipAwait: \"true\" → undefined",
            "acme-quota inputs.spec.hard.pods: \"15\" → \"0\"",
        ]);
        const acme = report.tenants.find((t: { slug: string }) => t.slug === "acme");
        expect(acme.natsChange).toEqual({ change: "changed", account: "org_7f3k2m9q", tenant: "acme", fields: [{ path: "limits.conn", before: 50, after: 0 }] });
        // Its account file changed (a new JWT), shown as the account change, never as the JWT text.
        expect(acme.changes.changed.map((c: Change & { summary?: string }) => [c.name, c.summary, c.fields])).toContainEqual([
            "nats-account-org_7f3k2m9q",
            "its account JWT changed; the NATS account change below shows how",
            [],
        ]);
        // Its Secrets, its keys, operator.conf and every other tenant stay as they are (the partial plan left them out; the full one shows it).
        expect(report.shared.changes.changed).toEqual([]);
        expect(report.tenants.map((t: { slug: string }) => t.slug)).toEqual(["acme"]);
        const full = JSON.parse((await runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--full", "--format", "json", "--quiet"])).stdout);
        expect(fieldsOf(full, "acme")).toEqual(fieldsOf(report, "acme"));
        for (const slug of ["globex", "initech"]) expect(fieldsOf(full, slug), slug).toEqual([]);
        fs.writeFileSync(file("acme"), EXAMPLE_TENANTS["acme.yaml"]);
    }, 120_000);

    it("off-boarding step 1 lifts the namespace protection and stops the tenant as suspend does, nothing else", async () => {
        edit("acme", "lifecycle: active", "lifecycle: decommissioned");
        const report = JSON.parse((await runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--format", "json", "--quiet"])).stdout);
        expect(report.ok).toBe(true);
        expect(fieldsOf(report, "acme")).toEqual([
            "acme-namespace inputs.metadata.annotations.tenancy.io/lifecycle: \"active\" → \"decommissioned\"",
            "acme-namespace options.protect: true → false",
            "acme-quota inputs.metadata.annotations.pulumi.com/skipAwait: \"true\" → undefined",
            "acme-quota inputs.spec.hard.pods: \"15\" → \"0\"",
        ]);
        expect(report.tenants.find((t: { slug: string }) => t.slug === "acme").natsChange.fields.map((f: { path: string }) => f.path)).toEqual(["limits.conn"]);
        fs.writeFileSync(file("acme"), EXAMPLE_TENANTS["acme.yaml"]);
    }, 120_000);

    it("accepts removing a decommissioned tenant", async () => {
        edit("initech", "lifecycle: suspended", "lifecycle: decommissioned");
        commitAll("decommission initech");
        fs.rmSync(file("initech"));
        const run = await runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--format", "json", "--quiet"]);
        const report = JSON.parse(run.stdout);
        expect(report.base).toMatchObject({ tenantsRemoved: ["initech"], errors: [] });
        // Listed as a removed tenant, not as shared resources.
        expect(report.removedTenants).toHaveLength(1);
        const [initech] = report.removedTenants;
        expect(initech).toMatchObject({ slug: "initech", id: "org_q9d5t1ze", plan: "free", lifecycle: "decommissioned", file: `${tenants}/initech.yaml`, errors: [] });
        expect(initech.removed.map((c: Change) => c.name)).toContain("initech-namespace");
        // Its account file goes with it; operator.conf only loses its include.
        expect(initech.removed.map((c: Change) => c.name)).toContain("nats-account-org_q9d5t1ze");
        for (const c of initech.removed) expect([c.change, c.tenant]).toEqual(["removed", "initech"]);
        expect(initech.natsChange).toEqual({ change: "removed", account: "org_q9d5t1ze", tenant: "initech", fields: [] });
        expect(report.shared.changes.removed).toEqual([]);
        expect(report.shared.changes.changed.map((c: Change) => [c.name, c.summary, c.fields])).toEqual([
            ["nats-operator", "0 accounts added, 0 changed, 1 removed; each tenant's section shows its own", []],
        ]);
        expect(run.code).toBe(0);
    }, 120_000);
});
