import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePlanKey, planKeyPath } from "../../../cli/engine";
import { keyCachePath, openKeyCache } from "../../../cli/plan/key-cache";
import { emulatedMasterKey } from "../../../cli/plan/master-key";
import { natsStackKeys } from "../../../components";
import { parseNatsMasterKey } from "../../../components/nats-keys";
import { loadRegistry } from "../../../registry";
import { EXAMPLE_REGISTRY } from "../../support/registry-fixture";
import { type CliRun, isolatePlanKey, readTree, removeTempDirs, ROOT, runCli, tempDir } from "./support";

// Two in-process plans of the example registry (JSON to stdout, files to --out) and one through
// the real `node bin/tenancy.js` process: determinism is checked across all three. They run in a
// project of their own whose stack file sets acme's openai-api value in clear, encrypts globex's
// and leaves acme's github-app unset, so redaction, placeholders and missing values are all seen.
const home = isolatePlanKey();
afterAll(removeTempDirs);
const first = tempDir("plan-out-1");
const second = tempDir("plan-out-2");
const revealed = tempDir("plan-out-revealed");
const project = tempDir("plan-project");
const PLAIN_SECRET = "sk-example-plain-value-1234";
const args = ["--stack", "ci", "--tenants", EXAMPLE_REGISTRY, "--policy-pack", path.join(ROOT, "policy")];
let run1: CliRun;
let run2: { code: number; stdout: string; stderr: string };
let run3: CliRun;

beforeAll(async () => {
    const main = path.join(ROOT, "infra", "main.js");
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").replace("main: infra/main.js", `main: ${main}`));
    fs.writeFileSync(path.join(project, "Pulumi.ci.yaml"), [
        "config:",
        "  tenancy:natsMasterKey:",
        "    secure: v1:bWFzdGVyLWtleQ==",
        "  tenancy:secrets:",
        "    acme:",
        "      openai-api:",
        `        apiKey: ${PLAIN_SECRET}`,
        "    globex:",
        "      anthropic-api:",
        "        apiKey:",
        "          secure: v1:ZXhhbXBsZQ==",
        "",
    ].join("\n"));
    run1 = await runCli(["plan", ...args, "--out", first, "--format", "json"], { cwd: project });
    const child = await promisify(execFile)(process.execPath, [path.join(ROOT, "bin/tenancy.js"), "plan", ...args, "--quiet", "--format", "markdown", "--out", second], {
        cwd: project, env: { ...process.env, XDG_CONFIG_HOME: home }, timeout: 120_000,
    }).then((r) => ({ code: 0, ...r }), (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }));
    run2 = child;
    run3 = await runCli(["plan", ...args, "--out", revealed, "--reveal-secrets", "--quiet"], { cwd: project });
}, 240_000);

