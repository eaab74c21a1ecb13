// What makes a ResourceQuota a priority ceiling: zero pods in every PriorityClass above a plan.
import { compareQuantities, parseExactQuantity } from "../registry";
import { arrayOf } from "./helpers";
import type { StackObject } from "./stack-index";
import { firstUnknown, isUnknown } from "./unknowns";

interface Expression {
    scopeName?: string;
    operator?: string;
    values?: string[];
}

// Whether a scope selector expression selects the pods of PriorityClass `name`.
function selects(e: Expression, name: string): boolean {
    if (e.scopeName !== "PriorityClass") return false;
    const values = arrayOf<string>(e.values);
    switch (e.operator) {
        case "In":
            return values.includes(name);
        case "NotIn":
            return !values.includes(name);
        case "Exists":
            return true;
        default:
            return false;
    }
}

/** Why a quota does not keep every pod of `above` out (allows more than zero pods of one of them), or undefined when it does. */
export function ceilingProblem(quota: StackObject, above: readonly string[]): string | undefined {
    const unknown = firstUnknown(quota.body.spec, "spec");
    if (unknown) return `has ${unknown} unknown during preview`;
    const spec = (quota.body.spec ?? {}) as Record<string, unknown>;
    const pods = ((spec.hard ?? {}) as Record<string, unknown>).pods;
    const value = typeof pods === "string" || typeof pods === "number" ? parseExactQuantity(pods) : undefined;
    if (value === undefined) return "sets no hard pods limit";
    if (compareQuantities(value, { num: 0n, den: 1n }) > 0) return `allows ${String(pods)} pods`;
    // Every scope narrows the pods a quota applies to; any scope but the PriorityClass selector lets pods escape it.
    if (arrayOf(spec.scopes).length > 0) return `also scopes by ${arrayOf(spec.scopes).join(", ")}, which pods can avoid`;
    const expressions = arrayOf<Expression>(((spec.scopeSelector ?? {}) as Record<string, unknown>).matchExpressions);
    if (expressions.length === 0) return "has no scopeSelector on PriorityClass";
    const other = expressions.find((e) => e?.scopeName !== "PriorityClass");
    if (other) return `also selects by ${String(other?.scopeName)}, which pods can avoid`;
    const missed = above.filter((name) => !expressions.every((e) => selects(e, name)));
    return missed.length > 0 ? `does not cover ${missed.join(", ")}` : undefined;
}

/** Every `priorityClassName` inside an object (pods, pod templates, and any custom field of that name), with its path. */
export function priorityClassNames(value: unknown, path = ""): { path: string; value: unknown }[] {
    if (isUnknown(value) || value === null || typeof value !== "object") return [];
    if (Array.isArray(value)) return value.flatMap((v, i) => priorityClassNames(v, `${path}[${i}]`));
    const out: { path: string; value: unknown }[] = [];
    for (const [key, v] of Object.entries(value)) {
        const at = path ? `${path}.${key}` : key;
        if (key === "priorityClassName") out.push({ path: at, value: v });
        else out.push(...priorityClassNames(v, at));
    }
    return out;
}
