import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";
import { MASTER } from "./fixture";
import { inspect, installNatsMocks, isSecretWire, runStack, unwrap, type Registration } from "./mocks";

// Mocks first, then the components (a static import would run them in the SDK's silent test mode).
const registrations: Registration[] = installNatsMocks();

type Components = typeof import("../../components/nats-account") &
    typeof import("../../components/nats-authorization") &
    typeof import("../../components/nats-spec") &
    typeof import("../../components/nats-material");
let c: Components;
let registry: ReturnType<typeof import("../../registry").loadRegistry>;
const NATS = { namespace: "nats", url: "nats://nats.nats.svc.cluster.local:4222" };
const KEYS = { masterKey: pulumi.secret(TEST_NATS_MASTER_KEY) };
const byName = (rs: Registration[], name: string) => rs.find((r) => r.name === name)!;

/** Declares one NatsAccount per example tenant (acme at `acmeGeneration`) and the NatsAuthorization over them. */
function declare(acmeGeneration = 1) {
    const accounts = registry.entries.map(({ tenant, plan }) =>
        new c.NatsAccount(`${tenant.slug}-nats`, { tenant, plan, nats: NATS, keys: { ...KEYS, generation: tenant.slug === "acme" ? acmeGeneration : 1 } }),
    );
    const authorization = new c.NatsAuthorization("nats", { nats: NATS, tenants: [...accounts].reverse(), keys: KEYS });
    return { accounts, authorization };
}

async function run(acmeGeneration = 1) {
    let declared!: ReturnType<typeof declare>;
    const start = registrations.length;
    const raw = await runStack(() => {
        declared = declare(acmeGeneration);
    });
    return { declared, raw, registered: registrations.slice(start) };
}

let first: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
    c = {
        ...(await import("../../components/nats-account")),
        ...(await import("../../components/nats-authorization")),
        ...(await import("../../components/nats-spec")),
        ...(await import("../../components/nats-material")),
    };
    registry = (await import("../../registry")).loadRegistry(EXAMPLE_REGISTRY);
    first = await run();
});

describe("NatsAccount under Pulumi mocks", () => {
    it("declares only the nats-credentials Secret in the tenant namespace: every key derives from the master key", () => {
        const names = first.registered.filter((r) => r.name.startsWith("acme-nats")).map((r) => `${r.type} ${r.name}`);
        expect(names.sort()).toEqual(["kubernetes:core/v1:Secret acme-nats-credentials", "tenancy:nats:NatsAccount acme-nats"]);
        expect(first.registered.filter((r) => r.type.startsWith("random:"))).toEqual([]);
        expect(byName(first.registered, "acme-nats-credentials").inputs.metadata).toEqual({
            name: "nats-credentials",
            namespace: "org-acme",
            labels: { "tenancy.io/tenant-id": "org_7f3k2m9q", tier: "standard", "app.kubernetes.io/managed-by": "tenancy" },
        });
    });

    it("puts the user's .creds, seed, URL, account, subject and inbox prefixes in the Secret, as derived for the org id at generation 1", async () => {
        const expected = c.tenantMaterial(first.declared.accounts[0].spec, MASTER, 1);
        expect(unwrap(byName(first.registered, "acme-nats-credentials").inputs.stringData)).toEqual({
            NATS_ACCOUNT: "org_7f3k2m9q",
            NATS_CREDS: expected.creds,
            NATS_INBOX_PREFIX: "_INBOX.acme",
            NATS_NKEY_SEED: expected.userSeed,
            NATS_STATUS_SUBJECT: "platform.status",
            NATS_SUBJECT_PREFIX: "org.acme",
            NATS_URL: NATS.url,
        });
        const acme = first.declared.accounts[0];
        expect([acme.accountName, acme.keyGeneration]).toEqual(["org_7f3k2m9q", 1]);
        expect(await inspect(acme.accountPublicKey)).toEqual({ value: expected.accountPublicKey, known: true, secret: false });
        expect(await inspect(acme.accountJwt)).toEqual({ value: expected.accountJwt, known: true, secret: false });
        expect(await inspect(acme.userPublicKey)).toEqual({ value: expected.userPublicKey, known: true, secret: false });
    });

    it("keeps the creds and seed secret end to end and out of every plain input", async () => {
        const raw = first.raw.get("acme-nats-credentials")!;
        for (const key of ["NATS_CREDS", "NATS_NKEY_SEED"]) expect((await inspect(raw.stringData[key])).secret).toBe(true);
        const wire = byName(first.registered, "acme-nats-credentials").inputs.stringData;
        expect(isSecretWire(wire)).toBe(true);
        const everythingPlain = JSON.stringify(first.registered.filter((r) => r.type !== "kubernetes:core/v1:Secret"));
        expect(everythingPlain).not.toMatch(/S[OAU][A-Z2-7]{56}/);
        expect(everythingPlain).not.toContain(TEST_NATS_MASTER_KEY);
    });

    it("refuses invalid arguments with one clear message instead of a stack trace", () => {
        const { tenant, plan } = registry.entries[0];
        const attempt = (args: any) => {
            try {
                new c.NatsAccount("bad", args);
                return "accepted";
            } catch (error) {
                return `${(error as Error).constructor.name}: ${(error as Error).message}`;
            }
        };
        expect(attempt({ tenant: { ...tenant, slug: "Bad.Slug" }, plan, nats: { url: "http://x" }, keys: KEYS })).toBe(
            "RunError: invalid NatsAccount arguments:\n  tenant.slug: must be a DNS label: lowercase letters, digits and '-', starting and ending alphanumeric\n  nats.url: \"http://x\" must use nats://, tls://, ws:// or wss://",
        );
        expect(attempt({ tenant, plan, nats: { url: NATS.url }, keys: { generation: 0 } })).toBe(
            "RunError: invalid NatsAccount arguments:\n  keys.masterKey is required (the stack's tenancy:natsMasterKey)\n  keys.generation: must be a whole number ≥ 1, got 0",
        );
        expect(attempt({ tenant, plan, nats: { url: "nats://user:pw@nats:4222" }, keys: KEYS })).toBe(
            'RunError: invalid NatsAccount arguments:\n  nats.url: "nats://user:pw@nats:4222" must not embed credentials; the credentials in the Secret authenticate',
        );
    });
});

