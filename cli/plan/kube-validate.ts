import { UNKNOWN, unwrapSecrets } from "../engine/wire";
import type { KubeObject, PlannedResource } from "./inventory";

/** One reason the API server would reject an object. */
export interface KubeProblem {
    /** JSON pointer into the object, e.g. `/metadata/labels/tier`. */
    path: string;
    /** What is wrong. */
    message: string;
}

type Validatable = { validate(): void };
type ModelClass = new (data: unknown) => Validatable;

const modules = new Map<string, Record<string, unknown> | undefined>();

/**
 * Loads the schemas of an object's apiVersion ahead of validation, on a later turn of the event
 * loop: the plan calls it as each resource is recorded, while it waits for the program, so that
 * loading kubernetes-models (about 0.3 s) is not left for the end.
 */
export function preloadSchemas(resource: { inputs: Record<string, unknown> }): void {
    const apiVersion = resource.inputs.apiVersion;
    if (typeof apiVersion !== "string" || scheduled.has(apiVersion) || modules.has(apiVersion)) return;
    scheduled.add(apiVersion);
    setImmediate(() => loadModule(apiVersion));
}

// apiVersions whose schemas preloadSchemas will load.
const scheduled = new Set<string>();

function loadModule(apiVersion: string): void {
    if (!modules.has(apiVersion)) {
        let loaded: Record<string, unknown> | undefined;
        try {
            // kubernetes-models publishes one entry point per API group/version, e.g. `kubernetes-models/rbac.authorization.k8s.io/v1`.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            loaded = require(`kubernetes-models/${apiVersion}`);
        } catch {
            loaded = undefined;
        }
        modules.set(apiVersion, loaded);
    }
}

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
    loadModule(apiVersion);
    const model = modules.get(apiVersion)?.[kind];
    return typeof model === "function" ? (model as ModelClass) : undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// Kinds whose names the API server checks as DNS labels rather than subdomains.
const LABEL_NAMED = new Set(["Namespace", "Service"]);

/**
 * Checks an object against the Kubernetes OpenAPI schema (kubernetes-models) plus the name and
 * label syntax the API server enforces outside the schema. Values unknown during a preview are
 * skipped. An apiVersion/kind without a schema yields one problem saying so.
 */
export function validateKube(object: KubeObject): KubeProblem[] {
    const model = modelFor(object.apiVersion, object.kind);
    if (!model) return [{ path: "", message: `no Kubernetes schema for ${object.apiVersion} ${object.kind} in kubernetes-models; the object could not be checked` }];
    const data = withoutUnknowns(unwrapSecrets(object.manifest)) as Record<string, unknown>;
    const problems: KubeProblem[] = [];
    try {
        new model(data).validate();
    } catch (error) {
        const errors = (error as { errors?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }> }).errors;
        if (!errors) throw error;
        for (const e of errors) {
            const missing = e.params?.missingProperty;
            const allowed = Array.isArray(e.params?.allowedValues) ? `: ${(e.params!.allowedValues as unknown[]).join(", ")}` : "";
            problems.push({ path: e.instancePath || "/", message: missing ? `must have required property "${missing}"` : `${e.message ?? "is invalid"}${allowed}` });
        }
    }
    problems.push(...metadataProblems(object.kind, data.metadata as Record<string, unknown> | undefined));
    return dedupe(problems);
}

function metadataProblems(kind: string, metadata: Record<string, unknown> | undefined): KubeProblem[] {
    const problems: KubeProblem[] = [];
    const name = metadata?.name;
    if (typeof name === "string") {
        const labelNamed = LABEL_NAMED.has(kind);
        const max = labelNamed ? 63 : 253;
        if (name.length > max || !(labelNamed ? DNS_LABEL : DNS_SUBDOMAIN).test(name)) {
            problems.push({ path: "/metadata/name", message: `"${name}" is not a valid ${kind} name (${labelNamed ? "a DNS label" : "a DNS subdomain"} of at most ${max} characters)` });
        }
    }
    const namespace = metadata?.namespace;
    if (typeof namespace === "string" && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
        problems.push({ path: "/metadata/namespace", message: `"${namespace}" is not a valid namespace name (a DNS label)` });
    }
    const labels = metadata?.labels;
    if (labels && typeof labels === "object") {
        for (const [key, value] of Object.entries(labels)) {
            if (!validQualifiedName(key)) problems.push({ path: `/metadata/labels/${key}`, message: `label key "${key}" is not a valid qualified name` });
            if (typeof value === "string" && (value.length > 63 || !LABEL_VALUE.test(value))) {
                problems.push({ path: `/metadata/labels/${key}`, message: `label value "${value}" must be at most 63 characters of letters, digits, '-', '_' and '.', starting and ending alphanumeric` });
            }
        }
    }
    const annotations = metadata?.annotations;
    if (annotations && typeof annotations === "object") {
        for (const key of Object.keys(annotations)) {
            if (!validQualifiedName(key)) problems.push({ path: `/metadata/annotations/${key}`, message: `annotation key "${key}" is not a valid qualified name` });
        }
    }
    return problems;
}

function validQualifiedName(key: string): boolean {
    const slash = key.indexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
    return name.length > 0 && name.length <= 63 && LABEL_NAME.test(name);
}

function withoutUnknowns(value: unknown): unknown {
    if (Array.isArray(value)) return value.filter((v) => v !== UNKNOWN).map(withoutUnknowns);
    if (typeof value !== "object" || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== UNKNOWN) out[k] = withoutUnknowns(v);
    return out;
}

function dedupe(problems: KubeProblem[]): KubeProblem[] {
    const seen = new Set<string>();
    return problems.filter((p) => {
        const key = `${p.path}\u0000${p.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

/** What makes two declarations the same object on the cluster: API group, kind, namespace and name. */
export function objectIdentity(kube: KubeObject): string {
    const group = kube.apiVersion.split("/").slice(0, -1).join("/");
    return `${group}/${kube.kind}/${kube.namespace ?? ""}/${kube.name}`;
}

/** The problem validateObjects adds to a second declaration of one object. */
export function duplicateProblem(firstUrn: string): KubeProblem {
    return { path: "/metadata/name", message: `the same object is already declared by ${firstUrn}` };
}

/**
 * Validates every Kubernetes object of a plan and flags an object declared by two resources (they
 * would overwrite each other on every apply, which no schema can see). Returns problems by URN.
 */
export function validateObjects(planned: PlannedResource[]): Map<string, KubeProblem[]> {
    const invalid = new Map<string, KubeProblem[]>();
    const declared = new Map<string, string>();
    for (const r of planned) {
        if (!r.kube) continue;
        const problems = validateKube(r.kube);
        const identity = objectIdentity(r.kube);
        const first = declared.get(identity);
        if (first) problems.push(duplicateProblem(first));
        else declared.set(identity, r.urn);
        if (problems.length) invalid.set(r.urn, problems);
    }
    return invalid;
}
