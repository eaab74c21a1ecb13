import { describe, expect, it } from "vitest";
import { deriveNkey } from "../../components/nats-keys";
import { isolateTenantNats } from "../../policy/isolate-tenant-nats";
import { shardOf } from "../../registry";
import { byName, CONFIG, idOf, natsKeysOf, natsOf, shardConfig, shardWorld, world } from "./fixtures";
import { accountFile, editAccountConf, OPERATOR } from "./nats-edit";
import { clone, fixture, runStackRule, type Fixture } from "./support";

// The tests' registry over two shards: acme in shard 0 (with the shared objects), globex and initech in shard 1.
const ACME = idOf("acme");
const GLOBEX = idOf("globex");
const INITECH = idOf("initech");
const PIN = shardConfig(0, 2);
const messages = async (resources: Fixture[], config: Record<string, unknown>) => (await runStackRule(isolateTenantNats, resources, config)).map((r) => r.message);
const cm = (id: string) => `ConfigMap "nats/nats-account-${id.replace("_", "-")}"`;
const MUST = "in shard 1 of 2 (no operator.conf), each tenant's account file must be declared once, in namespace nats, where the shared shard's operator.conf includes it";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const OTHER = deriveNkey(Buffer.alloc(32, 7), "nats-operator", "tenancy", 1);
const OTHER_ACCOUNT = deriveNkey(Buffer.alloc(32, 7), "nats-account", "PLATFORM", 1).publicKey;
// operator.conf's include of an account file no stack declares, at its line (includes follow the org id order).
const undeclared = (line: number, id: string) =>
    `ConfigMap "nats/nats-operator" key operator.conf, line ${line}: include "${id}.conf" names a file the stack does not declare; operator.conf may include only account files the stack declares.`;
const PATH_INCLUDE = `ConfigMap "nats/nats-operator" key operator.conf, line 9: include not followed by blanks and a double-quoted file name "org_<id>.conf", in "include "../elsewhere/${GLOBEX}.conf""; operator.conf may hold only operator, system_account, resolver: MEMORY and resolver_preload (account entries and include "<org id>.conf" lines), each once, exactly as tenancy renders them.`;

