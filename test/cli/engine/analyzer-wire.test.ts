import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { describe, expect, it } from "vitest";
import { toAnalyzeRequest, toAnalyzerResource, toConfigureRequest } from "../../../cli/engine/analyzer-messages";
import type { EngineResource } from "../../../cli/engine/analyzer-types";
import { configureEntries } from "../../../cli/engine/analyzer-messages";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest, encodeConfigureRequest } from "../../../cli/engine/analyzer-wire";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../../../cli/engine/wire";

// The requests the policy host sends are encoded directly; they must be the bytes google-protobuf
// would produce from the message objects (analyzer-messages.ts), so the pack sees the same request.
const resources: EngineResource[] = [
    {
        type: "kubernetes:core/v1:ConfigMap",
        name: "cm",
        urn: "urn:pulumi:dev::tenancy::tenancy:index:Tenant$kubernetes:core/v1:ConfigMap::cm",
        parent: "urn:pulumi:dev::tenancy::tenancy:index:Tenant::acme",
        properties: {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "cm", namespace: "org-acme", labels: { b: "2", a: "1", "": "empty key" }, annotations: {} },
            data: { "z.conf": "line\nnext ✓ é 𝄞", empty: "", secret: { [SIG_KEY]: SECRET_SIG, value: "s3cr3t" } },
            numbers: [0, -0, 1.5, -42, 1e21, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY],
            mixed: [null, true, false, "x", { nested: [[], {}] }, undefined],
            dropped: undefined,
            unknown: UNKNOWN,
        },
        options: {
            protect: true,
            ignoreChanges: ["metadata.annotations", ""],
            deleteBeforeReplace: false,
            additionalSecretOutputs: ["data"],
            aliases: ["urn:pulumi:dev::tenancy::kubernetes:core/v1:ConfigMap::old"],
            customTimeouts: { create: 300, update: 0, delete: 0.5 },
            parent: "urn:pulumi:dev::tenancy::tenancy:index:Tenant::acme",
        },
        provider: { name: "k8s", type: "pulumi:providers:kubernetes", urn: "urn:pulumi:dev::tenancy::pulumi:providers:kubernetes::k8s", properties: { namespace: "org-acme" } },
        dependencies: ["urn:b", "urn:a"],
        propertyDependencies: { metadata: ["urn:a"], data: [], "": ["urn:c", "urn:b"] },
        custom: true,
    },
    {
        type: "tenancy:index:Tenant",
        name: "acme",
        urn: "urn:pulumi:dev::tenancy::tenancy:index:Tenant::acme",
        properties: {},
        options: { protect: false, ignoreChanges: [], additionalSecretOutputs: [], aliases: [] },
        dependencies: [],
        propertyDependencies: {},
        custom: false,
    },
    {
        type: "",
        name: "",
        urn: "",
        properties: { deep: { a: { b: { c: { d: { e: { f: "x".repeat(70_000) } } } } } } },
        options: { deleteBeforeReplace: true },
    } as EngineResource,
];

describe("Analyzer requests encoded directly", () => {
    it("are byte for byte the messages google-protobuf serializes", () => {
        for (const resource of resources) {
            expect(encodeAnalyzeRequest(resource)).toEqual(Buffer.from(toAnalyzeRequest(resource).serializeBinary()));
        }
        const stack = new analyzerPb.AnalyzeStackRequest();
        stack.setResourcesList(resources.map(toAnalyzerResource));
        expect(encodeAnalyzeStackRequest(resources)).toEqual(Buffer.from(stack.serializeBinary()));
    });

    it("read back as the same request", () => {
        const decoded = analyzerPb.AnalyzeRequest.deserializeBinary(new Uint8Array(encodeAnalyzeRequest(resources[0])));
        expect(decoded.getUrn()).toBe(resources[0].urn);
        expect(decoded.getProperties()?.toJavaScript()).toEqual(JSON.parse(JSON.stringify(resources[0].properties)));
        expect(decoded.getOptions()?.getCustomtimeouts()?.getDelete()).toBe(0.5);
    });

    it("start over after an encoding that failed", () => {
        expect(() => encodeAnalyzeRequest({ ...resources[1], properties: { n: BigInt(1) } })).toThrow();
        expect(encodeAnalyzeRequest(resources[1])).toEqual(Buffer.from(toAnalyzeRequest(resources[1]).serializeBinary()));
    });
});

describe("Configure requests encoded directly", () => {
    // Every level (mandatory is one of the defaults), rules out of order, an empty configuration, and
    // properties of every JSON kind with keys out of order.
    const config = {
        "zeta-rule": { enforcementLevel: "advisory" as const, natsKeys: { tenants: { org_b: { user: "U2" }, org_a: { user: "U1" } } } },
        "alpha-rule": { registryDir: "/tmp/r", limits: [1, 2.5, -0, null, true, "x", { nested: [] }], dropped: undefined },
        "beta-rule": { enforcementLevel: "disabled" as const },
        "gamma-rule": { enforcementLevel: "remediate" as const, text: "é ✓ 𝄞", empty: {} },
    };
    const defaults = new Map([["alpha-rule", "mandatory" as const]]);

    it("are byte for byte the message google-protobuf serializes", () => {
        expect(encodeConfigureRequest(configureEntries(config, defaults))).toEqual(Buffer.from(toConfigureRequest(config, defaults).serializeBinary()));
    });

    it("read back as the same configuration", () => {
        const decoded = analyzerPb.ConfigureAnalyzerRequest.deserializeBinary(new Uint8Array(encodeConfigureRequest(configureEntries(config, defaults))));
        const read: Record<string, unknown> = {};
        decoded.getPolicyconfigMap().forEach((c, name) => (read[name] = { level: c.getEnforcementlevel(), ...c.getProperties()?.toJavaScript() }));
        expect(read).toEqual({
            "alpha-rule": { level: analyzerPb.EnforcementLevel.MANDATORY, registryDir: "/tmp/r", limits: [1, 2.5, 0, null, true, "x", { nested: [] }] },
            "beta-rule": { level: analyzerPb.EnforcementLevel.DISABLED },
            "gamma-rule": { level: analyzerPb.EnforcementLevel.REMEDIATE, text: "é ✓ 𝄞", empty: {} },
            "zeta-rule": { level: analyzerPb.EnforcementLevel.ADVISORY, natsKeys: { tenants: { org_a: { user: "U1" }, org_b: { user: "U2" } } } },
        });
    });
});
