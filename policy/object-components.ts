// yaml, helm and kustomize resources: what the pack can read of the objects they declare.
import { parseAllDocuments } from "yaml";
import { MAX_ALIAS_COUNT } from "../registry";
import { isUnknown } from "./unknowns";

/** What a yaml/helm/kustomize resource's inputs say about the objects it declares. */
export interface ComponentDeclaration {
    /** Object bodies read from `objs` and `yaml` inputs (Lists expanded). */
    items: unknown[];
    /** Why some inputs could not be read (unknown during preview, yaml that does not parse). */
    problems: string[];
    /** Inputs naming content the pack cannot read (files, a chart, a directory), if any. */
    hidden?: string;
    /** A helm Release: its objects are installed by helm inside the cluster and never registered, so never visible. */
    release: boolean;
}

const FAMILIES: Record<string, "yaml" | "helm" | "kustomize"> = {
    yaml: "yaml",
    "yaml/v2": "yaml",
    "helm.sh/v2": "helm",
    "helm.sh/v3": "helm",
    "helm.sh/v4": "helm",
    kustomize: "kustomize",
    "kustomize/v2": "kustomize",
};

// Inputs that point at content outside the inputs themselves.
const HIDDEN_INPUTS: Record<"yaml" | "helm" | "kustomize", string[]> = {
    yaml: ["files", "file"],
    helm: ["chart", "path", "repo", "repositoryOpts"],
    kustomize: ["directory"],
};

/** Reads a yaml/helm/kustomize resource's inputs, or returns undefined for any other module. */
export function readComponent(module: string, name: string, props: Record<string, unknown>): ComponentDeclaration | undefined {
    const family = FAMILIES[module];
    if (!family) return undefined;
    const out: ComponentDeclaration = { items: [], problems: [], release: family === "helm" && name === "Release" };
    if (isUnknown(props.objs)) out.problems.push("its objs input is unknown during preview");
    else for (const o of listOf(props.objs)) expand(o, out.items);
    if (isUnknown(props.yaml)) out.problems.push("its yaml input is unknown during preview");
    else listOf(props.yaml).forEach((text, i) => readYaml(text, i, out));
    const hidden = HIDDEN_INPUTS[family].filter((key) => props[key] !== undefined && props[key] !== null && props[key] !== "");
    if (hidden.length > 0) out.hidden = hidden.map((key) => `${key} ${describeInput(props[key])}`).join(", ");
    return out;
}

function listOf(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

function describeInput(value: unknown): string {
    if (isUnknown(value)) return "(unknown during preview)";
    return JSON.stringify(value).slice(0, 120);
}

// A List object stands for its items, as kubectl and Pulumi's yaml components apply them.
function expand(value: unknown, into: unknown[]): void {
    const o = value as { kind?: unknown; items?: unknown } | null;
    if (o && typeof o === "object" && !Array.isArray(o) && o.kind === "List" && Array.isArray(o.items)) {
        for (const item of o.items) expand(item, into);
    } else into.push(value);
}

function readYaml(text: unknown, index: number, out: ComponentDeclaration): void {
    const where = `its yaml input${index > 0 ? ` ${index + 1}` : ""}`;
    if (isUnknown(text)) {
        out.problems.push(`${where} is unknown during preview`);
        return;
    }
    if (typeof text !== "string") {
        out.problems.push(`${where} is not text`);
        return;
    }
    try {
        for (const doc of parseAllDocuments(text)) {
            if (doc.errors.length > 0) throw new Error(doc.errors[0].message);
            const value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
            if (value !== null && value !== undefined) expand(value, out.items);
        }
    } catch (error) {
        out.problems.push(`${where} does not parse as YAML (${(error as Error).message.split("\n")[0]})`);
    }
}
