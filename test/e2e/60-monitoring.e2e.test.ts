// The operator's per-tenant and per-tier recording rules, switched on by their stack setting, as
// the API server accepts them once the Prometheus operator's PrometheusRule CRD is installed.
import { describe, expect, inject, it } from "vitest";
import "./support/context";
import { TENANT_RULES_NAME, tenantRecordingRules } from "../../components";
import { adminClient } from "./support/kube";
import { pulumi, pulumiOk } from "./support/stack";

const e2e = inject("e2e");
const admin = adminClient(e2e.kubeconfigPath);
const MONITORING = "monitoring";

// The PrometheusRule CRD's structural schema as prometheus-operator (v0.7x, monitoring.coreos.com/v1)
// publishes it, reduced to the fields the rules use; required fields and types as upstream.
const rule = {
    type: "object",
    required: ["expr"],
    properties: {
        record: { type: "string" },
        alert: { type: "string" },
        expr: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
        for: { type: "string", pattern: "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$" },
        labels: { type: "object", additionalProperties: { type: "string" } },
        annotations: { type: "object", additionalProperties: { type: "string" } },
    },
};
const CRD = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "prometheusrules.monitoring.coreos.com" },
    spec: {
        group: "monitoring.coreos.com",
        scope: "Namespaced",
        names: { kind: "PrometheusRule", listKind: "PrometheusRuleList", plural: "prometheusrules", singular: "prometheusrule", categories: ["prometheus-operator"], shortNames: ["promrule"] },
        versions: [
            {
                name: "v1",
                served: true,
                storage: true,
                schema: {
                    openAPIV3Schema: {
                        type: "object",
                        required: ["spec"],
                        properties: {
                            apiVersion: { type: "string" },
                            kind: { type: "string" },
                            metadata: { type: "object" },
                            spec: {
                                type: "object",
                                properties: {
                                    groups: {
                                        type: "array",
                                        "x-kubernetes-list-type": "map",
                                        "x-kubernetes-list-map-keys": ["name"],
                                        items: {
                                            type: "object",
                                            required: ["name"],
                                            properties: {
                                                name: { type: "string", minLength: 1 },
                                                interval: { type: "string", pattern: "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$" },
                                                rules: { type: "array", items: rule },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        ],
    },
};

describe("recording rules behind tenancy:monitoring.prometheusRules", () => {
    it("are accepted by the API server once the PrometheusRule CRD is installed", async () => {
        const crd = await admin.create(CRD as never);
        expect(crd.ok, crd.ok ? "" : crd.message).toBe(true);
        const namespace = await admin.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: MONITORING } } as never);
        expect(namespace.ok, namespace.ok ? "" : namespace.message).toBe(true);
        // The API server serves a new CRD after a moment: wait until it is established.
        for (let i = 0; i < 50; i++) {
            const read = await admin.read({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: CRD.metadata.name } });
            if (read?.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Established" && c.status === "True")) break;
            await new Promise((r) => setTimeout(r, 200));
        }
        await pulumiOk(e2e.workspace, ["config", "set", "--path", "tenancy:monitoring.prometheusRules", "true"]);
        await pulumiOk(e2e.workspace, ["config", "set", "--path", "tenancy:monitoring.namespace", MONITORING]);
        const run = await pulumi(e2e.workspace, ["up", "--yes", ...e2e.workspace.policy]);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        const live = await admin.read({ apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: TENANT_RULES_NAME, namespace: MONITORING } });
        expect(live?.spec.groups[0].rules).toEqual(tenantRecordingRules());
    });

    it("is off by default: switching the setting off removes the rules", async () => {
        await pulumiOk(e2e.workspace, ["config", "rm", "--path", "tenancy:monitoring"]);
        const run = await pulumi(e2e.workspace, ["up", "--yes", ...e2e.workspace.policy]);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(await admin.read({ apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: TENANT_RULES_NAME, namespace: MONITORING } })).toBeUndefined();
    });
});
