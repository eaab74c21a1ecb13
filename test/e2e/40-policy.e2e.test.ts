// The policy pack through the real CLI: a program variant that wires one tenant into another is
// stopped by `pulumi preview --policy-pack` and by `pulumi up --policy-pack`, with the mandatory
// violation, a non-zero exit, and the cluster unchanged.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import "./support/context";
import { AGENT_SERVICE_ACCOUNT, namespaceOf, SECRET_READER_ROLE } from "../../contract";
import { loadRegistry } from "../../registry";
import { adminClient } from "./support/kube";
import { pulumi, PROJECT_ROOT } from "./support/stack";

const e2e = inject("e2e");
const admin = adminClient(e2e.kubeconfigPath);
const [a, b] = loadRegistry(e2e.registryDir).entries.map((e) => e.tenant).filter((t) => t.lifecycle === "active");
const CROSS = "cross-tenant-reader";

// The project's program plus one hand-written RoleBinding in tenant a's namespace that gives
// tenant b's agents a's secret reader role: the wiring principle 2 says the pack must stop.
function variantProject(): string {
    const dir = path.join(e2e.workspace.dir, "variant");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: tenancy\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "tenancy-variant", private: true }));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ extends: path.join(PROJECT_ROOT, "tsconfig.json"), include: ["index.ts"] }));
    if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        `import * as k8s from "@pulumi/kubernetes";
export * from ${JSON.stringify(path.join(PROJECT_ROOT, "infra", "index"))};
new k8s.rbac.v1.RoleBinding("${CROSS}", {
    metadata: { name: "${CROSS}", namespace: "${namespaceOf(a)}" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "${SECRET_READER_ROLE}" },
    subjects: [{ kind: "ServiceAccount", name: "${AGENT_SERVICE_ACCOUNT}", namespace: "${namespaceOf(b)}" }],
});
`,
    );
    return dir;
}

const crossBinding = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: CROSS, namespace: namespaceOf(a) } };

describe("the policy pack through the real Pulumi CLI", () => {
    it("fails pulumi preview of a variant that binds one tenant's agents into another tenant's namespace", async () => {
        expect(b, "the registry needs two active tenants").toBeDefined();
        const run = await pulumi(e2e.workspace, ["preview", ...e2e.workspace.policy], { cwd: variantProject() });
        expect(run.code).not.toBe(0);
        expect(run.stdout).toContain("❌ tenancy-guard@v0.1.0");
        expect(run.stdout).toMatch(new RegExp(`\\[mandatory\\]\\s+restrict-role-binding-subjects\\s+\\(kubernetes:rbac.authorization.k8s.io/v1:RoleBinding: ${CROSS}\\)`));
        expect(run.stdout).toContain(`ServiceAccount "${namespaceOf(b)}/${AGENT_SERVICE_ACCOUNT}"`);
        expect(await admin.read(crossBinding)).toBeUndefined();
    });

    it("fails pulumi up of the same variant before it changes the cluster", async () => {
        const run = await pulumi(e2e.workspace, ["up", "--yes", ...e2e.workspace.policy], { cwd: variantProject() });
        expect(run.code).not.toBe(0);
        expect(run.stdout).toContain("restrict-role-binding-subjects");
        expect(await admin.read(crossBinding)).toBeUndefined();
        // The stack itself is as the project left it: nothing to change for the real program.
        const again = await pulumi(e2e.workspace, ["preview", "--expect-no-changes", ...e2e.workspace.policy]);
        expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    });
});
