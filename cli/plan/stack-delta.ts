// How the stack file changed since --base, as far as tenants go. Two of its keys are per tenant:
// `tenancy:secrets.<slug>` (secret values, set in the tenant's pull request) and
// `tenancy:natsKeyGenerations.<slug>` (a NATS key rotation). A change to nothing else of the file
// keeps the plan to the touched tenants, and a generation change is planned as what it is: the
// base is recorded with the base's generations, so the rotation shows in the diff.
import { parse } from "yaml";
import { DEFAULT_NATS_KEY_GENERATION, NATS_KEY_GENERATIONS_CONFIG } from "../../contract";
import { canonicalJson } from "../engine/wire";

const SECRETS_CONFIG = "tenancy:secrets";
const PER_TENANT = [SECRETS_CONFIG, NATS_KEY_GENERATIONS_CONFIG];

/** A tenant's NATS key generation raised (or lowered) since --base. */
export interface KeyRotation {
    slug: string;
    from: number;
    to: number;
}

/** The stack file at --base against the working tree's. */
export interface StackDelta {
    /** Whether the file changed at all. */
    changed: boolean;
    /** Whether everything that changed is per tenant (secret values, key generations). */
    tenantOnly: boolean;
    /** Slugs whose secret values or key generation changed. */
    touched: Set<string>;
    /** Key generation changes, by slug. */
    rotations: KeyRotation[];
    /** `tenancy:natsKeyGenerations` at --base (JSON, as the config carries it), undefined when the base does not set it. */
    baseGenerations?: string;
}

/** Compares the stack file's text at --base and now (undefined: no such file). */
export function stackDelta(baseText: string | undefined, headText: string | undefined): StackDelta {
    const base = readDoc(baseText);
    const head = readDoc(headText);
    const baseGenerations = base?.config[NATS_KEY_GENERATIONS_CONFIG];
    const result: StackDelta = {
        changed: baseText !== headText, tenantOnly: false, touched: new Set(), rotations: [],
        ...(baseGenerations !== undefined ? { baseGenerations: JSON.stringify(baseGenerations) } : {}),
    };
    if (!result.changed) return { ...result, tenantOnly: true };
    if (!base || !head) return result;
    const rest = (doc: ParsedDoc) => canonicalJson({ ...doc.raw, config: Object.fromEntries(Object.entries(doc.config).filter(([k]) => !PER_TENANT.includes(k))) });
    result.tenantOnly = rest(base) === rest(head);
    for (const key of PER_TENANT) {
        const before = asObject(base.config[key]);
        const after = asObject(head.config[key]);
        if (!before || !after) {
            // Not a mapping of slugs: whatever it is, it is not a per-tenant change.
            if (canonicalJson(base.config[key] ?? null) !== canonicalJson(head.config[key] ?? null)) result.tenantOnly = false;
            continue;
        }
        for (const slug of new Set([...Object.keys(before), ...Object.keys(after)])) {
            if (canonicalJson(before[slug] ?? null) === canonicalJson(after[slug] ?? null)) continue;
            result.touched.add(slug);
            if (key === NATS_KEY_GENERATIONS_CONFIG) {
                const from = generation(before[slug]);
                const to = generation(after[slug]);
                if (from !== to) result.rotations.push({ slug, from, to });
            }
        }
    }
    result.rotations.sort((a, b) => (a.slug < b.slug ? -1 : 1));
    return result;
}

interface ParsedDoc {
    raw: Record<string, unknown>;
    config: Record<string, unknown>;
}

function readDoc(text: string | undefined): ParsedDoc | undefined {
    if (text === undefined) return undefined;
    try {
        const raw = (parse(text) ?? {}) as Record<string, unknown>;
        if (typeof raw !== "object" || Array.isArray(raw)) return undefined;
        return { raw, config: asObject(raw.config) ?? {} };
    } catch {
        return undefined;
    }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return {};
    return typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function generation(value: unknown): number {
    return typeof value === "number" ? value : DEFAULT_NATS_KEY_GENERATION;
}
