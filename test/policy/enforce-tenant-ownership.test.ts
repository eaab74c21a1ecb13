import { describe, expect, it } from "vitest";
import { enforceTenantOwnership } from "../../policy/enforce-tenant-ownership";
import { byName, CONFIG, idOf, world } from "./fixtures";
import { rewrite } from "./forms";
import { fixture, runStackRule } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ACME = idOf("acme");
const GLOBEX = idOf("globex");
const run = (resources: ReturnType<typeof world>) => runStackRule(enforceTenantOwnership, resources, CONFIG);

describe("enforce-tenant-ownership", () => {
    it("accepts the compliant stack", async () => {
        expect(await run(world())).toEqual([]);
    });

    it("reports a secret of acme moved into globex's namespace", async () => {
        const resources = world();
        const secret = byName(resources, "acme-openai-api");
        secret.props.metadata.namespace = "org-globex";
        expect(await run(resources)).toEqual([
            {
                message: `Secret "org-globex/openai-api" is created by tenant acme but lives in namespace "org-globex" of tenant globex; tenant acme's objects must live in "org-acme".`,
                urn: secret.urn,
            },
        ]);
    });

    it("reports an object of acme carrying globex's label, in every form", async () => {
        for (const [form, note] of [
            ["typed", ""],
            ["patch", ' (patched by kubernetes:core/v1:ServiceAccountPatch "acme-agent-sa-patch")'],
            ["list", ' (item 1 of kubernetes:core/v1:ServiceAccountList "acme-agent-sa-list")'],
            ["generic", ' (declared as kubernetes:apiextensions.k8s.io:CustomResource "acme-agent-sa")'],
            ["yaml-objs", ' (object 1 of kubernetes:yaml/v2:ConfigGroup "acme-agent-sa-yaml")'],
        ] as const) {
            const { fixtures, urn } = rewrite(world(), "acme-agent-sa", form, (b) => (b.metadata.labels["tenancy.io/tenant-id"] = GLOBEX));
            expect(await run(fixtures), form).toEqual([
                { message: `ServiceAccount "org-acme/agent-worker-sa"${note} of tenant acme carries tenancy.io/tenant-id=${GLOBEX}; every object in "org-acme" must carry tenancy.io/tenant-id=${ACME}.`, urn },
            ]);
        }
    });

    it("reports a tenant label unknown during preview on an object of a tenant namespace", async () => {
        const resources = world();
        const sa = byName(resources, "acme-agent-sa");
        sa.props.metadata.labels["tenancy.io/tenant-id"] = UNKNOWN;
        expect(await run(resources)).toEqual([
            {
                message: `ServiceAccount "org-acme/agent-worker-sa" of tenant acme carries tenancy.io/tenant-id unknown during preview; every object in "org-acme" must carry tenancy.io/tenant-id=${ACME}, known during preview.`,
                urn: sa.urn,
            },
        ]);
    });

    it("stays quiet about unknown labels that decide nothing: other labels, and objects of platform namespaces", async () => {
        const resources = world();
        byName(resources, "acme-agent-sa").props.metadata.labels["app.kubernetes.io/version"] = UNKNOWN;
        const cm = fixture("kubernetes:core/v1:ConfigMap", "nats-tuning", { metadata: { name: "nats-tuning", namespace: "nats", labels: UNKNOWN }, data: {} });
        expect(await run([...resources, cm])).toEqual([]);
    });

    it("reports a hand-written object in acme's namespace without a tenant label", async () => {
        const cm = fixture("kubernetes:core/v1:ConfigMap", "debug", { metadata: { name: "debug", namespace: "org-acme" }, data: {} });
        expect(await run([...world(), cm])).toEqual([
            { message: `ConfigMap "org-acme/debug" of tenant acme carries tenancy.io/tenant-id=(none); every object in "org-acme" must carry tenancy.io/tenant-id=${ACME}.`, urn: cm.urn },
        ]);
    });

    it("reports a tenant namespace labelled with another tenant's id", async () => {
        const resources = world();
        byName(resources, "globex-namespace").props.metadata.labels["tenancy.io/tenant-id"] = ACME;
        const messages = (await run(resources)).map((r) => r.message);
        expect(messages).toContain(`Namespace "org-globex" of tenant globex carries tenancy.io/tenant-id=${ACME}; it must carry tenancy.io/tenant-id=${GLOBEX}, the id of the registry entry that created it.`);
        expect(messages).toContain(`Namespace "org-globex" of tenant globex carries tenancy.io/tenant-id=${ACME}, already carried by namespace "org-acme"; each tenant id belongs to exactly one namespace.`);
    });

    it("reports a tenant namespace whose label or name is unknown during preview", async () => {
        const resources = world();
        const ns = byName(resources, "globex-namespace");
        ns.props.metadata.labels["tenancy.io/tenant-id"] = UNKNOWN;
        const unnamed = fixture("kubernetes:core/v1:Namespace", "mystery", { metadata: { name: UNKNOWN } });
        expect(await run([...resources, unnamed])).toEqual([
            { message: `Namespace "(unknown during preview)" has a name that is unknown during preview; a Namespace's name decides which tenant it belongs to and must be known.`, urn: unnamed.urn },
            { message: `Namespace "org-globex" of tenant globex carries tenancy.io/tenant-id unknown during preview; it must carry the tenant's id, known during preview.`, urn: ns.urn },
        ]);
    });

    it("reports a tenant's namespace created under another name", async () => {
        const resources = world();
        const ns = byName(resources, "acme-namespace");
        ns.props.metadata.name = "org-acme2";
        expect((await run(resources))[0]).toEqual({ message: `Namespace "org-acme2" is created by tenant acme; tenant acme's namespace must be named "org-acme".`, urn: ns.urn });
    });

    it("reports a namespace with the tenant prefix that no Tenant component created, but judges a Patch of one by its labels", async () => {
        const ns = fixture("kubernetes:core/v1:Namespace", "rogue", { metadata: { name: "org-rogue", labels: {} } });
        expect(await run([...world(), ns])).toEqual([
            { message: `Namespace "org-rogue" uses the tenant prefix "org-" but is not created by tenant rogue's Tenant component; tenant namespaces must come from the registry.`, urn: ns.urn },
        ]);
        const patch = fixture("kubernetes:core/v1:NamespacePatch", "acme-annotate", { apiVersion: "v1", kind: "Namespace", metadata: { name: "org-acme", annotations: { "example.com/team": "a" } } });
        expect(await run([...world(), patch])).toEqual([]);
    });

    it("ignores objects in platform namespaces", async () => {
        const cm = fixture("kubernetes:core/v1:ConfigMap", "nats-auth", { metadata: { name: "nats-auth", namespace: "nats" } });
        expect(await run([...world(), cm])).toEqual([]);
    });
});
