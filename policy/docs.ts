import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { EXAMPLES, type ExampleResource } from "./examples";
import { PACK_NAME, RULES } from "./rules";

/** A rule of the pack, resource or stack. */
export type Rule = ResourceValidationPolicy | StackValidationPolicy;

const notUsed = () => {
    throw new Error("rules must not call isType/asType");
};

// Turns example resources into what the pack's server hands rules: URNs, parents linked.
function toPolicyResources(resources: ExampleResource[]): PolicyResource[] {
    const urnOf = new Map<string, string>();
    const typeChain = new Map<string, string>();
    const out: PolicyResource[] = [];
    for (const r of resources) {
        const chain = r.parent ? `${typeChain.get(r.parent)}$${r.type}` : r.type;
        typeChain.set(r.name, chain);
        const urn = `urn:pulumi:dev::tenancy::${chain}::${r.name}`;
        urnOf.set(r.name, urn);
        out.push({
            type: r.type,
            name: r.name,
            urn,
            props: r.props,
            opts: {
                protect: r.protect ?? false,
                ignoreChanges: [],
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
                ...(r.parent ? { parent: urnOf.get(r.parent) } : {}),
            },
            dependencies: [],
            propertyDependencies: {},
            isType: notUsed,
            asType: notUsed,
        });
    }
    resources.forEach((r, i) => {
        if (r.parent) out[i].parent = out[resources.findIndex((p) => p.name === r.parent)];
    });
    return out;
}

/** Runs a rule on its example (with default config) and returns the messages it reports. */
export async function exampleViolations(rule: Rule): Promise<string[]> {
    const example = EXAMPLES[rule.name];
    if (!example) throw new Error(`rule ${rule.name} has no example in policy/examples.ts`);
    const resources = toPolicyResources(example.resources);
    const messages: string[] = [];
    const report = (message: string) => messages.push(message);
    const common = {
        stackTags: new Map<string, string>(),
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`notApplicable: ${reason}`);
        },
    };
    if ("validateStack" in rule) {
        await rule.validateStack({ ...common, resources }, report);
    } else {
        const r = resources[0];
        const validations = Array.isArray(rule.validateResource) ? rule.validateResource : [rule.validateResource!];
        for (const validate of validations) {
            await validate({ ...common, type: r.type, name: r.name, urn: r.urn, props: r.props, opts: r.opts, isType: notUsed, asType: notUsed }, report);
        }
    }
    return messages;
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\n/g, " ");
}

/** Renders POLICIES.md from the pack's own rule metadata and each rule's real example violation. */
export async function renderPoliciesMarkdown(rules: Rule[] = RULES): Promise<string> {
    const lines = [
        `# Policies of \`${PACK_NAME}\``,
        "",
        "<!-- Generated from policy/rules.ts by `npx tsx policy/generate-docs.ts`; test/policy/docs.test.ts fails when this file is stale. Do not edit by hand. -->",
        "",
        "Every rule runs in `pulumi preview --policy-pack policy` and `pulumi up --policy-pack policy`;",
        "a `mandatory` violation stops the update. Resource rules see one resource's inputs; stack rules",
        "see every resource of the stack after the preview. The configuration properties are optional:",
        "their defaults match the program (see `policy/config.ts`).",
        "",
        "| Rule | Level | Kind | What it checks | Configuration | Example violation |",
        "|---|---|---|---|---|---|",
    ];
    for (const rule of rules) {
        const [first] = await exampleViolations(rule);
        if (first === undefined) throw new Error(`the example of rule ${rule.name} is not a violation`);
        const kind = "validateStack" in rule ? "stack" : "resource";
        const config = Object.keys(rule.configSchema?.properties ?? {}).map((k) => `\`${k}\``).join(", ");
        lines.push(
            `| \`${rule.name}\` | ${rule.enforcementLevel} | ${kind} | ${cell(rule.description)} | ${config} | ${cell(`${EXAMPLES[rule.name].change}: ${first}`)} |`,
        );
    }
    return `${lines.join("\n")}\n`;
}