describe("isolate-tenant-nats: a registry sharded across stacks", () => {
    it("places the tests' tenants as these cases assume", () => {
        expect([ACME, GLOBEX, INITECH].map((id) => shardOf(id, 2))).toEqual([0, 1, 1]);
        expect([ACME, GLOBEX, INITECH].map((id) => shardOf(id, 3))).toEqual([2, 1, 2]);
    });

    it.each([
        [0, 2],
        [1, 2],
        [0, 3],
        [1, 3],
        [2, 3],
    ])("accepts shard %i of %i: its tenants' account files, and in shard 0 an operator.conf including every tenant", async (index, count) => {
        expect(await messages(shardWorld(index, count), shardConfig(index, count))).toEqual([]);
    });

    it("refuses a shard without operator.conf when the pack is not told it is a shard", async () => {
        expect((await messages(shardWorld(1, 2), CONFIG))[0]).toBe(
            "The stack declares tenants (globex, initech) but no NATS operator.conf in namespace nats; the configuration the server loads must be declared and known during preview so every tenant's account can be checked (a stack that is shard 1 or more of a sharded registry needs the pack configured with its shard).",
        );
    });

    it("refuses shard 0 when the pack is not told it is sharded: the files of the other shards' tenants are nowhere in the stack", async () => {
        expect(await messages(shardWorld(0, 2), CONFIG)).toEqual([undeclared(9, GLOBEX), undeclared(10, INITECH)]);
    });

    it("requires natsKeys in a sharded stack, and shard pins that agree with them", async () => {
        const unpinned = { registryDir: CONFIG.registryDir, shard: { index: 1, count: 2 } };
        expect(await messages(shardWorld(1, 2), unpinned)).toEqual([
            "The pack configuration sets no natsKeys, so it cannot tell whether a NATS account, signing key, user or seed is the one tenancy derives for its tenant; pass the pack the configuration `tenancy pack-config` prints (pulumi config get tenancy:natsMasterKey --stack <stack> | npx tenancy pack-config --stack <stack>).",
        ]);
        const disagreeing = { ...shardConfig(1, 2), natsOperatorKey: OTHER.publicKey };
        expect(await messages(shardWorld(1, 2), disagreeing)).toEqual([
            `The pack configuration's natsOperatorKey ${OTHER.publicKey} is not natsKeys.operator ${OPERATOR.publicKey}; both come from the same master key.`,
        ]);
    });

    it("refuses an invalid shard configuration, and a sharded stack whose registry does not load", async () => {
        expect((await messages(shardWorld(1, 2), { ...PIN, shard: { index: 2, count: 2 } }))[0]).toBe(
            `the pack's shard configuration {"index":2,"count":2} is invalid (index: index must be less than count (shards are numbered from 0)); the pack must know which of the registry's tenants this stack declares.`,
        );
        const found = await messages(shardWorld(0, 2), { ...shardConfig(0, 2), registryDir: "/nonexistent/registry" });
        expect(found.find((m) => m.startsWith("the registry"))).toMatch(/^the registry at \/nonexistent\/registry did not load \(.*\), so the pack cannot tell which tenants other stacks declare; the pack must know which of the registry's tenants this stack declares\.$/);
        // Without the registry nothing vouches for the includes of other shards' files.
        expect(found).toContain(undeclared(9, GLOBEX));
    });

    it("refuses a tenant declared by a stack that is not its shard's, with its account file", async () => {
        const stack = [...shardWorld(1, 2), ...world(["acme"]).filter((f) => f.name.startsWith("acme") || f.name === `nats-account-${ACME}`)];
        const found = await messages(stack, shardConfig(1, 2));
        expect(found).toContain(
            `Tenant acme (${ACME}) belongs to shard 0 of 2 by its org id, but this stack is shard 1 of 2; a tenant must be declared only by the stack of its shard, which also declares its NATS account file.`,
        );
        expect(found).toContain(`${cm(ACME)} key ${accountFile(ACME)} is the NATS account file of tenant acme (${ACME}), which belongs to shard 0 of 2; this stack is shard 1 of 2 and may declare only its own tenants' account files.`);
    });

    it("refuses another shard's account file even without its tenant, in any object of the NATS namespace", async () => {
        const copy = fixture("kubernetes:core/v1:ConfigMap", "copy", {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "copy", namespace: "nats" },
            data: { [accountFile(ACME)]: byName(world(["acme"]), `nats-account-${ACME}`).props.data[accountFile(ACME)] },
        });
        expect(await messages([...shardWorld(1, 2), copy], shardConfig(1, 2))).toEqual([
            `ConfigMap "nats/copy" key ${accountFile(ACME)} is the NATS account file of tenant acme (${ACME}), which belongs to shard 0 of 2; this stack is shard 1 of 2 and may declare only its own tenants' account files.`,
        ]);
    });

    it("requires each tenant's account file in a shard without operator.conf: present, once, readable, its own account", async () => {
        const missing = shardWorld(1, 2).filter((f) => f.name !== `nats-account-${GLOBEX}`);
        expect(await messages(missing, shardConfig(1, 2))).toEqual([`Tenant globex's NATS account file ${accountFile(GLOBEX)}: no ConfigMap holds it; ${MUST}.`]);

        const twice = shardWorld(1, 2);
        const file = byName(twice, `nats-account-${GLOBEX}`);
        const copy = clone(file);
        copy.name = "copy";
        copy.props.metadata.name = "copy";
        const both = `2 objects hold the file ${accountFile(GLOBEX)} (${cm(GLOBEX)}, ConfigMap "nats/copy"); the pack cannot tell which the server loads, so each file must be declared once.`;
        expect(await messages([...twice, copy], shardConfig(1, 2))).toEqual([`${cm(GLOBEX)} key ${accountFile(GLOBEX)}: ${both}`, `ConfigMap "nats/copy" key ${accountFile(GLOBEX)}: ${both}`]);

        const garbled = shardWorld(1, 2);
        byName(garbled, `nats-account-${GLOBEX}`).props.data[accountFile(GLOBEX)] = "# nothing here\n";
        expect(await messages(garbled, shardConfig(1, 2))).toEqual([
            `${cm(GLOBEX)} key ${accountFile(GLOBEX)}, line 1: no entry; an account file holds exactly one line "<account public key>": "<account JWT>", exactly as tenancy renders it.`,
        ]);

        // globex's file holding initech's account, so initech's would be loaded twice and globex's not at all.
        const swapped = shardWorld(1, 2);
        byName(swapped, `nats-account-${GLOBEX}`).props.data[accountFile(GLOBEX)] = byName(swapped, `nats-account-${INITECH}`).props.data[accountFile(INITECH)];
        expect(await messages(swapped, shardConfig(1, 2))).toEqual([`${cm(GLOBEX)} key ${accountFile(GLOBEX)}: it holds the account named "${INITECH}"; the file ${accountFile(GLOBEX)} must hold the account of org id ${GLOBEX}.`]);
    });

    it("refuses an account of a shard signed by another operator than the pinned one", async () => {
        const stack = shardWorld(1, 2);
        const data = byName(stack, `nats-account-${GLOBEX}`).props.data;
        data[accountFile(GLOBEX)] = editAccountConf(data[accountFile(GLOBEX)], () => undefined, OTHER);
        expect(await messages(stack, shardConfig(1, 2))).toEqual([
            `${cm(GLOBEX)} key ${accountFile(GLOBEX)}: its account is signed by ${OTHER.publicKey}, not by the operator tenancy derives (${OPERATOR.publicKey}), which the shared shard's server trusts.`,
        ]);
    });

    it("refuses an account of a shard importing from any account but the pinned PLATFORM, such as another shard's tenant", async () => {
        const stack = shardWorld(1, 2);
        const data = byName(stack, `nats-account-${GLOBEX}`).props.data;
        data[accountFile(GLOBEX)] = editAccountConf(data[accountFile(GLOBEX)], (nats) => {
            nats.imports[0].account = natsOf("acme").accountPublicKey;
        });
        expect(await messages(stack, shardConfig(1, 2))).toEqual([
            `${cm(GLOBEX)} key ${accountFile(GLOBEX)}: NATS account "${GLOBEX}" of tenant globex imports stream "platform.broadcast.>" from account "${ACME}", which is not the platform account PLATFORM; tenants may import only from PLATFORM.`,
        ]);
    });

    it("refuses a shared shard whose operator.conf trusts another operator or preloads another PLATFORM than the pinned ones", async () => {
        const { natsOperatorKey: _o, natsPlatformAccountKey: _p, ...pinnedByKeysOnly } = shardConfig(0, 2);
        const otherOperator = { ...pinnedByKeysOnly, natsKeys: { ...natsKeysOf(), operator: OTHER.publicKey } };
        expect(await messages(shardWorld(0, 2), otherOperator)).toContain(
            `ConfigMap "nats/nats-operator" key operator.conf: it trusts operator ${OPERATOR.publicKey}, not the operator tenancy derives (${OTHER.publicKey}); the server must trust only the stack's operator.`,
        );
        const platform = natsOf("PLATFORM").accountPublicKey;
        const otherPlatform = { ...pinnedByKeysOnly, natsKeys: { ...natsKeysOf(), platform: { ...natsKeysOf().platform, account: OTHER_ACCOUNT } } };
        expect(await messages(shardWorld(0, 2), otherPlatform)).toContain(
            `ConfigMap "nats/nats-operator" key operator.conf: NATS account "PLATFORM" (${platform}) is not an account tenancy derives for this stack: the server may load only the system account, the PLATFORM account and each registry tenant's own account.`,
        );
    });

    it("refuses a shard whose tenant's org id is unknown during preview, since its shard cannot be told", async () => {
        const stack = shardWorld(1, 2);
        byName(stack, "globex-namespace").props.metadata.labels["tenancy.io/tenant"] = UNKNOWN;
        (stack.find((f) => f.type === "tenancy:tenant:Tenant" && f.name === "globex")!.props as Record<string, unknown>).tenantId = UNKNOWN;
        expect(await messages(stack, shardConfig(1, 2))).toContain(
            "Tenant globex's org id is unknown during preview; in shard 1 of 2 the pack must know every tenant's org id to tell which shard declares it and its NATS account file.",
        );
    });

    it("accepts another shard's account file in shard 0's operator.conf only by its plain file name", async () => {
        const stack = shardWorld(0, 2);
        const conf = byName(stack, "nats-operator").props.data;
        conf["operator.conf"] = conf["operator.conf"].replace(`include "${accountFile(GLOBEX)}"`, `include "../elsewhere/${accountFile(GLOBEX)}"`);
        expect(await messages(stack, shardConfig(0, 2))).toEqual([PATH_INCLUDE]);
    });

    it("still refuses an include in shard 0 that is no registry tenant's account file", async () => {
        const stack = shardWorld(0, 2);
        const conf = byName(stack, "nats-operator").props.data;
        conf["operator.conf"] = conf["operator.conf"].replace(`  include "${accountFile(ACME)}"`, `  include "${accountFile(ACME)}"\n  include "org_zzzz9999.conf"`);
        expect(await messages(stack, shardConfig(0, 2))).toEqual([undeclared(9, "org_zzzz9999")]);
    });
});

