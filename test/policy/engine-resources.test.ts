import { describe, expect, it } from "vitest";
import { engineResources, UNKNOWN } from "../../cli/engine";
import type { RecordedOptions, RecordedResource } from "../../cli/engine/types";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e";
const STACK = "urn:pulumi:dev::tenancy::pulumi:pulumi:Stack::tenancy-dev";

function options(extra: Partial<RecordedOptions> = {}): RecordedOptions {
    return {
        deletedWith: "", ignoreChanges: [], replaceOnChanges: [], aliases: [], additionalSecretOutputs: [], version: "", pluginDownloadURL: "",
        importId: "", hideDiffs: [], replaceWith: [], providers: {}, ...extra,
    };
}

function recorded(extra: Partial<RecordedResource>): RecordedResource {
    return {
        urn: "", type: "", name: "", custom: true, parent: STACK, provider: "", inputs: {}, outputs: {}, emulated: [], id: "",
        dependencies: [], propertyDependencies: {}, options: options(), ...extra,
    };
}

const provider = recorded({
    urn: "urn:pulumi:dev::tenancy::pulumi:providers:kubernetes::cluster",
    type: "pulumi:providers:kubernetes",
    name: "cluster",
    inputs: { kubeconfig: { [SIG]: SECRET, value: "apiVersion: v1" } },
});
const component = recorded({ urn: "urn:pulumi:dev::tenancy::tenancy:tenant:Tenant::acme", type: "tenancy:tenant:Tenant", name: "acme", custom: false });
const secret = recorded({
    urn: "urn:pulumi:dev::tenancy::tenancy:tenant:Tenant$kubernetes:core/v1:Secret::acme-key",
    type: "kubernetes:core/v1:Secret",
    name: "acme-key",
    parent: component.urn,
    provider: `${provider.urn}::${UNKNOWN}`,
    inputs: {
        metadata: { name: "key", namespace: { [SIG]: OUTPUT, value: "org-acme", dependencies: [component.urn] }, __internal: true },
        stringData: { [SIG]: OUTPUT, secret: true, value: { token: "t0p" } },
        owner: { [SIG]: RESOURCE, urn: component.urn },
        pending: { [SIG]: OUTPUT },
    },
    outputs: { metadata: { name: "key" } },
    dependencies: [component.urn],
    propertyDependencies: { metadata: [component.urn] },
    options: options({
        protect: true,
        deleteBeforeReplace: true,
        aliases: [{ urn: "urn:pulumi:dev::tenancy::kubernetes:core/v1:Secret::old" }, { name: "older" }, { noParent: true }],
        customTimeouts: { create: "5m", update: "1h30m", delete: "500ms" },
    }),
});
const implicit = recorded({
    urn: "urn:pulumi:dev::tenancy::kubernetes:core/v1:ConfigMap::cm",
    type: "kubernetes:core/v1:ConfigMap",
    name: "cm",
    options: options({ version: "4.34.2" }),
});

describe("engineResources", () => {
    const [, , , s, cm] = engineResources([recorded({ urn: STACK, type: "pulumi:pulumi:Stack", name: "tenancy-dev", custom: false, parent: "" }), provider, component, secret, implicit], "inputs");

    it("marshals values as the engine does for analyzers", () => {
        expect(s.properties).toEqual({
            metadata: { name: "key", namespace: "org-acme" },
            stringData: { [SIG]: SECRET, value: { token: "t0p" } },
            owner: component.urn,
            pending: UNKNOWN,
        });
    });

    it("carries options, parent, dependencies and the explicit provider", () => {
        expect(s.options).toEqual({
            protect: true,
            ignoreChanges: [],
            deleteBeforeReplace: true,
            additionalSecretOutputs: [],
            aliases: [
                "urn:pulumi:dev::tenancy::kubernetes:core/v1:Secret::old",
                "urn:pulumi:dev::tenancy::tenancy:tenant:Tenant$kubernetes:core/v1:Secret::older",
                "urn:pulumi:dev::tenancy::kubernetes:core/v1:Secret::acme-key",
            ],
            customTimeouts: { create: 300, update: 5400, delete: 0.5 },
            parent: component.urn,
        });
        expect(s.parent).toBe(component.urn);
        expect(s.dependencies).toEqual([component.urn]);
        expect(s.propertyDependencies).toEqual({ metadata: [component.urn] });
        expect(s.provider).toEqual({ name: "cluster", type: "pulumi:providers:kubernetes", urn: provider.urn, properties: { kubeconfig: { [SIG]: SECRET, value: "apiVersion: v1" } } });
    });

    it("names the default provider of a resource without an explicit one", () => {
        expect(cm.provider).toEqual({
            name: "default_4_34_2",
            type: "pulumi:providers:kubernetes",
            urn: "urn:pulumi:dev::tenancy::pulumi:providers:kubernetes::default_4_34_2",
            properties: { version: "4.34.2" },
        });
    });

    it("uses outputs for AnalyzeStack", () => {
        expect(engineResources([secret], "outputs")[0].properties).toEqual({ metadata: { name: "key" } });
    });
});
