/**
 * Changing the accounts of a running REAL nats-server in operator mode the way the program does:
 * the files change (a new account file and an include line, a removed one, a rotated tenant's
 * account JWT) and the server reloads. Existing connections of other tenants stay, a new tenant's
 * account is usable right after the reload, a removed one is closed, a rotated tenant's old
 * credential stops working, and a broken file leaves the last good configuration running.
 */
import type { NatsConnection } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { natsAccountConfKey, OPERATOR_CONF_KEY, PLATFORM_BROADCAST_SUBJECT } from "../../contract";
import { attempt, barrier, client, closeAll, collect, drops, sc, untilConnections, withCreds } from "./clients";
import { examplePlans, platform, serverFiles, testTenant, type TestTenant } from "./fixture";
import { natsServerBinary, startNats, type RunningNats } from "./server";

const plans = examplePlans();
const TENANTS = [testTenant("acme", "standard", plans), testTenant("globex", "enterprise", plans), testTenant("initech", "free", plans)];
const hooli = testTenant("hooli", "free", plans);
const PLATFORM = platform();

let server: RunningNats;
const open: NatsConnection[] = [];
const tenantClient = (t: TestTenant) => client(server, open, { ...withCreds(t.material.creds), inboxPrefix: t.spec.inboxPrefix });
const serverCids = async () => ((await server.monitor("/connz?limit=1000")).connections as Array<{ cid: number }>).map((c) => c.cid).sort((a, b) => a - b);

beforeAll(async () => {
    server = await startNats(natsServerBinary(), serverFiles(TENANTS));
}, 120_000);

afterEach(async () => {
    await closeAll(open);
    await server.reload(serverFiles(TENANTS));
});

afterAll(async () => {
    await closeAll(open);
    await server?.stop();
});

describe("reloading nats-server in operator mode", () => {
    it("keeps existing connections, makes an added tenant's account usable right away, and closes a removed one", async () => {
        const before = await Promise.all(TENANTS.map((t) => tenantClient(t)));
        const ids = before.map((c) => c.nc.info!.client_id).sort((a, b) => a - b);
        expect(await attempt(server, withCreds(hooli.material.creds))).toBe(`refused: authentication error - Nkey "${hooli.material.userPublicKey}"`);

        const added = serverFiles([...TENANTS, hooli]);
        // Adding a tenant adds its account file and one include line; no other file changes.
        const current = serverFiles(TENANTS);
        expect(Object.keys(added).filter((f) => added[f] !== current[f]).sort()).toEqual([natsAccountConfKey(hooli.spec.tenantId), OPERATOR_CONF_KEY].sort());
        expect(added[OPERATOR_CONF_KEY].replace(`  include "${natsAccountConfKey(hooli.spec.tenantId)}"\n`, "")).toBe(current[OPERATOR_CONF_KEY]);
        await server.reload(added);
        // The same server-side connections (same client ids), never dropped.
        expect((await serverCids()).filter((cid) => ids.includes(cid))).toEqual(ids);
        const newcomer = await tenantClient(hooli);
        const platformUser = await client(server, open, withCreds(PLATFORM.creds));
        const seen = [...before, newcomer].map((c) => collect(c.nc, PLATFORM_BROADCAST_SUBJECT));
        await barrier([...before, newcomer], [...before, newcomer]);
        platformUser.nc.publish("platform.broadcast.hello", sc.encode("after reload"));
        await barrier([platformUser], [...before, newcomer]);
        for (const s of seen) expect(s).toEqual(["platform.broadcast.hello|after reload"]);
        for (const c of before) expect([c.nc.isClosed(), drops(c)]).toEqual([false, []]);

        // Remove hooli again: the server deletes its account on reload and closes its connection.
        const closed = newcomer.nc.closed().then(() => "closed");
        await server.reload(serverFiles(TENANTS));
        expect(await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r("still open"), 5_000))])).toBe("closed");
        await untilConnections(server, hooli.material.accountPublicKey, 0);
        for (const c of before) {
            await c.nc.flush();
            expect([c.nc.isClosed(), drops(c)]).toEqual([false, []]);
        }
        expect(await attempt(server, withCreds(hooli.material.creds))).toBe(`refused: authentication error - Nkey "${hooli.material.userPublicKey}"`);
        expect(server.log()).toContain(`Reloaded: deleting account [removed]: "${hooli.material.accountPublicKey}"`);
    });

    it("rotates a tenant: the new generation's credential works, the old one is closed and refused, the account stays", async () => {
        const [acme, ...others] = TENANTS;
        const old = await tenantClient(acme);
        const neighbour = await tenantClient(others[0]);
        const rotated = testTenant("acme", "standard", plans, { generation: 2 });
        expect(rotated.material.accountPublicKey).toBe(acme.material.accountPublicKey);
        expect(rotated.material.userPublicKey).not.toBe(acme.material.userPublicKey);
        const closed = old.nc.closed().then(() => "closed");
        await server.reload(serverFiles([rotated, ...others]));
        expect(await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r("still open"), 5_000))])).toBe("closed");
        expect(await attempt(server, withCreds(acme.material.creds))).toBe(`refused: authentication error - Nkey "${acme.material.userPublicKey}"`);
        expect(await attempt(server, withCreds(rotated.material.creds))).toBe("connected");
        await neighbour.nc.flush();
        expect([neighbour.nc.isClosed(), drops(neighbour)]).toEqual([false, []]);
    });

    it("keeps the previous accounts and connections when a reload is rejected", async () => {
        const [acme, globex] = TENANTS;
        const c = await tenantClient(acme);
        const broken = { ...serverFiles(TENANTS), [natsAccountConfKey(acme.spec.tenantId)]: `"${acme.material.accountPublicKey}": "not-a-jwt"\n` };
        await expect(server.reload(broken)).rejects.toThrow(/nats-server rejected the reload/);
        await c.nc.flush();
        expect([c.nc.isClosed(), drops(c)]).toEqual([false, []]);
        expect(await attempt(server, withCreds(globex.material.creds))).toBe("connected");
        expect(await attempt(server, withCreds(hooli.material.creds))).toBe(`refused: authentication error - Nkey "${hooli.material.userPublicKey}"`);
    });
});
