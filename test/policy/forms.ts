// The same change to an object, written in each form a Kubernetes object can take in a Pulumi
// program, so a test can check that a rule judges every form alike.
import { stringify } from "yaml";
import { fixture, type Fixture } from "./support";

/** How the changed object is declared. */
export type FormName = "typed" | "patch" | "list" | "generic" | "node-generic" | "yaml-objs" | "yaml-text";

/** Every form. */
export const FORMS: readonly FormName[] = ["typed", "patch", "list", "generic", "node-generic", "yaml-objs", "yaml-text"];

/** A stack with one object changed and declared in some form. */
export interface Rewritten {
    /** The whole stack after the change. */
    fixtures: Fixture[];
    /** What the pack appends to the object's name in messages, e.g. ` (patched by … "acme-quota-patch")`. */
    note: string;
    /** URN of the resource that declares the changed object. */
    urn: string;
}

// Keys a Patch must carry to name its target, plus the top-level fields the change touched.
function patchBody(before: Record<string, any>, after: Record<string, any>): Record<string, any> {
    const body: Record<string, any> = { apiVersion: after.apiVersion, kind: after.kind, metadata: { name: after.metadata?.name, namespace: after.metadata?.namespace } };
    if (JSON.stringify(before.metadata?.labels) !== JSON.stringify(after.metadata?.labels)) body.metadata.labels = after.metadata?.labels;
    if (JSON.stringify(before.metadata?.annotations) !== JSON.stringify(after.metadata?.annotations)) body.metadata.annotations = after.metadata?.annotations;
    for (const key of Object.keys(after)) {
        if (!["apiVersion", "kind", "metadata"].includes(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key])) body[key] = after[key];
    }
    return body;
}

/**
 * Changes the Kubernetes fixture named `name` with `change` and declares the result in `form`:
 * in place (typed), as a Patch next to the untouched original, or in place of the original as a
 * List item, a generic CustomResource, the Node SDK's `kubernetes:<apiVersion>:<Kind>` token, or a
 * yaml/v2 ConfigGroup's objs or yaml input. The parent stays, so the object keeps its owner.
 */
export function rewrite(fixtures: Fixture[], name: string, form: FormName, change: (body: Record<string, any>) => void): Rewritten {
    // `Kind/name` picks one of a Role and a RoleBinding that share a name.
    const [kind, pulumiName] = name.includes("/") ? name.split("/") : [undefined, name];
    const index = fixtures.findIndex((f) => f.name === pulumiName && f.type.startsWith("kubernetes:") && (!kind || f.type.endsWith(`:${kind}`)));
    if (index < 0) throw new Error(`no fixture named ${name}`);
    const original = fixtures[index];
    // Only a typed declaration has Patch, List and token forms; a generic or yaml one has none.
    if (form !== "typed" && !/^kubernetes:[a-z0-9.-]+\/v[a-z0-9]+:[A-Za-z]+$/.test(original.type)) throw new Error(`${name} is not declared by a typed resource`);
    const after = structuredClone(original.props);
    change(after);
    const parentFixture = fixtures.find((f) => f.urn === original.parent);
    const out = [...fixtures];
    const replace = (type: string, resourceName: string, props: Record<string, unknown>, note: string): Rewritten => {
        const f = fixture(type, resourceName, props, parentFixture, original.protect);
        out.splice(index, 1, f);
        return { fixtures: out, note: note.replace("$TYPE", type).replace("$NAME", resourceName), urn: f.urn };
    };
    switch (form) {
        case "typed":
            return replace(original.type, original.name, after, "");
        case "patch": {
            const f = fixture(`${original.type}Patch`, `${pulumiName}-patch`, patchBody(original.props, after), parentFixture);
            out.push(f);
            return { fixtures: out, note: ` (patched by ${f.type} "${f.name}")`, urn: f.urn };
        }
        case "list":
            return replace(`${original.type}List`, `${pulumiName}-list`, { apiVersion: after.apiVersion, kind: `${after.kind}List`, items: [after] }, ` (item 1 of $TYPE "$NAME")`);
        case "generic":
            return replace("kubernetes:apiextensions.k8s.io:CustomResource", pulumiName, after, ` (declared as $TYPE "$NAME")`);
        case "node-generic":
            return replace(`kubernetes:${after.apiVersion}:${after.kind}`, pulumiName, after, "");
        case "yaml-objs":
            return replace("kubernetes:yaml/v2:ConfigGroup", `${pulumiName}-yaml`, { objs: [after] }, ` (object 1 of $TYPE "$NAME")`);
        case "yaml-text":
            return replace("kubernetes:yaml/v2:ConfigGroup", `${pulumiName}-yaml`, { yaml: stringify(after) }, ` (object 1 of $TYPE "$NAME")`);
    }
}
