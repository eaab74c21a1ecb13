import * as fs from "node:fs";
import * as path from "node:path";
import { connect, credsAuthenticator, StringCodec } from "nats";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePlanKey, planKeyPath } from "../../../cli/engine";
import { emulatedMasterKey } from "../../../cli/plan/master-key";
import { tenantMaterial } from "../../../components/nats-material";
import { tenantAccountSpec } from "../../../components/nats-spec";
import { parseNatsMasterKey } from "../../../components/nats-keys";
import { loadRegistry } from "../../../registry";
import { natsServerBinary, startNats } from "../../nats/server";
import { EXAMPLE_REGISTRY } from "../../support/registry-fixture";
import { type CliRun, isolatePlanKey, readTree, removeTempDirs, runCli, tempDir } from "./support";

// The NATS side of the real program through plan: nats/ holds the operator-mode files exactly as
// nats-server loads them, creds and seeds stay redacted unless --reveal-secrets, and revealed creds
// connect to a real server that loads nats/ as it is. The repository's Pulumi.dev.yaml sets no
// tenancy:natsMasterKey, so plan emulates it from the plan key and says so.
isolatePlanKey();
afterAll(removeTempDirs);
const redacted = tempDir("nats-out");
const revealed = tempDir("nats-revealed");
const SECRET = /S[OAU][A-Z2-7]{56}|BEGIN NATS USER JWT/;
const FILES = ["nats/operator.conf", "nats/org_7f3k2m9q.conf", "nats/org_k4x8p2wn.conf", "nats/org_q9d5t1ze.conf"];
let plain: CliRun;
let clear: CliRun;

beforeAll(async () => {
    plain = await runCli(["plan", "--tenants", EXAMPLE_REGISTRY, "--out", redacted, "--quiet"]);
    clear = await runCli(["plan", "--tenants", EXAMPLE_REGISTRY, "--out", revealed, "--reveal-secrets", "--quiet"]);
}, 240_000);

describe("tenancy plan and NATS operator mode", () => {
    it("summarizes each tenant's NATS account from the account JWT the server loads", () => {
        expect(plain.code).toBe(0);
        expect(plain.stdout).toContain(
            "  nats:     account org_7f3k2m9q\n" +
                "            publish org.acme.>, _INBOX.acme.>, platform.status\n" +
                "            subscribe org.acme.>, _INBOX.acme.>, platform.broadcast.>\n" +
                "            import stream platform.broadcast.> from PLATFORM as platform.broadcast.>\n" +
                "            import service platform.status.acme from PLATFORM as platform.status\n",
        );
        expect(plain.stdout).toContain("  nats:     account org_q9d5t1ze (suspended: the account admits no connection; its user and credential stay)\n");
        // Each tenant's account ConfigMap counts as the tenant's; operator.conf is shared.
        expect(plain.stdout).toMatch(/acme \(org_7f3k2m9q\)[^\n]*\n  objects:  ConfigMap 1, LimitRange 1/);
        expect(plain.stdout).toContain("shared (owned by no tenant): 9 resources; objects: ConfigMap 1, PriorityClass 3, Secret 1\n");
    });

    it("writes the files nats-server loads exactly as the ConfigMaps carry them", () => {
        const tree = readTree(redacted);
        expect(Object.keys(tree).filter((f) => f.startsWith("nats/"))).toEqual(FILES);
        const configMaps = Object.entries(tree).filter(([f]) => f.startsWith("manifests/nats/ConfigMap-")).map(([, text]) => parse(text).data);
        expect(configMaps.flatMap((d) => Object.keys(d)).sort()).toEqual(FILES.map((f) => f.slice(5)).sort());
        for (const data of configMaps) for (const [key, text] of Object.entries(data)) expect(tree[`nats/${key}`]).toBe(text);
        expect(tree["nats/operator.conf"]).toContain('  include "org_7f3k2m9q.conf"\n  include "org_k4x8p2wn.conf"\n  include "org_q9d5t1ze.conf"\n}\n');
    });

    it("derives every key from the master key it emulates with the plan key, and says so", () => {
        const master = parseNatsMasterKey(emulatedMasterKey(ensurePlanKey(planKeyPath())));
        const plans = loadRegistry(EXAMPLE_REGISTRY).plans.plans;
        const acme = tenantMaterial(tenantAccountSpec({ id: "org_7f3k2m9q", slug: "acme", plan: "standard" }, plans.standard), master, 1);
        expect(fs.readFileSync(path.join(redacted, "nats/org_7f3k2m9q.conf"), "utf8")).toContain(`"${acme.accountPublicKey}": "${acme.accountJwt}"`);
        expect(plain.stdout).toContain("  - tenancy:natsMasterKey is not set in Pulumi.dev.yaml: plan emulates it with a key derived from the per-machine plan key");
        expect(plain.stdout + plain.stderr).not.toContain(master.toString("hex"));
    });

    it("never writes a creds file or seed without --reveal-secrets", () => {
        for (const [file, text] of Object.entries(readTree(redacted))) expect(SECRET.test(text), file).toBe(false);
        expect(SECRET.test(plain.stdout + plain.stderr)).toBe(false);
        const data = parse(fs.readFileSync(path.join(redacted, "manifests/org-acme/Secret-nats-credentials.yaml"), "utf8")).stringData;
        expect([data.NATS_CREDS, data.NATS_NKEY_SEED]).toEqual(["[secret]", "[secret]"]);
    });

    it("writes the same files with --reveal-secrets, and creds a real nats-server loading nats/ accepts, within the tenant's subjects only", async () => {
        expect(clear.code).toBe(0);
        expect(clear.stderr).toContain("WARNING: --reveal-secrets writes secret values and generated credentials in clear");
        for (const f of FILES) expect(fs.readFileSync(path.join(revealed, f), "utf8")).toBe(fs.readFileSync(path.join(redacted, f), "utf8"));
        const creds = parse(fs.readFileSync(path.join(revealed, "manifests/org-acme/Secret-nats-credentials.yaml"), "utf8")).stringData;
        expect(creds.NATS_CREDS).toContain("-----BEGIN NATS USER JWT-----");
        const files = Object.fromEntries(FILES.map((f) => [f.slice(5), fs.readFileSync(path.join(revealed, f), "utf8")]));
        const server = await startNats(natsServerBinary(), files);
        const sc = StringCodec();
        try {
            const nc = await connect({ servers: server.url, reconnect: false, timeout: 5_000, inboxPrefix: creds.NATS_INBOX_PREFIX, authenticator: credsAuthenticator(new TextEncoder().encode(creds.NATS_CREDS)) });
            try {
                const own: string[] = [];
                nc.subscribe(`${creds.NATS_SUBJECT_PREFIX}.>`, { callback: (err, m) => own.push(err ? `error ${err.message}` : `${m.subject}|${sc.decode(m.data)}`) });
                const foreign = new Promise<string>((resolve) => nc.subscribe("org.globex.>", { callback: (err) => resolve(err ? err.message : "delivered") }));
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
