import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_NATS_MASTER_KEY } from "../support/nats-master-key";
import { EXAMPLE_REGISTRY } from "../support/registry-fixture";
import { MASTER } from "./fixture";
import { inspect, installNatsMocks, runStack, type RawInputs, type Registration } from "./mocks";

// A preview of a stack whose tenants are all new: nothing exists yet, and the master key is the
// only key material. Every key derives from it, so what the server loads is known and checkable.
const registrations: Registration[] = installNatsMocks({ preview: true });

let raw: RawInputs;
let authorization: import("../../components/nats-authorization").NatsAuthorization;
let accounts: import("../../components/nats-account").NatsAccount[];
let material: typeof import("../../components/nats-material");
let jwt: typeof import("../../components/nats-jwt");

beforeAll(async () => {
    const { NatsAccount } = await import("../../components/nats-account");
    const { NatsAuthorization } = await import("../../components/nats-authorization");
    material = await import("../../components/nats-material");
    jwt = await import("../../components/nats-jwt");
    const registry = (await import("../../registry")).loadRegistry(EXAMPLE_REGISTRY);
    const nats = { namespace: "nats", url: "nats://nats.nats.svc.cluster.local:4222" };
    const masterKey = pulumi.secret(TEST_NATS_MASTER_KEY);
    raw = await runStack(() => {
        accounts = registry.entries.map(({ tenant, plan }) => new NatsAccount(`${tenant.slug}-nats`, { tenant, plan, nats, keys: { masterKey } }));
        authorization = new NatsAuthorization("nats", { nats, tenants: accounts, keys: { masterKey } });
    });
});

describe("pulumi preview of new tenants", () => {
    it("knows every account's public key and JWT, and operator.conf, as plain values", async () => {
        for (const account of accounts) {
            const expected = material.tenantMaterial(account.spec, MASTER, 1);
            expect(await inspect(account.accountPublicKey)).toEqual({ value: expected.accountPublicKey, known: true, secret: false });
            expect(await inspect(account.accountJwt)).toEqual({ value: expected.accountJwt, known: true, secret: false });
        }
        const conf = await inspect(authorization.operatorConf);
        expect([conf.known, conf.secret]).toEqual([true, false]);
        // What the engine (and so the policy pack) receives is the document itself, not an unknown.
        expect(registrations.find((r) => r.name === "nats-operator")!.inputs.data["operator.conf"]).toBe(conf.value);
        expect(await pulumi.isSecret(raw.get("nats-operator")!.data["operator.conf"])).toBe(false);
    });

    it("sends each tenant's account file as text that decodes to its account, signed by the operator", () => {
        const operator = material.operatorMaterial(MASTER).operatorPublicKey;
        for (const account of accounts) {
            const data = registrations.find((r) => r.name === `nats-account-${account.spec.tenantId}`)!.inputs.data;
            const [, key, token] = /"(A[A-Z2-7]{55})": "([^"]+)"/.exec(data[`${account.spec.tenantId}.conf`])!;
            expect(jwt.decodeJwt(token)).toMatchObject({ sub: key, iss: operator, name: account.spec.tenantId });
        }
    });

    it("knows the .creds and seeds too, and keeps them secret", async () => {
        const expected = material.tenantMaterial(accounts[0].spec, MASTER, 1);
        const data = raw.get("acme-nats-credentials")!.stringData;
        expect(await inspect(data.NATS_CREDS)).toEqual({ value: expected.creds, known: true, secret: true });
        expect(await inspect(data.NATS_NKEY_SEED)).toEqual({ value: expected.userSeed, known: true, secret: true });
    });
});