describe("tenancy plan on the example registry", () => {
    it("keeps the pinned public keys of every tenant next to the plan key, as the pack was configured with them", () => {
        const master = parseNatsMasterKey(emulatedMasterKey(ensurePlanKey(planKeyPath())));
        const kept = openKeyCache(keyCachePath(planKeyPath()), master).known;
        const ids = loadRegistry(EXAMPLE_REGISTRY).entries.map((e) => e.tenant.id);
        expect([...kept.keys()].sort()).toEqual(["PLATFORM:1", ...ids.map((id) => `${id}:1`)].sort());
        const derived = natsStackKeys(master, ids.map((id) => ({ id, generation: 1 })));
        for (const id of ids) expect(kept.get(`${id}:1`)).toEqual(derived.tenants[id]);
    });

    it("exits 0 with zero policy violations and zero invalid objects", () => {
        expect(run1.code).toBe(0);
        const report = JSON.parse(run1.stdout);
        expect(report.ok).toBe(true);
        expect(report.totals).toMatchObject({ tenants: 3, mandatoryViolations: 0, advisories: 0, invalidObjects: 0 });
        expect(report.tenants.map((t: { slug: string }) => t.slug)).toEqual(["acme", "globex", "initech"]);
        expect(report.policyPack.name).toBe("tenancy-guard");
        for (const t of report.tenants) {
            expect(t.policy, t.slug).toEqual([]);
            expect(t.objects.Namespace, t.slug).toBe(1);
            // The plan's quota and the priority ceiling.
            expect(t.objects.ResourceQuota, t.slug).toBe(2);
        }
        expect(report.tenants[0].quota).toMatchObject({ "requests.cpu": "10", "requests.memory": "40Gi", pods: "15" });
        expect(run1.stderr).toMatch(/^tenancy plan: \d+ resources in [\d.]+ s \(program [\d.]+ s while the policy pack started in [\d.]+ s; analysis [\d.]+ s\)\n$/m);
    });

    it("says plainly what is real and what is emulated", () => {
        const report = JSON.parse(run1.stdout);
        expect(report.real.join("\n")).toMatch(/policy pack, in its own process.*Analyzer gRPC protocol/);
        expect(report.emulated.join("\n")).toMatch(/recording resource monitor/);
        expect(report.emulated.join("\n")).toMatch(/values only a provider computes for a new resource are unknown, as in `pulumi preview`/);
        expect(report.emulated).toContain(
            "tenancy:natsMasterKey is encrypted in Pulumi.ci.yaml, which plan cannot decrypt: it is emulated by a key derived from the per-machine plan key; " +
                "every NATS key (public keys, seeds, credentials) is derived from it exactly as `pulumi up` derives them from the real one, so they are not the deployed keys",
        );
        const md = fs.readFileSync(path.join(first, "report.md"), "utf8");
        expect(md).toContain("Real: the Pulumi program");
        expect(md).toContain("Emulated: the Pulumi engine");
    });

    it("plans encrypted secret values with placeholders and holds back the Secrets whose values are not set", () => {
        const report = JSON.parse(run1.stdout);
        expect(report.missingSecrets).toEqual([
            { path: "tenancy:secrets.acme.github-app.appId", tenant: "acme", secret: "github-app", state: "missing", reason: "not set in Pulumi.ci.yaml; Secret github-app is created once it is" },
            { path: "tenancy:secrets.acme.github-app.privateKey", tenant: "acme", secret: "github-app", state: "missing", reason: "not set in Pulumi.ci.yaml; Secret github-app is created once it is" },
            {
                path: "tenancy:secrets.globex.anthropic-api.apiKey", tenant: "globex", secret: "anthropic-api", state: "encrypted",
                reason: "encrypted in Pulumi.ci.yaml; tenancy plan cannot decrypt it and planned a placeholder",
            },
        ]);
        const acme = report.tenants.find((t: { slug: string }) => t.slug === "acme");
        expect(acme.objects.Secret).toBe(2);
        expect(acme.missingSecrets).toEqual([
            { path: "tenancy:secrets.acme.github-app.appId", secret: "github-app", state: "missing" },
            { path: "tenancy:secrets.acme.github-app.privateKey", secret: "github-app", state: "missing" },
        ]);
        expect(report.tenants.find((t: { slug: string }) => t.slug === "globex").objects.Secret).toBe(2);
        const text = fs.readFileSync(path.join(revealed, "report.md"), "utf8");
        expect(text).toContain("- ⏳ **secrets**: Secret github-app not created until 2 values are set (npx tenancy secrets acme)\n");
        expect(text).toContain("- ⏳ **secrets**: Secret anthropic-api planned with placeholders (values encrypted in the stack file)\n");
        expect(run3.stdout).toContain("  secrets:  Secret github-app not created until 2 values are set (npx tenancy secrets acme)\n");
        expect(run1.stderr).toContain("program: warning: [runtime] tenant acme: 2 declared secret values are not set, so Secret github-app is not created yet");
    });

    it("writes resources.json, manifests per namespace, report.json and report.md", () => {
        const tree = readTree(first);
        expect(Object.keys(tree)).toContain("resources.json");
        expect(Object.keys(tree)).toContain("report.json");
        expect(Object.keys(tree)).toContain("report.md");
        expect(Object.keys(tree)).toContain("manifests/_cluster/Namespace-org-acme.yaml");
        expect(Object.keys(tree)).toContain("manifests/org-acme/ResourceQuota-quota.yaml");
        expect(tree["manifests/_cluster/Namespace-org-acme.yaml"]).toMatch(/^apiVersion: v1\nkind: Namespace\nmetadata:\n/);
        const resources = JSON.parse(tree["resources.json"]);
        expect(resources[0]).toMatchObject({ type: "pulumi:pulumi:Stack", urn: "urn:pulumi:ci::tenancy::pulumi:pulumi:Stack::tenancy-ci" });
        const ns = resources.find((r: { type: string; inputs: { metadata: { name: string } } }) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === "org-acme");
        expect(ns.options.protect).toBe(true);
        expect(ns.tenant).toBe("acme");
        expect(JSON.parse(tree["report.json"])).toEqual(JSON.parse(run1.stdout));
    });

    it("is deterministic: byte-identical resources.json and manifests across runs and processes", () => {
        expect(run2.code).toBe(0);
        const a = readTree(first);
        const b = readTree(second);
        expect(Object.keys(b)).toEqual(Object.keys(a));
        for (const file of Object.keys(a)) {
            if (file === "resources.json" || file.startsWith("manifests/") || file.startsWith("nats/") || file.startsWith("report.")) {
                expect(b[file], file).toBe(a[file]);
            }
        }
        expect(run2.stdout).toBe(a["report.md"]);
    });

    it("prints markdown with a summary table and one collapsed section per tenant", () => {
        const md = run2.stdout;
        expect(md.startsWith("## tenancy plan: ✅ OK\n")).toBe(true);
        expect(md).toContain("| tenant | plan | lifecycle | objects | policies | schema |");
        expect(md).toMatch(/^\| acme \| standard \| active \| \d+ \| pass \| valid \|$/m);
        const sections = [...md.matchAll(/^<details><summary>✅ <b>([a-z0-9-]+)<\/b>/gm)].map((m) => m[1]);
        expect(sections).toEqual(["acme", "globex", "initech"]);
        expect(md.split("</details>").length - 1).toBe(3);
        expect(run2.stderr).toBe("");
    });

    it("redacts every secret value unless --reveal-secrets, and warns when revealing", () => {
        expect(run3.code).toBe(0);
        expect(run3.stderr).toContain("WARNING: --reveal-secrets writes secret values and generated credentials in clear into");
        const clear = JSON.parse(fs.readFileSync(path.join(revealed, "resources.json"), "utf8"));
        const redacted = JSON.parse(fs.readFileSync(path.join(first, "resources.json"), "utf8"));
        // Every leaf that is "[secret]" in the redacted output holds the real value in the revealed one.
        const secretLeaves: string[] = [];
        const collect = (r: unknown, c: unknown) => {
            if (r === "[secret]") secretLeaves.push(String(c));
            else if (r && typeof r === "object") for (const k of Object.keys(r)) collect((r as never)[k], (c as never)[k]);
        };
        collect(redacted, clear);
        // The sensitive ones: secret config values (placeholders here) and the nkey seeds derived from
        // the emulated master key. (Other secret-marked leaves, such as a NATS URL inside a Secret,
        // are public elsewhere by design.)
        const sensitive = secretLeaves.filter((v) => v === PLAIN_SECRET || v.startsWith("<placeholder: ") || /^SU[A-Z2-7]{56}$/.test(v));
        expect(sensitive).toContain(PLAIN_SECRET);
        expect(sensitive).toContain("<placeholder: tenancy:secrets.globex.anthropic-api.apiKey is not available to tenancy plan>");
        // One seed per tenant and one for the platform, in both inputs and outputs of their Secrets.
        expect(new Set(sensitive.filter((v) => /^SU/.test(v))).size).toBe(4);
        // The emulated master key itself is written nowhere, not even revealed.
        const master = emulatedMasterKey(ensurePlanKey(planKeyPath()));
        const everything = [run1.stdout, run1.stderr, run2.stdout, run3.stdout, ...Object.values(readTree(first)), ...Object.values(readTree(second))].join("\n");
        for (const value of new Set(sensitive)) expect(everything.includes(value), value).toBe(false);
        const revealedText = Object.values(readTree(revealed)).join("\n");
        for (const value of new Set(sensitive)) expect(revealedText.includes(value), value).toBe(true);
        expect(`${everything}\n${revealedText}`.includes(master)).toBe(false);
        expect(fs.statSync(path.join(revealed, "resources.json")).mode & 0o777).toBe(0o600);
        const secretManifest = fs.readFileSync(path.join(first, "manifests/org-acme/Secret-openai-api.yaml"), "utf8");
        expect(secretManifest).toContain("stringData:\n  apiKey: \"[secret]\"\n");
    });
});
