import * as fs from "node:fs";
import * as path from "node:path";
import { connect, nkeyAuthenticator, StringCodec } from "nats";
import { fromSeed } from "nkeys.js";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePlanKey, planKeyPath } from "../../../cli/engine";
import { emulatedMasterKey } from "../../../cli/plan/master-key";
import { deriveUserNkey } from "../../../components/nats-keys";
import { ensureNatsServer, startNats } from "../../nats/server";
import { EXAMPLE_REGISTRY } from "../../support/registry-fixture";
import { type CliRun, isolatePlanKey, readTree, removeTempDirs, runCli, tempDir } from "./support";

// The NATS side of the real program through plan: nats/ holds the authorization as the server
// loads it, derived nkey seeds stay redacted unless --reveal-secrets, and revealed seeds match
// the public keys. The repository's Pulumi.dev.yaml sets no tenancy:natsMasterKey, so plan
// emulates it from the plan key and says so.
isolatePlanKey();
afterAll(removeTempDirs);
const redacted = tempDir("nats-out");
const revealed = tempDir("nats-revealed");
const SEED = /SU[A-Z2-7]{56}/;
let plain: CliRun;
let clear: CliRun;

beforeAll(async () => {
    plain = await runCli(["plan", "--tenants", EXAMPLE_REGISTRY, "--out", redacted, "--quiet"]);
    clear = await runCli(["plan", "--tenants", EXAMPLE_REGISTRY, "--out", revealed, "--reveal-secrets", "--quiet"]);
}, 240_000);

describe("tenancy plan and NATS", () => {
    it("summarizes each tenant's NATS account from the planned permission document", () => {
        expect(plain.code).toBe(0);
        expect(plain.stdout).toContain(
            "  nats:     account org_7f3k2m9q\n" +
                "            publish org.acme.>, _INBOX.acme.>, platform.status\n" +
                "            subscribe org.acme.>, _INBOX.acme.>, platform.broadcast.>\n" +
                "            import stream platform.broadcast.> from PLATFORM as platform.broadcast.>\n" +
                "            import service platform.status.acme from PLATFORM as platform.status\n",
        );
    });

    it("writes the authorization exactly as the ConfigMaps carry it", () => {
        const tree = readTree(redacted);
        expect(Object.keys(tree).filter((f) => f.startsWith("nats/"))).toEqual(["nats/auth.json", "nats/permissions.json"]);
        const configMaps = Object.entries(tree).filter(([f]) => f.startsWith("manifests/nats/ConfigMap-")).map(([, text]) => parse(text).data);
        expect(configMaps.map((d) => Object.keys(d))).toEqual([["auth.json"], ["permissions.json"]]);
        expect(tree["nats/auth.json"]).toBe(configMaps[0]["auth.json"]);
        expect(tree["nats/permissions.json"]).toBe(configMaps[1]["permissions.json"]);
        expect(Object.keys(JSON.parse(tree["nats/auth.json"]).accounts).sort()).toEqual(["PLATFORM", "org_7f3k2m9q", "org_k4x8p2wn", "org_q9d5t1ze"]);
    });

    it("never writes a generated seed without --reveal-secrets", () => {
        for (const [file, text] of Object.entries(readTree(redacted))) expect(SEED.test(text), file).toBe(false);
        expect(SEED.test(plain.stdout + plain.stderr)).toBe(false);
        expect(parse(fs.readFileSync(path.join(redacted, "manifests/org-acme/Secret-nats-credentials.yaml"), "utf8")).stringData.NATS_NKEY_SEED).toBe("[secret]");
    });

    it("derives every key from the master key it emulates with the plan key, and says so", () => {
        const master = emulatedMasterKey(ensurePlanKey(planKeyPath()));
        const auth = JSON.parse(fs.readFileSync(path.join(redacted, "nats/auth.json"), "utf8"));
        expect(auth.accounts.org_7f3k2m9q.users[0].nkey).toBe(deriveUserNkey(master, "org_7f3k2m9q", 1).publicKey);
        expect(auth.accounts.PLATFORM.users[0].nkey).toBe(deriveUserNkey(master, "PLATFORM", 1).publicKey);
        expect(plain.stdout).toContain(
            "  - tenancy:natsMasterKey is not set in Pulumi.dev.yaml: plan emulates it with a key derived from the per-machine plan key",
        );
        expect(plain.stdout).toContain("`pulumi preview` and `pulumi up` stop until it is set: openssl rand -hex 32 | pulumi config set --secret tenancy:natsMasterKey\n");
        expect(plain.stdout + plain.stderr).not.toContain(master);
    });

    it("writes seeds with --reveal-secrets that match the public keys in auth.json, stable across runs", () => {
        expect(clear.code).toBe(0);
        expect(clear.stderr).toContain("WARNING: --reveal-secrets writes secret values and generated credentials in clear");
        const secret = parse(fs.readFileSync(path.join(revealed, "manifests/org-acme/Secret-nats-credentials.yaml"), "utf8"));
        const seed: string = secret.stringData.NATS_NKEY_SEED;
        expect(seed).toMatch(SEED);
        const auth = JSON.parse(fs.readFileSync(path.join(revealed, "nats/auth.json"), "utf8"));
        const publicKey = fromSeed(new TextEncoder().encode(seed)).getPublicKey();
        expect(auth.accounts.org_7f3k2m9q.users.map((u: { nkey: string }) => u.nkey)).toEqual([publicKey]);
        // Same machine key, same emulated master key: the revealed run planned the very same credentials.
        expect(fs.readFileSync(path.join(redacted, "nats/auth.json"), "utf8")).toBe(fs.readFileSync(path.join(revealed, "nats/auth.json"), "utf8"));
    });

    it("gives credentials a real nats-server accepts, within the tenant's subjects only", async () => {
        const seedOf = (ns: string) => parse(fs.readFileSync(path.join(revealed, `manifests/${ns}/Secret-nats-credentials.yaml`), "utf8")).stringData;
        const server = await startNats(ensureNatsServer(), fs.readFileSync(path.join(revealed, "nats/auth.json"), "utf8"));
        const sc = StringCodec();
        try {
            const creds = seedOf("org-acme");
            const nc = await connect({
                servers: server.url, reconnect: false, timeout: 5_000, inboxPrefix: creds.NATS_INBOX_PREFIX,
                authenticator: nkeyAuthenticator(new TextEncoder().encode(creds.NATS_NKEY_SEED)),
            });
            try {
                const own: string[] = [];
                nc.subscribe(`${creds.NATS_SUBJECT_PREFIX}.>`, { callback: (err, m) => (err ? own.push(`error ${err.message}`) : own.push(`${m.subject}|${sc.decode(m.data)}`)) });
                const foreign = new Promise<string>((resolve) => {
                    nc.subscribe("org.globex.>", { callback: (err) => resolve(err ? err.message : "delivered") });
                });
                nc.publish(`${creds.NATS_SUBJECT_PREFIX}.tasks.a1.inbox`, sc.encode("hello"));
                await nc.flush();
                expect(await foreign).toBe(`'Permissions Violation for Subscription to "org.globex.>"'`);
                expect(own).toEqual(["org.acme.tasks.a1.inbox|hello"]);
            } finally {
                await nc.close();
            }
        } finally {
            await server.stop();
        }
    }, 60_000);
});
