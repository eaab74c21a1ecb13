// RBAC isolation as the API server's authorizer decides it: SubjectAccessReviews for every
// ordered pair of tenants and every verb that could cross a boundary, each tenant's agent against
// its own secrets by name, the platform controller's rights, and one pair as the real
// ServiceAccount with a TokenRequest token making real requests.
import { describe, expect, inject, it } from "vitest";
import "./support/context";
import { AGENT_SERVICE_ACCOUNT, namespaceOf, NATS_CREDENTIALS_SECRET, PLATFORM_CONTROLLER, PLATFORM_NAMESPACE } from "../../contract";
import { loadRegistry } from "../../registry";
import { adminClient, asToken } from "./support/kube";

const e2e = inject("e2e");
const admin = adminClient(e2e.kubeconfigPath);
const tenants = loadRegistry(e2e.registryDir).entries.map((e) => e.tenant);

/** What one access review asks. */
interface Access {
    verb: string;
    resource: string;
    group?: string;
    name?: string;
    subresource?: string;
}

// Everything that reads another tenant's data, runs code in its namespace or hands out rights there.
const CROSSING: Access[] = [
    ...["get", "list", "watch"].flatMap((verb) => [
        { verb, resource: "secrets" },
        { verb, resource: "configmaps" },
    ]),
    { verb: "create", resource: "pods" },
    { verb: "create", resource: "pods", subresource: "exec" },
    { verb: "create", resource: "rolebindings", group: "rbac.authorization.k8s.io" },
    { verb: "impersonate", resource: "serviceaccounts" },
    { verb: "escalate", resource: "roles", group: "rbac.authorization.k8s.io" },
    { verb: "bind", resource: "roles", group: "rbac.authorization.k8s.io" },
    { verb: "bind", resource: "clusterroles", group: "rbac.authorization.k8s.io" },
    { verb: "create", resource: "serviceaccounts", subresource: "token" },
];

function agentOf(slug: string) {
    const ns = namespaceOf({ slug });
    return { user: `system:serviceaccount:${ns}:${AGENT_SERVICE_ACCOUNT}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"] };
}

async function allowed(who: { user: string; groups: string[] }, namespace: string, access: Access): Promise<boolean> {
    const review = await admin.create({
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { ...who, resourceAttributes: { namespace, ...access, group: access.group ?? "" } },
    } as never);
    if (!review.ok) throw new Error(`SubjectAccessReview refused (${review.status}): ${review.message}`);
    return review.object.status?.allowed === true;
}

const describeAccess = (a: Access) => `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ""}${a.name ? ` ${a.name}` : ""}`;

describe("RBAC isolation, decided by the API server", () => {
    it("denies every tenant's agent every crossing verb in every other tenant's namespace", async () => {
        const granted: string[] = [];
        let reviews = 0;
        for (const a of tenants) {
            for (const b of tenants) {
                if (a.slug === b.slug) continue;
                for (const access of CROSSING) {
                    reviews++;
                    if (await allowed(agentOf(a.slug), namespaceOf(b), access)) granted.push(`${a.slug} → ${namespaceOf(b)}: ${describeAccess(access)}`);
                }
            }
        }
        console.log(`RBAC matrix: ${tenants.length} tenants, ${tenants.length * (tenants.length - 1)} ordered pairs × ${CROSSING.length} verbs = ${reviews} SubjectAccessReviews`);
        expect(reviews).toBe(tenants.length * (tenants.length - 1) * CROSSING.length);
        expect(granted).toEqual([]);
    });

    it("lets each tenant's agent get exactly its declared secrets and its NATS credential, by name, and nothing else", async () => {
        const wrong: string[] = [];
        for (const t of tenants) {
            const who = agentOf(t.slug);
            const ns = namespaceOf(t);
            for (const name of [...t.secrets.map((s) => s.name), NATS_CREDENTIALS_SECRET]) {
                if (!(await allowed(who, ns, { verb: "get", resource: "secrets", name }))) wrong.push(`${t.slug} cannot get its secret ${name}`);
            }
            const denied: Access[] = [
                { verb: "get", resource: "secrets", name: "not-declared" },
                { verb: "list", resource: "secrets" },
                { verb: "watch", resource: "secrets" },
                { verb: "update", resource: "secrets", name: NATS_CREDENTIALS_SECRET },
                { verb: "create", resource: "rolebindings", group: "rbac.authorization.k8s.io" },
                { verb: "escalate", resource: "roles", group: "rbac.authorization.k8s.io" },
                { verb: "create", resource: "pods" },
            ];
            for (const access of denied) if (await allowed(who, ns, access)) wrong.push(`${t.slug} may ${describeAccess(access)} in its own namespace`);
        }
        expect(wrong).toEqual([]);
    });

    it("gives the platform controller pods and PVCs in tenant namespaces, and nothing more", async () => {
        const controller = {
            user: `system:serviceaccount:${PLATFORM_NAMESPACE}:${PLATFORM_CONTROLLER}`,
            groups: ["system:serviceaccounts", `system:serviceaccounts:${PLATFORM_NAMESPACE}`, "system:authenticated"],
        };
        const wrong: string[] = [];
        for (const t of tenants) {
            const ns = namespaceOf(t);
            for (const access of [
                { verb: "create", resource: "pods" },
                { verb: "delete", resource: "pods" },
                { verb: "create", resource: "persistentvolumeclaims" },
                { verb: "get", resource: "pods", subresource: "log" },
            ]) {
                if (!(await allowed(controller, ns, access))) wrong.push(`controller cannot ${describeAccess(access)} in ${ns}`);
            }
            for (const access of [
                { verb: "get", resource: "secrets", name: NATS_CREDENTIALS_SECRET },
                { verb: "create", resource: "rolebindings", group: "rbac.authorization.k8s.io" },
                { verb: "create", resource: "pods", subresource: "exec" },
            ]) {
                if (await allowed(controller, ns, access)) wrong.push(`controller may ${describeAccess(access)} in ${ns}`);
            }
        }
        if (await allowed(controller, "kube-system", { verb: "create", resource: "pods" })) wrong.push("controller may create pods in kube-system");
        expect(wrong).toEqual([]);
    });

    it("as the real ServiceAccount (TokenRequest token): reads its own secret, is refused another tenant's", async () => {
        const [a, b] = tenants.filter((t) => t.lifecycle === "active");
        expect(b, "the registry needs two active tenants for this check").toBeDefined();
        const agent = await asToken(admin, namespaceOf(a), AGENT_SERVICE_ACCOUNT);
        expect(await agent.get(`/api/v1/namespaces/${namespaceOf(a)}/secrets/${NATS_CREDENTIALS_SECRET}`)).toBe(200);
        expect(await agent.get(`/api/v1/namespaces/${namespaceOf(b)}/secrets/${NATS_CREDENTIALS_SECRET}`)).toBe(403);
        expect(await agent.get(`/api/v1/namespaces/${namespaceOf(a)}/secrets`)).toBe(403);
        expect(await agent.get(`/api/v1/namespaces/${namespaceOf(b)}/configmaps`)).toBe(403);
    });
});
