import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePlanKey, recordInChild } from "../../cli/engine";
import { engineResources, type EngineResource, type PolicyConfig, type PolicyDiagnostic, type PolicyHost } from "../../cli/engine";
import { packConfig } from "../../cli/plan/pack-config";
import { natsKeysOf } from "./fixtures";
import { TEST_NATS_MASTER_KEY_CONFIG } from "../support/nats-master-key";
import { REGISTRY_DIR } from "./registry";

/** Project root. */
export const ROOT = path.resolve(__dirname, "../..");

/** Secret values for the declared secrets of the policy tests' registry (test values, never real). */
export const EXAMPLE_SECRETS = {
    acme: { "openai-api": { apiKey: "sk-test-acme" } },
    globex: { "anthropic-api": { apiKey: "sk-test-globex" } },
};

/** The pack configuration `tenancy plan` would send for that registry: its directory, and the NATS rule its natsKeys. */
export const PACK_CONFIG: PolicyConfig = packConfig({ registryDir: REGISTRY_DIR, natsKeys: natsKeysOf() });

/** What the engine sends for one preview of the program: inputs to Analyze, outputs to AnalyzeStack. */
export interface Preview {
    /** Per resource, Analyze's view (inputs). */
    inputs: EngineResource[];
    /** Per resource, AnalyzeStack's view (outputs). */
    outputs: EngineResource[];
}

/** Records the real program (infra/index.ts) over the policy tests' registry under the recording mock monitor. */
export async function recordExample(): Promise<Preview> {
    const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-world-"));
    try {
        const keyFile = path.join(keyDir, "plan-key");
        ensurePlanKey(keyFile);
        const recorded = await recordInChild({
            programFile: path.join(ROOT, "infra", "index.ts"),
            project: "tenancy",
            stack: "dev",
            cwd: ROOT,
            keyFile,
            config: { "tenancy:secrets": JSON.stringify(EXAMPLE_SECRETS), "tenancy:tenantsDir": REGISTRY_DIR, ...TEST_NATS_MASTER_KEY_CONFIG },
            secretKeys: ["tenancy:natsMasterKey", "tenancy:secrets"],
        });
        return { inputs: engineResources(recorded, "inputs"), outputs: engineResources(recorded, "outputs") };
    } finally {
        fs.rmSync(keyDir, { recursive: true, force: true });
    }
}

/** A mutable copy of a preview, edited by Kubernetes resource name in both views at once. */
export class World {
    readonly inputs: EngineResource[];
    readonly outputs: EngineResource[];

    constructor(preview: Preview) {
        this.inputs = structuredClone(preview.inputs);
        this.outputs = structuredClone(preview.outputs);
    }

    // `name` is a Pulumi name, or `Kind/name` where a Role and its RoleBinding share the name.
    private index(name: string): number {
        const [kind, pulumiName] = name.includes("/") ? name.split("/") : [undefined, name];
        const found = this.inputs
            .map((r, i) => [r, i] as const)
            .filter(([r]) => r.custom && r.name === pulumiName && (!kind || r.type.endsWith(`:${kind}`)));
        if (found.length !== 1) throw new Error(`the program registered ${found.length} resources named ${name}; expected exactly one`);
        return found[0][1];
    }

    /** Applies `change` to a resource's properties in both views. */
    edit(name: string, change: (props: any) => void): this {
        const i = this.index(name);
        change(this.inputs[i].properties);
        change(this.outputs[i].properties);
        return this;
    }

    /** Applies `change` to a resource's options in both views. */
    options(name: string, change: (options: EngineResource["options"]) => void): this {
        const i = this.index(name);
        change(this.inputs[i].options);
        change(this.outputs[i].options);
        return this;
    }

    /** Removes a resource. */
    remove(name: string): this {
        const i = this.index(name);
        this.inputs.splice(i, 1);
        this.outputs.splice(i, 1);
        return this;
    }

    /** A resource's properties (inputs view), by Pulumi name or `Kind/name`. */
    get(name: string): any {
        return this.inputs[this.index(name)].properties;
    }

    /**
     * Adds a hand-written Kubernetes resource, as someone might in infra/: at the top of the stack,
     * or under the component of type `under.type` named `under.name` (e.g. a tenant's).
     */
    add(type: string, name: string, properties: Record<string, unknown>, under?: { type: string; name: string }): this {
        const parent = under
            ? this.inputs.find((r) => r.type === under.type && r.name === under.name)!
            : this.inputs.find((r) => r.type === "pulumi:pulumi:Stack")!;
        const chain = parent.type === "pulumi:pulumi:Stack" ? type : `${parent.urn.split("::")[2]}$${type}`;
        const provider = this.inputs.find((r) => r.provider)?.provider;
        const resource: EngineResource = {
            type,
            name,
            urn: `urn:pulumi:dev::tenancy::${chain}::${name}`,
            properties,
            options: { parent: parent.urn },
            parent: parent.urn,
            ...(provider ? { provider } : {}),
            dependencies: [],
            propertyDependencies: {},
            custom: true,
        };
        this.inputs.push(resource);
        this.outputs.push(structuredClone(resource));
        return this;
    }
}

/**
 * Runs what the engine would for this preview: Analyze for every resource whose inputs differ from
 * the baseline (the engine analyzes every step; unchanged ones were shown to pass), then
 * AnalyzeStack over all outputs.
 */
export async function analyzeWorld(host: PolicyHost, world: World, baseline?: Preview): Promise<PolicyDiagnostic[]> {
    const before = new Map((baseline?.inputs ?? []).map((r) => [r.urn, JSON.stringify(r)]));
    const diagnostics: PolicyDiagnostic[] = [];
    for (const resource of world.inputs) {
        if (baseline && before.get(resource.urn) === JSON.stringify(resource)) continue;
        diagnostics.push(...(await host.analyze(resource)));
    }
    diagnostics.push(...(await host.analyzeStack(world.outputs)));
    return diagnostics;
}