describe("NatsAuthorization under Pulumi mocks", () => {
    it("declares operator.conf, one account ConfigMap per tenant and the platform's credential in the NATS namespace", () => {
        const kinds = first.registered.filter((r) => r.name.startsWith("nats")).map((r) => `${r.type.split(":")[2]} ${r.name} ${r.inputs.metadata?.name ?? ""}`);
        expect(kinds.sort()).toEqual([
            "ConfigMap nats-account-org_7f3k2m9q nats-account-org-7f3k2m9q",
            "ConfigMap nats-account-org_k4x8p2wn nats-account-org-k4x8p2wn",
            "ConfigMap nats-account-org_q9d5t1ze nats-account-org-q9d5t1ze",
            "ConfigMap nats-operator nats-operator",
            "NatsAuthorization nats ",
            "Secret nats-platform-credentials nats-platform-credentials",
        ]);
        const account = byName(first.registered, "nats-account-org_7f3k2m9q");
        expect(account.inputs.metadata).toEqual({
            name: "nats-account-org-7f3k2m9q",
            namespace: "nats",
            labels: { "app.kubernetes.io/managed-by": "tenancy", "app.kubernetes.io/component": "nats-account" },
            annotations: { "tenancy.io/org-id": "org_7f3k2m9q" },
        });
        const m = c.tenantMaterial(first.declared.accounts[0].spec, MASTER, 1);
        expect(account.inputs.data).toEqual({ "org_7f3k2m9q.conf": c.renderAccountConf(m.accountPublicKey, m.accountJwt) });
        const platform = c.platformMaterial(c.platformAccountSpec(), MASTER, 1);
        const secret = byName(first.registered, "nats-platform-credentials");
        expect(unwrap(secret.inputs.stringData)).toEqual({ NATS_ACCOUNT: "PLATFORM", NATS_CREDS: platform.creds, NATS_NKEY_SEED: platform.userSeed, NATS_URL: NATS.url });
        const holders = first.registered.filter((r) => JSON.stringify(r.inputs).includes(platform.userSeed)).map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`);
        expect(holders).toEqual(["nats/nats-platform-credentials"]);
    });

    it("renders operator.conf plain and known, including every tenant's file in org id order", async () => {
        const op = c.operatorMaterial(MASTER);
        const platform = c.platformMaterial(c.platformAccountSpec(), MASTER, 1);
        const expected = c.renderOperatorConf({
            operatorJwt: op.operatorJwt, system: op.system, platform: { publicKey: platform.accountPublicKey, jwt: platform.accountJwt },
            tenantIds: ["org_7f3k2m9q", "org_k4x8p2wn", "org_q9d5t1ze"],
        });
        expect(byName(first.registered, "nats-operator").inputs.data).toEqual({ "operator.conf": expected });
        expect(await inspect(first.declared.authorization.operatorConf)).toEqual({ value: expected, known: true, secret: false });
        expect(first.declared.authorization.structure).toEqual(c.permissionStructure(first.declared.accounts.map((a) => a.spec)));
    });

    it("produces the same bytes on a second run, and a rotated tenant changes its Secret and its account file only", async () => {
        const canonical = (rs: Registration[]) => rs.map((r) => JSON.stringify(r)).sort();
        const again = await run();
        // The stack, 3 × (NatsAccount, Secret), NatsAuthorization, operator.conf, 3 account ConfigMaps and the platform's Secret.
        expect(again.registered.length).toBe(13);
        expect(canonical(again.registered)).toEqual(canonical(first.registered));
        const rotated = await run(2);
        const changed = rotated.registered.filter((r) => JSON.stringify(r) !== JSON.stringify(byName(first.registered, r.name))).map((r) => r.name);
        expect(changed.sort()).toEqual(["acme-nats-credentials", "nats-account-org_7f3k2m9q"]);
    });

    it("refuses a tenant set with duplicate accounts and a bad namespace with clear messages", () => {
        const [acme] = first.declared.accounts;
        const attempt = (args: any) => {
            try {
                new c.NatsAuthorization("bad", args);
                return "accepted";
            } catch (error) {
                return `${(error as Error).constructor.name}: ${(error as Error).message}`;
            }
        };
        expect(attempt({ nats: NATS, tenants: [acme, acme], keys: KEYS })).toBe(
            'RunError: cannot build the NATS authorization: tenants org_7f3k2m9q and org_7f3k2m9q share the NATS slug "acme"; every tenant needs its own',
        );
        expect(attempt({ nats: { namespace: "NATS", url: NATS.url }, tenants: [{ spec: { ...acme.spec, extra: 1 } }], keys: KEYS })).toBe(
            'RunError: invalid NatsAuthorization arguments:\n  tenants[0].spec: Unrecognized key: "extra"\n  tenants[0]: accountPublicKey and accountJwt are required\n  nats.namespace: "NATS" must be a DNS label',
        );
    });
});
