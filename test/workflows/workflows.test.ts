import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../cli/main";
import { PULUMI_PARALLEL, PULUMI_POLICY_PACK, PULUMI_PREVIEW_FLAGS, PULUMI_RUN_ENV, PULUMI_UP_FLAGS } from "../../contract";
import { invocations, ROOT, workflow, workflowParser, workflows, type Job } from "./support";

// The workflows are code nobody can run here: these tests hold them to what the README promises.
const FILES = ["apply.yml", "e2e.yml", "pull-request.yml"];
const NOT_FROM_FORKS = "github.event.pull_request.head.repo.full_name == github.repository";

const secretReads = (job: Job) => JSON.stringify(job).match(/secrets\.[A-Z_]+/g) ?? [];

describe("the GitHub Actions workflows", () => {
    it("are exactly the three the README describes", () => {
        expect(workflows().map((w) => w.file)).toEqual(FILES);
    });

    it.each(FILES)("%s parses and validates with GitHub's own workflow parser", async (file) => {
        const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await workflowParser();
        const { text } = workflow(file);
        const parsed = parseWorkflow({ name: file, content: text }, new NoOperationTraceWriter());
        expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
        const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
        expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
        expect(template.jobs.length).toBe(Object.keys(workflow(file).doc.jobs).length);
    });

    it("rejects what the parser must reject, so a passing check means something", async () => {
        const { parseWorkflow, NoOperationTraceWriter } = await workflowParser();
        const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo hi\n        wiht: {}\n";
        const parsed = parseWorkflow({ name: "broken.yml", content: broken }, new NoOperationTraceWriter());
        expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual(["broken.yml (Line: 7, Col: 9): Unexpected value 'wiht'"]);
    });

    it("pin every action to a full commit SHA, with the release it is in a comment", () => {
        for (const w of workflows()) {
            const uses = [...w.text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
            expect(uses.length, w.file).toBeGreaterThan(0);
            for (const [, ref, rest] of uses) {
                expect(ref, `${w.file}: ${ref}`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
                expect(rest, `${w.file}: ${ref}`).toMatch(/^ # v\d+\.\d+\.\d+$/);
            }
        }
    });

    it("grant no permission at the top and only what each job needs", () => {
        const allowed: Record<string, Set<string>> = { contents: new Set(["read"]), "pull-requests": new Set(["write"]) };
        for (const w of workflows()) {
            expect(w.doc.permissions, w.file).toEqual({});
            for (const [id, job] of Object.entries(w.doc.jobs)) {
                expect(job.permissions, `${w.file} ${id}`).toBeDefined();
                for (const [scope, level] of Object.entries(job.permissions!)) expect(allowed[scope]?.has(level), `${w.file} ${id}: ${scope}: ${level}`).toBe(true);
            }
        }
        expect(workflow("pull-request.yml").doc.jobs.comment.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    });

    it("never run pull_request_target, and read secrets only in jobs that cannot run for forks", () => {
        const readers: string[] = [];
        for (const w of workflows()) {
            expect(Object.keys(w.doc.on), w.file).not.toContain("pull_request_target");
            for (const [id, job] of Object.entries(w.doc.jobs)) {
                if (secretReads(job).length === 0) continue;
                readers.push(`${w.file} ${id}`);
                // A push to main never comes from a fork; a pull_request job must check where its head lives.
                if (Object.keys(w.doc.on).includes("pull_request")) expect(job.if, `${w.file} ${id}`).toContain(NOT_FROM_FORKS);
            }
        }
        expect(readers).toEqual(["apply.yml up", "pull-request.yml preview"]);
        expect(Object.keys(workflow("apply.yml").doc.on)).toEqual(["push"]);
    });

    it("never put a secret on a command line: secrets reach steps through env or a file", () => {
        for (const w of workflows()) {
            for (const job of Object.values(w.doc.jobs)) {
                for (const step of job.steps) expect(step.run ?? "", `${w.file} ${step.name}`).not.toMatch(/secrets\./);
            }
        }
    });

    it("call only tenancy verbs and flags that exist", () => {
        const calls = invocations("npx tenancy");
        expect(calls.map((c) => c.args[0])).toEqual(["pack-config", "plan", "pack-config"]);
        for (const call of calls) {
            const command = COMMANDS.find((c) => c.name === call.args[0]);
            expect(command, call.where).toBeDefined();
            for (const flag of call.args.filter((a) => a.startsWith("--"))) expect(command!.help, `${call.where}: ${flag}`).toContain(`  ${flag} `);
        }
    });

    it("call only npm scripts that exist, and the README's test command", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
        const runs = invocations("npm run").map((c) => c.args[0]);
        expect(runs).toEqual(["tools", "test:e2e", "tools"]);
        for (const name of runs) expect(Object.keys(scripts), name).toContain(name);
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        expect(readme).toMatch(/^npm ci && npm run tools && npm test && npm run test:e2e +# every test/m);
        expect(workflow("pull-request.yml").doc.jobs.test.steps.map((s) => s.run)).toContain("npm test");
    });

    it("apply every stack (one per shard) in parallel, one run at a time per stack, in an environment that can require approval, with the policy pack", () => {
        const { doc } = workflow("apply.yml");
        const up = doc.jobs.up as typeof doc.jobs.up & { strategy: unknown; concurrency: unknown };
        expect(up.strategy).toEqual({ "fail-fast": false, matrix: { stack: "${{ fromJSON(vars.PULUMI_STACKS || format('[\"{0}\"]', vars.PULUMI_STACK)) }}" } });
        expect(up.concurrency).toEqual({ group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
        expect(up.environment).toBe("pulumi-${{ matrix.stack }}");
        // pulumi/actions runs no `up` here: its Automation API up always adds --skip-preview.
        expect(up.steps.filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command)).toEqual([]);
        const step = up.steps.find((s) => s.name === "pulumi up")!;
        expect(step.env).toMatchObject({ STACK: "${{ matrix.stack }}", PACK_CONFIG: "${{ steps.pack.outputs.file }}" });
        const preview = workflow("pull-request.yml").doc.jobs.preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command)!;
        expect(preview.with).toMatchObject({ command: "preview", policyPacks: PULUMI_POLICY_PACK, "comment-on-pr": false, policyPackConfigs: "${{ steps.pack.outputs.file }}" });
    });

    it("run pulumi up and pulumi preview with the documented environment and flags (contract/pulumi-run.ts)", () => {
        const ups = invocations("pulumi").filter((c) => c.args[0] === "up");
        expect(ups.map((c) => c.where)).toEqual(["apply.yml up pulumi up"]);
        const [up] = ups;
        expect(up.args).toEqual(["up", "--stack", "$STACK", ...PULUMI_UP_FLAGS, "--policy-pack", PULUMI_POLICY_PACK, "--policy-pack-config", "$PACK_CONFIG"]);
        expect(up.args).not.toContain("--skip-preview");
        for (const [name, value] of Object.entries(PULUMI_RUN_ENV)) expect(up.env[name], name).toBe(value);
        // The preview goes through pulumi/actions (its output feeds the PR comment): the same settings as its inputs.
        const preview = workflow("pull-request.yml").doc.jobs.preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command)!;
        expect(PULUMI_PREVIEW_FLAGS).toEqual(["--parallel", String(PULUMI_PARALLEL), "--suppress-progress", "--non-interactive"]);
        expect(preview.with).toMatchObject({ parallel: PULUMI_PARALLEL, "suppress-progress": true });
        for (const [name, value] of Object.entries(PULUMI_RUN_ENV)) expect(preview.env?.[name], name).toBe(value);
        // The pack is the compiled one every run passes, and pack-config computes registryDir relative to it.
        for (const call of invocations("npx tenancy").filter((c) => c.args[0] === "pack-config")) {
            expect(call.args.slice(call.args.indexOf("--policy-pack"), call.args.indexOf("--policy-pack") + 2), call.where).toEqual(["--policy-pack", PULUMI_POLICY_PACK]);
        }
    });

    it("give the pack the NATS keys tenancy pack-config derives from the stack's master key in the same run, after installing the CLI", () => {
        for (const [file, job] of [["apply.yml", "up"], ["pull-request.yml", "preview"]] as const) {
            const steps = workflow(file).doc.jobs[job].steps;
            const at = steps.findIndex((s) => s.id === "pack");
            expect(steps[at].run, file).toBe(
                'set -o pipefail\npulumi config get tenancy:natsMasterKey --stack "$STACK" | npx tenancy pack-config --stack "$STACK" --policy-pack dist/policy > "$RUNNER_TEMP/pack-config.json"\necho "file=$RUNNER_TEMP/pack-config.json" >> "$GITHUB_OUTPUT"\n',
            );
            expect(steps[at - 1].uses, file).toMatch(/^pulumi\/actions@/);
            expect(steps[at - 1].with, file).toEqual({ "pulumi-version": "3.248.0" });
        }
    });

    it("run the end-to-end suite only for changes to what it exercises", () => {
        const on = workflow("e2e.yml").doc.on as { pull_request: { paths: string[] } };
        expect(on.pull_request.paths).toEqual(["components/**", "contract/**", "infra/**", "policy/**", "tools/**", "test/e2e/**"]);
    });
});