describe("isolate-tenant-nats: a partial plan (tenancy plan --base)", () => {
    const acmeOnly = () => world().filter((f) => !/^(globex|initech)/.test(f.name) && f.name !== `nats-account-${GLOBEX}` && f.name !== `nats-account-${INITECH}`);

    it("accepts operator.conf including the files of the tenants outside the plan", async () => {
        expect(await messages(acmeOnly(), { ...CONFIG, planOnlyTenants: [ACME] })).toEqual([]);
    });

    it("still checks the files of the tenants in the plan, and refuses the same stack as a whole plan", async () => {
        expect(await messages(acmeOnly(), { ...CONFIG, planOnlyTenants: [ACME, GLOBEX] })).toEqual([undeclared(9, GLOBEX)]);
        expect(await messages(acmeOnly(), CONFIG)).toEqual([undeclared(9, GLOBEX), undeclared(10, INITECH)]);
    });

    it("checks what the plan declares as strictly as a whole plan", async () => {
        const stack = acmeOnly();
        const data = byName(stack, `nats-account-${ACME}`).props.data;
        data[accountFile(ACME)] = editAccountConf(data[accountFile(ACME)], (nats) => {
            nats.imports[0].account = natsOf("globex").accountPublicKey;
        });
        expect(await messages(stack, { ...CONFIG, planOnlyTenants: [ACME] })).toEqual([
            `${cm(ACME)} key ${accountFile(ACME)}: NATS account "${ACME}" of tenant acme imports stream "platform.broadcast.>" from account "${GLOBEX}", which is not the platform account PLATFORM; tenants may import only from PLATFORM.`,
        ]);
    });
});
