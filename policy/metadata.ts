import { isUnknown, UNKNOWN } from "./unknowns";

/** Metadata of a declared object; any field may be {@link UNKNOWN} during preview. */
export interface ObjectMeta {
    /** metadata.name (UNKNOWN when unknown, undefined when absent). */
    name?: string;
    /** metadata.namespace (UNKNOWN when unknown, undefined when absent). */
    namespace?: string;
    /** metadata.labels; a value may be UNKNOWN. */
    labels: Record<string, string>;
    /** The whole label map is unknown: every label reads as UNKNOWN. */
    labelsUnknown: boolean;
    /** metadata.annotations; a value may be UNKNOWN. */
    annotations: Record<string, string>;
    /** The whole annotation map is unknown. */
    annotationsUnknown: boolean;
}

function stringField(value: unknown): string | undefined {
    if (isUnknown(value)) return UNKNOWN;
    return typeof value === "string" && value !== "" ? value : undefined;
}

function stringMap(value: unknown): Record<string, string> {
    if (!value || typeof value !== "object" || Array.isArray(value)) return {};
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(value)) if (typeof v === "string") out[key] = v;
    return out;
}

/** Reads metadata from an object body (plain data), tolerating missing or malformed fields. */
export function metadataOf(body: Record<string, unknown>): ObjectMeta {
    const meta = body.metadata;
    if (isUnknown(meta)) {
        return { name: UNKNOWN, namespace: UNKNOWN, labels: {}, labelsUnknown: true, annotations: {}, annotationsUnknown: true };
    }
    const m = (meta && typeof meta === "object" && !Array.isArray(meta) ? meta : {}) as Record<string, unknown>;
    return {
        name: stringField(m.name),
        namespace: stringField(m.namespace),
        labels: stringMap(m.labels),
        labelsUnknown: isUnknown(m.labels),
        annotations: stringMap(m.annotations),
        annotationsUnknown: isUnknown(m.annotations),
    };
}

/** A label's value: UNKNOWN when it (or the whole map) is unknown, undefined when absent. */
export function labelOf(meta: ObjectMeta, key: string): string | undefined {
    return meta.labelsUnknown ? UNKNOWN : meta.labels[key];
}

/** An annotation's value: UNKNOWN when it (or the whole map) is unknown, undefined when absent. */
export function annotationOf(meta: ObjectMeta, key: string): string | undefined {
    return meta.annotationsUnknown ? UNKNOWN : meta.annotations[key];
}

/** Shows a possibly unknown value in a message. */
export function shown(value: string | undefined, absent = "(none)"): string {
    if (value === undefined) return absent;
    return isUnknown(value) ? "(unknown during preview)" : value;
}
