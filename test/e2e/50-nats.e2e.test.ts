// NATS end to end from what the cluster holds: the server configuration from the real ConfigMaps,
// each tenant's credentials from its real Secret, a real nats-server, and two tenants that cannot
// see or reach each other's subjects.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { NatsConnection } from "nats";
import { COMPONENT_LABEL, CREDENTIAL_CREDS_KEY, namespaceOf, NATS_ACCOUNT_COMPONENT, NATS_CREDENTIALS_SECRET, NATS_NAMESPACE, NATS_OPERATOR_CONFIGMAP, tenantSubjects } from "../../contract";
import { loadRegistry } from "../../registry";
import { client, collect, withCreds, sc } from "../nats/clients";
import { natsServerBinary, startNats, type NatsFiles, type RunningNats } from "../nats/server";
import "./support/context";
import { adminClient } from "./support/kube";

const e2e = inject("e2e");
const admin = adminClient(e2e.kubeconfigPath);
const active = loadRegistry(e2e.registryDir).entries.map((e) => e.tenant).filter((t) => t.lifecycle === "active");
const open: NatsConnection[] = [];
let server: RunningNats;

// Every key of the operator ConfigMap and of each tenant's account ConfigMap becomes the file the server reads.
async function filesFromCluster(): Promise<NatsFiles> {
    const files: NatsFiles = {};
    const operator = await admin.read({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: NATS_OPERATOR_CONFIGMAP, namespace: NATS_NAMESPACE } });
    const accounts = await admin.list("v1", "ConfigMap", NATS_NAMESPACE, `${COMPONENT_LABEL}=${NATS_ACCOUNT_COMPONENT}`);
    for (const cm of [operator, ...accounts]) Object.assign(files, cm?.data ?? {});
    return files;
}

async function credsOf(slug: string): Promise<string> {
    const secret = await admin.read({ apiVersion: "v1", kind: "Secret", metadata: { name: NATS_CREDENTIALS_SECRET, namespace: namespaceOf({ slug }) } });
    return Buffer.from(secret!.data[CREDENTIAL_CREDS_KEY], "base64").toString("utf8");
}

beforeAll(async () => {
    server = await startNats(natsServerBinary(), await filesFromCluster());
});

afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
    await server?.stop();
});

describe("NATS from the deployed ConfigMaps and Secrets, on a real nats-server", () => {
    it("loads one account file per tenant next to the operator configuration", async () => {
        const files = await filesFromCluster();
        expect(Object.keys(files).filter((f) => f.startsWith("org_")).length).toBe(loadRegistry(e2e.registryDir).entries.length);
    });

    it("keeps two tenants apart: neither sees the other's subjects, even subscribed to everything", async () => {
        const [a, b] = active;
        expect(b, "the registry needs two active tenants").toBeDefined();
        const ca = await client(server, open, { ...withCreds(await credsOf(a.slug)), inboxPrefix: tenantSubjects(a.slug).inboxPrefix });
        const cb = await client(server, open, { ...withCreds(await credsOf(b.slug)), inboxPrefix: tenantSubjects(b.slug).inboxPrefix });
        const ownA = collect(ca.nc, tenantSubjects(a.slug).all);
        const everythingB = collect(cb.nc, ">");
        await Promise.all([ca.nc.flush(), cb.nc.flush()]);
        ca.nc.publish(`${tenantSubjects(a.slug).prefix}.tasks.agent-1.inbox`, sc.encode("for a only"));
        cb.nc.publish(`${tenantSubjects(a.slug).prefix}.tasks.agent-1.inbox`, sc.encode("b trying a"));
        await Promise.all([ca.nc.flush(), cb.nc.flush()]);
        await new Promise((r) => setTimeout(r, 200));
        await Promise.all([ca.nc.flush(), cb.nc.flush()]);
        expect([...ownA]).toEqual([`${tenantSubjects(a.slug).prefix}.tasks.agent-1.inbox|for a only`]);
        expect(everythingB.filter((m: string) => m.includes(tenantSubjects(a.slug).prefix))).toEqual([]);
    });
});
