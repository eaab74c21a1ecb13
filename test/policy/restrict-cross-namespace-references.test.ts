import { describe, expect, it } from "vitest";
import { restrictCrossNamespaceReferences } from "../../policy/restrict-cross-namespace-references";
import { CONFIG, idOf, world } from "./fixtures";
import { fixture, runResourceRule } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const RULE = `; objects in "org-acme" may reach only their own namespace and the platform's.`;
const GW = "gateway.networking.k8s.io/v1";
const meta = (name: string) => ({ name, namespace: "org-acme", labels: { "tenancy.io/tenant-id": idOf("acme") } });
const object = (apiVersion: string, kind: string, body: Record<string, unknown>) =>
    fixture(`kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`, `acme-${kind.toLowerCase()}`, { apiVersion, kind, metadata: meta(kind.toLowerCase()), ...body });
const check = (f: ReturnType<typeof object>) => runResourceRule(restrictCrossNamespaceReferences, f, CONFIG);

describe("restrict-cross-namespace-references", () => {
    it("accepts the compliant stack, ClusterIP Services, routes within the namespace and to a platform Gateway", () => {
        for (const f of world()) expect(runResourceRule(restrictCrossNamespaceReferences, f, CONFIG), f.name).toEqual([]);
        expect(check(object("v1", "Service", { spec: { type: "ClusterIP", ports: [{ port: 80 }] } }))).toEqual([]);
        const route = object(GW, "HTTPRoute", {
            spec: { parentRefs: [{ name: "shared", namespace: "platform-system" }], rules: [{ backendRefs: [{ name: "agents", port: 80 }] }] },
        });
        expect(check(route)).toEqual([]);
    });

    it("reports an ExternalName Service and one whose type is unknown during preview", () => {
        expect(check(object("v1", "Service", { spec: { type: "ExternalName", externalName: "db.example.com" } }))).toEqual([
            `Service "org-acme/service" of tenant acme is an ExternalName Service (to "db.example.com"), which can alias any other tenant's Service; tenant Services may not be ExternalName${RULE}`,
        ]);
        expect(check(object("v1", "Service", { spec: UNKNOWN }))).toEqual([
            `Service "org-acme/service" of tenant acme has a spec.type unknown during preview; a tenant Service must be known not to be ExternalName${RULE}`,
        ]);
    });

    it("reports Gateway API routes that reach another tenant's namespace by backend or parent", () => {
        const route = object(GW, "HTTPRoute", {
            spec: {
                parentRefs: [{ name: "edge", namespace: "org-globex" }],
                rules: [{ backendRefs: [{ name: "api", namespace: "org-globex", port: 80 }, { name: "agents", port: 80 }] }],
            },
        });
        expect(check(route)).toEqual([
            `HTTPRoute "org-acme/httproute" of tenant acme names namespace "org-globex" of tenant globex (spec.parentRefs[0].namespace)${RULE}`,
            `HTTPRoute "org-acme/httproute" of tenant acme names namespace "org-globex" of tenant globex (spec.rules[0].backendRefs[0].namespace)${RULE}`,
        ]);
        const unknown = object(GW, "GRPCRoute", { spec: { rules: [{ backendRefs: UNKNOWN }] } });
        expect(check(unknown)).toEqual([
            `GRPCRoute "org-acme/grpcroute" of tenant acme has spec.rules[0].backendRefs unknown during preview, so it may name another tenant's namespace${RULE}`,
        ]);
    });

    it("reports a ReferenceGrant that lets another tenant reach in, and a Gateway that admits other namespaces' routes", () => {
        const grant = object("gateway.networking.k8s.io/v1beta1", "ReferenceGrant", { spec: { from: [{ group: GW.split("/")[0], kind: "HTTPRoute", namespace: "org-globex" }], to: [{ group: "", kind: "Service" }] } });
        expect(check(grant)).toEqual([`ReferenceGrant "org-acme/referencegrant" of tenant acme names namespace "org-globex" of tenant globex (spec.from[0].namespace)${RULE}`]);
        const gateway = object(GW, "Gateway", { spec: { gatewayClassName: "shared", listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }] } });
        expect(check(gateway)).toEqual([`Gateway "org-acme/gateway" of tenant acme admits routes from All namespaces on listener 1, including other tenants'${RULE}`]);
    });

    it("reports an Ingress pointing at another tenant's Service by its cluster DNS name, and a PVC cloning another tenant's volume", () => {
        const ingress = object("networking.k8s.io/v1", "Ingress", {
            metadata: { ...meta("ingress"), annotations: { "nginx.ingress.kubernetes.io/upstream-vhost": "api.org-globex.svc.cluster.local" } },
            spec: { rules: [{ host: "acme.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "agents", port: { number: 80 } } } }] } }] },
        });
        expect(check(ingress)).toEqual([`Ingress "org-acme/ingress" of tenant acme points at "api.org-globex", a Service of tenant globex's namespace${RULE}`]);
        const pvc = object("v1", "PersistentVolumeClaim", { spec: { dataSourceRef: { kind: "PersistentVolumeClaim", name: "data", namespace: "org-globex" } } });
        expect(check(pvc)).toEqual([
            `PersistentVolumeClaim "org-acme/persistentvolumeclaim" of tenant acme names namespace "org-globex" of tenant globex (spec.dataSourceRef.namespace)${RULE}`,
        ]);
    });

    it("ignores the same objects outside tenant namespaces", () => {
        const f = fixture("kubernetes:core/v1:Service", "legacy-db", { apiVersion: "v1", kind: "Service", metadata: { name: "legacy-db", namespace: "platform-system" }, spec: { type: "ExternalName", externalName: "db.example.com" } });
        expect(runResourceRule(restrictCrossNamespaceReferences, f, CONFIG)).toEqual([]);
    });
});
