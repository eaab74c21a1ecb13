// How every rule of the pack is built: it reads plain properties (never the proxy that turns an
// unknown into an advisory pass), sees Kubernetes objects through objects.ts in every form, and a
// read of an unknown that slips through anyway becomes a mandatory violation, not a skip.
import type { ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, readConfig, type ConfigKey, type GuardConfig } from "./config";
import type { Declaration } from "./objects";
import { resourceView } from "./resource-view";
import { StackIndex } from "./stack-index";

// The error @pulumi/policy throws when something reads an unknown through its proxy; its typings
// do not export it, the module does, and `instanceof` is the only reliable test.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: never[]) => Error };

/** Reports one violation; stack rules name the URN it is about. */
export type Report = (message: string, urn?: string) => void;

/** What a rule is: its name, its "Checks that…" description and the configuration it reads. */
export interface RuleMeta {
    /** kebab-case name. */
    name: string;
    /** One sentence starting "Checks that". */
    description: string;
    /** Configuration properties the rule reads. */
    config: readonly ConfigKey[];
}

/** What a resource rule is given: the configuration and the objects the resource declares. */
export interface ResourceInput {
    /** The pack configuration with defaults applied. */
    config: GuardConfig;
    /** The Kubernetes objects the resource declares, in whatever form. */
    declaration: Declaration;
    /** The raw arguments (options, type, name). */
    args: ResourceValidationArgs;
}

function failClosed(rule: string, run: () => void, report: Report): void {
    try {
        run();
    } catch (error) {
        if (!(error instanceof UnknownValueError)) throw error;
        report(`Rule ${rule} read a value that is unknown during preview (${error.message}); every value this rule checks must be known during preview.`);
    }
}

/** A mandatory resource rule over the objects one resource declares. */
export function resourceRule(meta: RuleMeta, check: (input: ResourceInput, report: (message: string) => void) => void): ResourceValidationPolicy {
    return {
        name: meta.name,
        description: meta.description,
        enforcementLevel: "mandatory",
        configSchema: configSchemaFor(meta.config),
        validateResource: (args, reportViolation) => {
            const config = readConfig(args.getConfig<Partial<GuardConfig>>());
            const { declaration } = resourceView(args.type, args.name, args.props);
            failClosed(meta.name, () => check({ config, declaration, args }, (m) => reportViolation(m)), (m) => reportViolation(m));
        },
    };
}

/** A mandatory stack rule over the index of every object of the stack. */
export function stackRule(meta: RuleMeta, check: (index: StackIndex, config: GuardConfig, report: Report) => void): StackValidationPolicy {
    return {
        name: meta.name,
        description: meta.description,
        enforcementLevel: "mandatory",
        configSchema: configSchemaFor(meta.config),
        validateStack: (args, reportViolation) => {
            const config = readConfig(args.getConfig<Partial<GuardConfig>>());
            failClosed(meta.name, () => check(new StackIndex(args.resources), config, reportViolation), reportViolation);
        },
    };
}
