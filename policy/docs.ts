import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXAMPLE_TENANTS, EXAMPLES, type ExampleResource } from "./examples";
import { NATS_FILE_GRAMMAR } from "./nats-files";
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

let exampleRegistry: string | undefined;

// The examples' registry: the repository's plan catalog (the platform's code) and the examples'
// own tenants, never tenants/*.yaml, so the document does not change with the registry's data.
function exampleRegistryDir(): string {
    if (!exampleRegistry) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-examples-"));
        process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        fs.copyFileSync(path.join(__dirname, "..", "tenants", "plans.yaml"), path.join(dir, "plans.yaml"));
        for (const [name, text] of Object.entries(EXAMPLE_TENANTS)) fs.writeFileSync(path.join(dir, name), text);
        exampleRegistry = dir;
    }
    return exampleRegistry;
}

/** Runs a rule on its example (defaults, with the examples' registry) and returns the messages it reports. */
export async function exampleViolations(rule: Rule): Promise<string[]> {
    const example = EXAMPLES[rule.name];
    if (!example) throw new Error(`rule ${rule.name} has no example in policy/examples.ts`);
    const resources = toPolicyResources(example.resources);
    const messages: string[] = [];
    const report = (message: string) => messages.push(message);
    const common = {
        stackTags: new Map<string, string>(),
        getConfig: <T extends object>() => ({ registryDir: exampleRegistryDir(), ...example.config }) as unknown as T,
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

// What the pack understands and how it fails closed: true of every rule, so said once.
const FORMS_SECTION = [
    "Every rule sees Kubernetes objects through one classification (`policy/objects.ts`), in every form",
    "a Pulumi program can declare them:",
    "",
    "- typed resources (`kubernetes:<group>/<version>:<Kind>`, and the Node SDK's `kubernetes:<apiVersion>:<Kind>` token of a `CustomResource`);",
    "- `…Patch` types and `CustomResourcePatch`: judged as the object they change, merged over every declaration of it in the stack (and alone when it is not declared);",
    "- `…List` types: every item;",
    "- the generic `kubernetes:apiextensions.k8s.io:CustomResource`, by the apiVersion and kind in its inputs;",
    "- yaml/helm/kustomize resources: the objects of their `objs` and `yaml` inputs, and their registered children.",
    "",
    "Anything else fails closed: an object the pack cannot classify, a yaml/helm/kustomize resource whose",
    "objects it cannot see (files, charts, a helm `Release`), or an object of a kind it does not know in a",
    "tenant namespace is a mandatory violation. A value unknown during preview that decides isolation",
    "(a namespace, a tenant label, a subject, a roleRef, a NetworkPolicy peer, a quota or limit, a",
    "Pod Security label, a priority class, the NATS configuration) is a mandatory violation that says what",
    "must be known; an unknown that decides nothing stays quiet. Plans come from the registry the pack",
    "is configured with (`registryDir`, default `../tenants`; `tenancy plan` passes the registry it",
    "planned), never from labels; the cluster's pod and Service ranges are the `podCidrs` (default",
    "`10.244.0.0/16`) and `serviceCidrs` (default `10.96.0.0/12`) properties.",
    "",
];

// The NATS files the server loads: what the pack accepts of them, so reviewers know what they may write.
const NATS_SECTION = [
    "## The NATS files the pack accepts",
    "",
    NATS_FILE_GRAMMAR,
    "",
    "Every JWT in them is read with a strict claim schema (`policy/nats-claims.ts`): the header exactly",
    '`{"typ":"JWT","alg":"ed25519-nkey"}`, canonical base64url, strict JSON (no duplicate key at any depth, integers',
    "only), and per type (operator, account, user) exactly the claims tenancy writes, by exact, case-sensitive",
    "key; no JetStream limits, no `bearer_token`, no expiry. Every key must be the one derived from",
    "`tenancy:natsMasterKey`, as the pack configuration's `natsKeys` (printed by `tenancy pack-config`) pins it.",
    "`test/nats/differential.test.ts` starts nats-server 2.15 on every generated variant the pack accepts and",
    "compares what the server loaded with what the pack read.",
    "",
];

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
        ...FORMS_SECTION,
        ...NATS_SECTION,
        "## Rules",
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
