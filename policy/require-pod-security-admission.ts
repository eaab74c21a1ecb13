import type { StackValidationPolicy } from "@pulumi/policy";
import { MINIMUM_TENANT_POD_SECURITY, POD_SECURITY_LABEL_PREFIX, POD_SECURITY_LEVELS, podSecurityLevelOf, type PodSecurityLevel } from "../contract";
import { tenantOfNamespace } from "./helpers";
import { labelOf } from "./metadata";
import { describeObject } from "./objects";
import { stackRule } from "./rule-kit";
import type { StackObject } from "./stack-index";
import { entryFor, registryFor, type RegistryView } from "./tenant-registry";
import { isUnknown } from "./unknowns";

const ENFORCE = `${POD_SECURITY_LABEL_PREFIX}enforce`;
const ENFORCE_VERSION = `${POD_SECURITY_LABEL_PREFIX}enforce-version`;
const rank = (level: string) => POD_SECURITY_LEVELS.indexOf(level as PodSecurityLevel);

/** Checks that every tenant namespace enforces Pod Security at least at baseline and at its plan's level. */
export const requirePodSecurityAdmission: StackValidationPolicy = stackRule(
    {
        name: "require-pod-security-admission",
        description:
            "Checks that every tenant namespace, in every form it is declared, enforces Pod Security Admission at least at baseline and at the level of the tenant's plan in the registry, against the latest standards.",
        config: ["tenantNamespacePrefix", "registryDir"],
    },
    (index, config, report) => {
        const view = registryFor(config);
        for (const [name, variants] of index.namespaces) {
            const slug = tenantOfNamespace(name, config);
            if (!slug) continue;
            const required = requiredLevel(view, slug, index.tenantIdOf(slug, config));
            for (const ns of variants) {
                const problem = labelProblem(ns, required);
                if (problem) report(`${describeObject(ns)} of tenant ${slug} ${problem}`, ns.resource.urn);
            }
        }
    },
);

interface Required {
    level: PodSecurityLevel;
    /** Why, for messages: "tenant acme's standard plan requires …". */
    because: string;
}

function requiredLevel(view: RegistryView, slug: string, id: string | undefined): Required {
    const found = entryFor(view, slug, id);
    if ("problem" in found) return { level: "restricted", because: `its plan is not known because ${found.problem}, so it must enforce "restricted" until the registry names its plan` };
    const planLevel = podSecurityLevelOf(found.entry.tenant.plan);
    const level = rank(planLevel) >= rank(MINIMUM_TENANT_POD_SECURITY) ? planLevel : MINIMUM_TENANT_POD_SECURITY;
    return { level, because: `tenant ${slug}'s ${found.entry.tenant.plan} plan requires at least "${level}"` };
}

function labelProblem(ns: StackObject, required: Required): string | undefined {
    const enforce = labelOf(ns.meta, ENFORCE);
    const version = labelOf(ns.meta, ENFORCE_VERSION);
    if (enforce === undefined) return `does not set ${ENFORCE}; ${required.because}.`;
    if (isUnknown(enforce)) return `has ${ENFORCE} unknown during preview; it must be known, and ${required.because}.`;
    if (rank(enforce) < 0) return `sets ${ENFORCE}=${enforce}, which is not a Pod Security level (${POD_SECURITY_LEVELS.join(", ")}); ${required.because}.`;
    if (rank(enforce) < rank(required.level)) return `enforces Pod Security "${enforce}" (${ENFORCE}); ${required.because}.`;
    if (version !== undefined && version !== "latest") {
        return `pins ${ENFORCE_VERSION} to ${isUnknown(version) ? "a value unknown during preview" : `"${version}"`}; it must be "latest" (or absent) so the namespace enforces the current standards.`;
    }
    return undefined;
}
