import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderMarkdown } from "../../../cli/plan/markdown";
import { renderText } from "../../../cli/plan/render";
import type { PlanReport } from "../../../cli/plan/report";
import { EXAMPLE_TENANTS, LIVE_REGISTRY, tenantYaml } from "../../support/registry-fixture";
import { isolatePlanKey, removeTempDirs, runCli, tempDir } from "./support";

// Each tenant's grants (egress, RBAC, Secrets, NATS) in report.json, text and markdown, and their
// --base diff in the same words: a pull request that adds a tenant and changes another's egress.
isolatePlanKey();
afterAll(removeTempDirs);
const repo = tempDir("grants-repo");
const tenants = path.join(repo, "tenants");
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" }).toString();
let report: PlanReport;

beforeAll(async () => {
    fs.mkdirSync(tenants);
    fs.copyFileSync(path.join(LIVE_REGISTRY, "plans.yaml"), path.join(tenants, "plans.yaml"));
    fs.writeFileSync(path.join(tenants, "acme.yaml"), EXAMPLE_TENANTS["acme.yaml"]);
    git("init", "-q");
    git("config", "user.email", "plan-test@example.com");
    git("config", "user.name", "plan test");
    git("add", "-A");
    git("commit", "-q", "-m", "acme");
    fs.writeFileSync(path.join(tenants, "acme.yaml"), EXAMPLE_TENANTS["acme.yaml"].replace("    - 203.0.113.0/24", "    - 198.51.100.0/24"));
    fs.writeFileSync(path.join(tenants, "hooli.yaml"), tenantYaml("hooli", "secrets:\n  - name: db\n    keys: [url, password]\nnetwork:\n  egress: [192.0.2.0/24]\n", "org_hooli42"));
    const run = await runCli(["plan", "--tenants", tenants, "--base", "HEAD", "--format", "json", "--quiet"]);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    report = JSON.parse(run.stdout) as PlanReport;
}, 240_000);

const HOOLI = [
    "egress to 192.0.2.0/24 (NetworkPolicy org-hooli/allow-egress-cidrs)",
    "Role org-hooli/agent-secret-reader: get on secrets named db, nats-credentials",
    "Role org-hooli/platform-agent-manager: get, list, watch on pods/log, pods/status (any name)",
    "Role org-hooli/platform-agent-manager: get, list, watch, create, update, patch, delete on pods, persistentvolumeclaims (any name)",
    "RoleBinding org-hooli/agent-secret-reader: Role agent-secret-reader → ServiceAccount org-hooli/agent-worker-sa",
    "RoleBinding org-hooli/platform-agent-manager: Role platform-agent-manager → ServiceAccount platform-system/agent-orchestrator",
    "Secret org-hooli/db: keys password, url (declared; created once its values are set)",
    "Secret org-hooli/nats-credentials: keys NATS_ACCOUNT, NATS_CREDS, NATS_INBOX_PREFIX, NATS_NKEY_SEED, NATS_STATUS_SUBJECT, NATS_SUBJECT_PREFIX, NATS_URL",
    "NATS publish org.hooli.>",
    "NATS publish _INBOX.hooli.>",
    "NATS publish platform.status",
    "NATS subscribe org.hooli.>",
    "NATS subscribe _INBOX.hooli.>",
    "NATS subscribe platform.broadcast.>",
    "NATS import stream platform.broadcast.> from PLATFORM as platform.broadcast.>",
    "NATS import service platform.status.hooli from PLATFORM as platform.status",
    "NATS limit conn 50",
    "NATS limit subs 2000",
    "NATS limit payload 1048576",
    "NATS limit data -1 (unlimited)",
];

describe("grants per tenant", () => {
    it("lists a new tenant's egress, Role rules with resource names, Secrets (names and keys, never values) and NATS subjects, imports and limits; all of them added", () => {
        const hooli = report.tenants.find((t) => t.slug === "hooli")!;
        expect(hooli.grants).toEqual(HOOLI);
        expect(hooli.grantChanges).toEqual({ added: HOOLI, removed: [] });
    });

    it("diffs a changed tenant's grants against the base in the same words", () => {
        const acme = report.tenants.find((t) => t.slug === "acme")!;
        expect(acme.grantChanges).toEqual({
            added: ["egress to 198.51.100.0/24 (NetworkPolicy org-acme/allow-egress-cidrs)"],
            removed: ["egress to 203.0.113.0/24 (NetworkPolicy org-acme/allow-egress-cidrs)"],
        });
    });

    it("shows them in the text report and the PR comment", () => {
        const text = renderText(report).split("\n");
        const start = text.indexOf("  grants:   egress to 198.51.100.0/24 (NetworkPolicy org-acme/allow-egress-cidrs)");
        expect(start).toBeGreaterThan(0);
        expect(text.slice(text.indexOf("  grant changes:", start), text.indexOf("  grant changes:", start) + 3)).toEqual([
            "  grant changes:",
            "    + egress to 198.51.100.0/24 (NetworkPolicy org-acme/allow-egress-cidrs)",
            "    - egress to 203.0.113.0/24 (NetworkPolicy org-acme/allow-egress-cidrs)",
        ]);
        expect(text).toContain("            limits conn 50, subs 2000, payload 1048576, data -1 (unlimited)");
        const markdown = renderMarkdown(report);
        expect(markdown).toContain(
            ["- **grant changes**: 1 added, 1 removed", "", "```diff", "+ egress to 198.51.100.0/24 (NetworkPolicy org-acme/allow-egress-cidrs)", "- egress to 203.0.113.0/24 (NetworkPolicy org-acme/allow-egress-cidrs)", "```"].join("\n"),
        );
        expect(markdown).toContain("- **grants**:\n  - egress to 192.0.2.0/24 (NetworkPolicy org-hooli/allow-egress-cidrs)\n  - Role org-hooli/agent-secret-reader: get on secrets named db, nats-credentials\n");
        expect(markdown).toContain("\n+ Secret org-hooli/db: keys password, url (declared; created once its values are set)\n");
    });
});
