// A tenant's lifecycle as the README and CONTRIBUTING describe it, applied for real: deleting a
// live tenant is refused, suspend stops new pods and keeps data and credentials, and off-boarding
// takes two explicit steps. Runs last: it changes the deployed stack.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { LIFECYCLE_ANNOTATION, namespaceOf, NATS_CREDENTIALS_SECRET, RESOURCE_QUOTA_NAME } from "../../contract";
import { ONBOARDED } from "./support/context";
import { adminClient } from "./support/kube";
import { pulumi, stackExport } from "./support/stack";

const e2e = inject("e2e");
const admin = adminClient(e2e.kubeconfigPath);
const file = path.join(e2e.registryDir, `${ONBOARDED}.yaml`);
const original = fs.readFileSync(file, "utf8");
const namespace = namespaceOf({ slug: ONBOARDED });
const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } };

const up = () => pulumi(e2e.workspace, ["up", "--yes", ...e2e.workspace.policy]);
const text = (run: { stdout: string; stderr: string }) => `${run.stdout}\n${run.stderr}`;
const setLifecycle = (state: string) => fs.writeFileSync(file, original.replace(/^lifecycle: \w+$/m, `lifecycle: ${state}`));

const stackResources = async () => (await stackExport(e2e.workspace)).deployment.resources;

describe("tenant lifecycle against the real API server", () => {
    it("refuses to delete an active tenant (its namespace is protected) and leaves it intact", async () => {
        expect(original).toMatch(/^lifecycle: active$/m);
        fs.rmSync(file);
        try {
            const run = await up();
            expect(run.code).not.toBe(0);
            expect(text(run)).toMatch(/protect/);
        } finally {
            fs.writeFileSync(file, original);
        }
        expect((await admin.read(ns))?.status.phase).toBe("Active");
        const again = await pulumi(e2e.workspace, ["preview", "--expect-no-changes", ...e2e.workspace.policy]);
        expect(again.code, text(again)).toBe(0);
    });

    it("suspends: zero pods allowed, the lifecycle annotation set, secrets and NATS credential kept", async () => {
        const secretBefore = await admin.read({ apiVersion: "v1", kind: "Secret", metadata: { name: NATS_CREDENTIALS_SECRET, namespace } });
        setLifecycle("suspended");
        const run = await up();
        expect(run.code, text(run)).toBe(0);
        const quota = await admin.read({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: RESOURCE_QUOTA_NAME, namespace } });
        expect(quota?.spec.hard.pods).toBe("0");
        expect((await admin.read(ns))?.metadata.annotations[LIFECYCLE_ANNOTATION]).toBe("suspended");
        const secretAfter = await admin.read({ apiVersion: "v1", kind: "Secret", metadata: { name: NATS_CREDENTIALS_SECRET, namespace } });
        expect(secretAfter?.data).toEqual(secretBefore?.data);
    });

    it("off-boards in two steps: decommissioned lifts protection and keeps everything, then removing the file deletes the namespace", async () => {
        setLifecycle("decommissioned");
        const first = await up();
        expect(first.code, text(first)).toBe(0);
        const namespaceResource = (await stackResources()).find((r) => r.type === "kubernetes:core/v1:Namespace" && r.urn.endsWith(`::${ONBOARDED}-namespace`));
        expect(namespaceResource?.protect ?? false).toBe(false);
        expect((await admin.read(ns))?.status.phase).toBe("Active");
        expect(await admin.read({ apiVersion: "v1", kind: "Secret", metadata: { name: NATS_CREDENTIALS_SECRET, namespace } })).toBeDefined();

        fs.rmSync(file);
        const second = await up();
        expect(second.code, text(second)).toBe(0);
        const gone = await admin.read(ns);
        expect(gone === undefined || gone.status.phase === "Terminating").toBe(true);
        expect((await stackResources()).filter((r) => r.urn.includes(`::${ONBOARDED}`))).toEqual([]);
    });
});
