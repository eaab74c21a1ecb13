/**
 * 10,000 tenant accounts on a REAL nats-server in operator mode: the program's files (operator.conf
 * and one account file per tenant) load, every sampled tenant connects and stays in its account, and
 * a new tenant's account is usable right after the reload that adds it. Start time, memory and the
 * time to a usable new account are measured and printed (bench/nats.ts keeps the figures).
 */
import * as fs from "node:fs";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIGMAP_MAX_BYTES, natsAccountConfKey, OPERATOR_CONF_KEY } from "../../contract";
import { tenantMaterial } from "../../components/nats-material";
import { tenantAccountSpec } from "../../components/nats-spec";
import { collect, sc, withCreds } from "./clients";
import { examplePlans, MASTER, serverFiles, type TestTenant } from "./fixture";
import { natsServerBinary, startNats, type RunningNats } from "./server";

const COUNT = 10_000;
const PLANS = ["free", "standard", "enterprise"];
const plans = examplePlans();

/** Tenant `i` of the fleet: cycling through the plans, with an opaque id and a DNS-label slug. */
function fleetTenant(i: number): TestTenant {
    const plan = PLANS[i % PLANS.length];
    const spec = tenantAccountSpec({ id: `org_s${i.toString(36).padStart(6, "0")}`, slug: `s${String(i).padStart(5, "0")}`, plan }, plans[plan]);
    return { spec, material: tenantMaterial(spec, MASTER, 1) };
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

let fleet: TestTenant[];
let files: Record<string, string>;
let server: RunningNats;
const open: NatsConnection[] = [];
const measured: Record<string, string> = {};

beforeAll(async () => {
    const t0 = performance.now();
    fleet = Array.from({ length: COUNT }, (_, i) => fleetTenant(i));
    files = serverFiles(fleet);
    measured.generation = `${((performance.now() - t0) / 1000).toFixed(1)} s for ${COUNT} accounts`;
    server = await startNats(natsServerBinary(), files, { readyTimeoutMs: 120_000 });
    measured.start = `${server.startMs} ms`;
    measured.rss = `${rssMiB(server.pid).toFixed(1)} MiB`;
}, 300_000);

afterAll(async () => {
    await Promise.all(open.map((nc) => (nc.isClosed() ? undefined : nc.close().catch(() => undefined))));
    await server?.stop();
    console.log(`10,000 accounts on nats-server: ${JSON.stringify(measured)}`);
});

async function login(t: TestTenant): Promise<NatsConnection> {
    const nc = await connect({ servers: server.url, reconnect: false, timeout: 10_000, inboxPrefix: t.spec.inboxPrefix, ...withCreds(t.material.creds) });
    open.push(nc);
    return nc;
}

describe(`${COUNT} tenant accounts on one nats-server`, () => {
    it("fit their objects: one small file per tenant and one shared operator.conf far under 1 MiB", () => {
        expect(Object.keys(files)).toHaveLength(COUNT + 1);
        const sizes = fleet.map((t) => Buffer.byteLength(files[natsAccountConfKey(t.spec.tenantId)]));
        expect(Math.max(...sizes)).toBeLessThan(4096);
        expect(Buffer.byteLength(files[OPERATOR_CONF_KEY])).toBeLessThan(CONFIGMAP_MAX_BYTES / 2);
        measured.accountFile = `${Math.max(...sizes)} B at most`;
        measured.operatorConf = `${(Buffer.byteLength(files[OPERATOR_CONF_KEY]) / 1024).toFixed(0)} KiB`;
    });

    it("load, and every sampled tenant connects and reaches only its own subjects", async () => {
        expect(server.log()).not.toMatch(/\[ERR\]|\[FTL\]/);
        const sample = [0, 1, 2, 1234, 4999, 7777, COUNT - 1].map((i) => fleet[i]);
        for (const t of sample) {
            const nc = await login(t);
            const own = collect(nc, `${t.spec.subjectPrefix}.>`);
            const neighbour = collect(nc, `org.${fleet[(fleet.indexOf(t) + 1) % COUNT].spec.slug}.>`);
            nc.publish(`${t.spec.subjectPrefix}.tasks.a1.inbox`, sc.encode("hello"));
            await nc.flush();
            expect(own).toEqual([`${t.spec.subjectPrefix}.tasks.a1.inbox|hello`]);
            expect(await neighbour.ended).toMatch(/^'Permissions Violation for Subscription to "org\.s\d{5}\.>"'$/);
        }
        measured.rssAfterSample = `${rssMiB(server.pid).toFixed(1)} MiB`;
    });

    it("make a new tenant's account usable right after the reload that adds it", async () => {
        const newcomer = fleetTenant(COUNT);
        const next = serverFiles([...fleet, newcomer]);
        expect(Object.keys(next).filter((f) => next[f] !== files[f]).sort()).toEqual([natsAccountConfKey(newcomer.spec.tenantId), OPERATOR_CONF_KEY].sort());
        const t0 = performance.now();
        const reloadMs = await server.reload(next, 120_000);
        const nc = await login(newcomer);
        await nc.flush();
        const usableMs = performance.now() - t0;
        expect(nc.isClosed()).toBe(false);
        measured.reload = `${reloadMs} ms`;
        measured.newAccountUsable = `${usableMs.toFixed(0)} ms`;
        expect(usableMs).toBeLessThan(60_000);
    }, 180_000);
});
