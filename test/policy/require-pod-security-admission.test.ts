import { describe, expect, it } from "vitest";
import { requirePodSecurityAdmission } from "../../policy/require-pod-security-admission";
import { byName, CONFIG, world } from "./fixtures";
import { rewrite } from "./forms";
import { runStackRule, type Fixture } from "./support";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ENFORCE = "pod-security.kubernetes.io/enforce";
const run = (resources: Fixture[], config: object = CONFIG) => runStackRule(requirePodSecurityAdmission, resources, config);
const messages = async (resources: Fixture[], config: object = CONFIG) => (await run(resources, config)).map((r) => r.message);

describe("require-pod-security-admission", () => {
    it("accepts the program's labels: restricted on free and standard, baseline on enterprise", async () => {
        expect(await run(world())).toEqual([]);
    });

    it("reports a level below the plan's, below baseline, missing, not a level, or unknown during preview", async () => {
        const resources = world(["acme", "globex"]);
        const acme = byName(resources, "acme-namespace").props.metadata.labels;
        const globex = byName(resources, "globex-namespace").props.metadata.labels;
        acme[ENFORCE] = "baseline";
        globex[ENFORCE] = "privileged";
        expect(await messages(resources)).toEqual([
            `Namespace "org-acme" of tenant acme enforces Pod Security "baseline" (${ENFORCE}); tenant acme's standard plan requires at least "restricted".`,
            `Namespace "org-globex" of tenant globex enforces Pod Security "privileged" (${ENFORCE}); tenant globex's enterprise plan requires at least "baseline".`,
        ]);
        delete acme[ENFORCE];
        globex[ENFORCE] = "strict";
        expect(await messages(resources)).toEqual([
            `Namespace "org-acme" of tenant acme does not set ${ENFORCE}; tenant acme's standard plan requires at least "restricted".`,
            `Namespace "org-globex" of tenant globex sets ${ENFORCE}=strict, which is not a Pod Security level (privileged, baseline, restricted); tenant globex's enterprise plan requires at least "baseline".`,
        ]);
        acme[ENFORCE] = UNKNOWN;
        globex[ENFORCE] = "restricted";
        expect(await messages(resources)).toEqual([`Namespace "org-acme" of tenant acme has ${ENFORCE} unknown during preview; it must be known, and tenant acme's standard plan requires at least "restricted".`]);
    });

    it("reports a pinned enforce-version, and accepts an enterprise tenant enforcing more than it must", async () => {
        const resources = world(["globex"]);
        const labels = byName(resources, "globex-namespace").props.metadata.labels;
        labels[ENFORCE] = "restricted";
        expect(await run(resources)).toEqual([]);
        labels[`${ENFORCE}-version`] = "v1.20";
        expect(await messages(resources)).toEqual([
            `Namespace "org-globex" of tenant globex pins ${ENFORCE}-version to "v1.20"; it must be "latest" (or absent) so the namespace enforces the current standards.`,
        ]);
    });

    it("judges a Patch merged over the namespace: one that lowers the level is reported, one that touches other labels is not", async () => {
        const lowered = rewrite(world(["acme"]), "acme-namespace", "patch", (b) => (b.metadata.labels[ENFORCE] = "privileged"));
        expect(await messages(lowered.fixtures)).toEqual([
            `Namespace "org-acme" (patched by kubernetes:core/v1:NamespacePatch "acme-namespace-patch") of tenant acme enforces Pod Security "privileged" (${ENFORCE}); tenant acme's standard plan requires at least "restricted".`,
        ]);
        const other = rewrite(world(["acme"]), "acme-namespace", "patch", (b) => (b.metadata.labels["example.com/team"] = "agents"));
        expect(await run(other.fixtures)).toEqual([]);
    });

    it("requires restricted when the registry cannot say the tenant's plan", async () => {
        const missing = `${CONFIG.registryDir}-missing`;
        expect(await messages(world(["globex"]), { registryDir: missing })).toEqual([
            `Namespace "org-globex" of tenant globex enforces Pod Security "baseline" (${ENFORCE}); its plan is not known because the registry at ${missing} did not load (${missing}:1:1 (file): registry directory not found; pass --tenants DIR), so it must enforce "restricted" until the registry names its plan.`,
        ]);
    });
});
