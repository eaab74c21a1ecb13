// Pod Security Admission on tenant namespaces: the level each plan enforces. The components label
// every tenant namespace with it and the policy pack requires at least it, so both read it here.

/** Pod Security Standards levels, weakest first. */
export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;

/** A Pod Security Standards level. */
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** Label prefix of Pod Security Admission; `<prefix>enforce`, `<prefix>enforce-version`, `warn`, `audit`. */
export const POD_SECURITY_LABEL_PREFIX = "pod-security.kubernetes.io/";

/** The weakest level any tenant namespace may enforce. */
export const MINIMUM_TENANT_POD_SECURITY: PodSecurityLevel = "baseline";

// Decided with the platform lead (issue #10): enterprise enforces baseline; free, standard and any
// plan added later enforce restricted, so a new plan is never weaker by omission.
const PLAN_POD_SECURITY: Readonly<Record<string, PodSecurityLevel>> = { enterprise: "baseline" };

/** The level a plan's tenant namespaces enforce: `restricted` unless the plan is granted less (never below baseline). */
export function podSecurityLevelOf(plan: string): PodSecurityLevel {
    return Object.hasOwn(PLAN_POD_SECURITY, plan) ? PLAN_POD_SECURITY[plan] : "restricted";
}

/** The Pod Security Admission labels of a tenant namespace on `plan`: enforce its level, warn and audit at restricted, against the latest standards. */
export function podSecurityLabels(plan: string): Record<string, string> {
    const p = POD_SECURITY_LABEL_PREFIX;
    return {
        [`${p}enforce`]: podSecurityLevelOf(plan),
        [`${p}enforce-version`]: "latest",
        [`${p}warn`]: "restricted",
        [`${p}warn-version`]: "latest",
        [`${p}audit`]: "restricted",
        [`${p}audit-version`]: "latest",
    };
}
