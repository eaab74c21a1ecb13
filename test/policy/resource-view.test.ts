import * as structPb from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declaredObjects } from "../../policy/objects";
import { resourceView } from "../../policy/resource-view";
import { shareDeserializedProperties } from "../../policy/share-deserialized-properties";
import { plainProps, UNKNOWN } from "../../policy/unknowns";

type Deserialize = (struct: unknown, proxySecrets: boolean) => Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mod = require("@pulumi/policy/deserialize") as { deserializeProperties: Deserialize };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(value: T): T };
const original = mod.deserializeProperties;
beforeAll(() => {
    expect(shareDeserializedProperties()).toBe(true);
});
afterAll(() => {
    mod.deserializeProperties = original;
});

const TYPE = "kubernetes:core/v1:ConfigMap";
const configMap = () => ({ metadata: { name: "settings", namespace: "org-acme" }, data: { mode: "fast", later: UNKNOWN } });
// What @pulumi/policy's server hands each rule: its own proxy over the deserialized properties of the message.
const shared = (props: Record<string, unknown>) => mod.deserializeProperties(structPb.Struct.fromJavaScript(props as never), false);

describe("resourceView", () => {
    it("is the plain properties and what they declare", () => {
        const view = resourceView(TYPE, "settings", unknownCheckingProxy(shared(configMap())));
        expect(view.props).toEqual(configMap());
        expect(view.declaration).toEqual(declaredObjects(TYPE, "settings", plainProps(configMap())));
        expect(view.declaration.objects.map((o) => `${o.kind} ${o.meta.namespace}/${o.meta.name}`)).toEqual(["ConfigMap org-acme/settings"]);
    });

    it("is computed once for every rule's proxy over the same deserialized properties, per type and name", () => {
        const props = shared(configMap());
        const view = resourceView(TYPE, "settings", unknownCheckingProxy(props));
        expect(resourceView(TYPE, "settings", unknownCheckingProxy(props))).toBe(view);
        expect(resourceView(TYPE, "other", unknownCheckingProxy(props))).not.toBe(view);
        expect(resourceView(TYPE, "settings", unknownCheckingProxy(shared(configMap())))).not.toBe(view);
    });

    it("is computed again for properties a caller built itself, which may have changed since", () => {
        const props = configMap();
        expect(resourceView(TYPE, "settings", props).props.data).toEqual({ mode: "fast", later: UNKNOWN });
        props.data.mode = "slow";
        expect(resourceView(TYPE, "settings", props).props.data).toEqual({ mode: "slow", later: UNKNOWN });
    });

    it("is frozen, so that no rule can change what another rule reads", () => {
        const view = resourceView(TYPE, "settings", unknownCheckingProxy(shared(configMap())));
        const data = view.props.data as Record<string, unknown>;
        expect(() => (data.mode = "slow")).toThrow(TypeError);
        expect(() => (view.declaration.objects[0].meta.name = "x")).toThrow(TypeError);
        expect(() => view.declaration.objects.push(view.declaration.objects[0])).toThrow(TypeError);
        expect(resourceView(TYPE, "settings", configMap()).props).toSatisfy(Object.isFrozen);
    });
});
