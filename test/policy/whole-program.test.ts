import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPolicyPack, type PolicyHost } from "../../cli/engine";
import { RULES } from "../../policy/rules";
import { MUTATIONS, type Mutation } from "./corpus";
import { BENIGN, FORM_BENIGN } from "./corpus-benign";
import { FORM_MUTATIONS } from "./corpus-forms";
import { NATS_BENIGN, NATS_MUTATIONS, SERVER_MUTATIONS } from "./corpus-nats";
import { analyzeWorld, PACK_CONFIG, recordExample, ROOT, World, type Preview } from "./world";

const ALL_MUTATIONS: Mutation[] = [...MUTATIONS, ...NATS_MUTATIONS, ...SERVER_MUTATIONS, ...FORM_MUTATIONS];
const ALL_BENIGN = [...BENIGN, ...NATS_BENIGN, ...FORM_BENIGN];

let preview: Preview;
let host: PolicyHost;

beforeAll(async () => {
    [preview, host] = await Promise.all([recordExample(), startPolicyPack({ packDir: path.join(ROOT, "policy"), config: PACK_CONFIG })]);
});

afterAll(async () => {
    await host?.stop();
});

describe("the program over the policy tests' registry, through the pack", () => {
    it("registers every tenant's objects", () => {
        const namespaces = preview.inputs
            .filter((r) => r.type === "kubernetes:core/v1:Namespace")
            .map((r) => (r.properties.metadata as { name: string }).name)
            .filter((name) => name.startsWith("org-"));
        expect(namespaces).toEqual(["org-acme", "org-globex", "org-initech"]);
        expect(preview.inputs.filter((r) => r.type.startsWith("kubernetes:")).length).toBeGreaterThanOrEqual(40);
    });

    it("passes every rule with zero diagnostics (Analyze per resource, then AnalyzeStack)", async () => {
        expect(await analyzeWorld(host, new World(preview))).toEqual([]);
    });

    it("has a corpus of cross-tenant mutations covering every rule", () => {
        expect(ALL_MUTATIONS.length).toBeGreaterThanOrEqual(70);
        const covered = new Set(ALL_MUTATIONS.map((m) => m.rule));
        expect(RULES.map((r) => r.name).filter((name) => !covered.has(name))).toEqual([]);
    });

    it("registers a NATS credential and account file per tenant, operator.conf and the platform's credential", () => {
        const names = preview.inputs.filter((r) => r.custom && /nats-(account-.*|operator|platform-credentials|credentials)$/.test(r.name)).map((r) => r.name);
        expect(names.sort()).toEqual([
            "acme-nats-credentials", "globex-nats-credentials", "initech-nats-credentials",
            "nats-account-org_7f3k2m9q", "nats-account-org_k4x8p2wn", "nats-account-org_q9d5t1ze", "nats-operator", "nats-platform-credentials",
        ]);
    });

    it.each(ALL_MUTATIONS.map((m) => [m.change, m] as const))("blocks: %s", async (_change, mutation) => {
        const diagnostics = await analyzeWorld(host, mutation.apply(new World(preview)), preview);
        const reported = diagnostics.filter((d) => d.policyName === mutation.rule && d.enforcementLevel === "mandatory");
        expect(reported.map((d) => d.message).join("\n")).toContain(mutation.says);
        expect(diagnostics.filter((d) => d.enforcementLevel !== "mandatory")).toEqual([]);
    });

    it.each(ALL_BENIGN.map((b) => [b.change, b] as const))("allows: %s", async (_change, benign) => {
        expect(await analyzeWorld(host, benign.apply(new World(preview)), preview)).toEqual([]);
    });
});
