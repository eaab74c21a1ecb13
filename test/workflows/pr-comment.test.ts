import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PR_COMMENT_MAX_CHARS } from "../../cli/plan/markdown";
import { ROOT } from "./support";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const comment = require(path.join(ROOT, ".github/scripts/pr-comment.cjs")) as {
    COMMENT_LIMIT: number;
    MARKER: string;
    composeComment(input: Record<string, string | undefined>): string;
    upsertComment(input: { github: FakeGitHub; context: unknown; body: string }): Promise<string>;
    postPlanComment(input: { github: FakeGitHub; context: unknown; dir: string; env: Record<string, string> }): Promise<string>;
};

interface Comment {
    id: number;
    body: string;
    user: { type: string };
}

/** The part of Octokit the script uses, over an in-memory list of comments. */
class FakeGitHub {
    calls: string[] = [];
    constructor(public comments: Comment[] = []) {}
    rest = {
        issues: {
            listComments: "listComments",
            updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
                this.calls.push(`update ${comment_id}`);
                this.comments.find((c) => c.id === comment_id)!.body = body;
            },
            createComment: async ({ issue_number, body }: { issue_number: number; body: string }) => {
                this.calls.push(`create on #${issue_number}`);
                this.comments.push({ id: 100 + this.comments.length, body, user: { type: "Bot" } });
            },
        },
    };
    async paginate(method: string, params: { owner: string; repo: string; issue_number: number }) {
        this.calls.push(`${method} ${params.owner}/${params.repo}#${params.issue_number}`);
        return this.comments;
    }
}

const context = { repo: { owner: "acme", repo: "tenancy" }, payload: { pull_request: { number: 7 } }, serverUrl: "https://github.com", runId: 42 };
const PLAN = "## tenancy plan: ✅ OK\n\n| tenant | plan |\n";

describe("the pull-request comment", () => {
    it("starts with the marker, carries the plan and says why the preview did not run", () => {
        expect(comment.composeComment({ plan: PLAN, planResult: "success", previewResult: "skipped", runUrl: "https://x/runs/1" })).toBe(
            `${comment.MARKER}\n## tenancy plan: ✅ OK\n\n| tenant | plan |\n\n` +
                '### pulumi preview: not run\n\nThe repository has no Pulumi stack configured (variable `PULUMI_STACK`; see the README, "CI and remote state").' +
                "\n\n<sub>Full report: the `plan` artifact of [this run](https://x/runs/1).</sub>\n",
        );
    });

    it("shows the plan's log when the plan printed no report (a bad registry), fenced safely", () => {
        const body = comment.composeComment({ plan: "", planLog: "tenants/x.yaml:5:7 plan: unknown plan \"gold\"\n```\n", planResult: "failure", previewResult: "skipped" });
        expect(body).toContain('## tenancy plan: ❌ no report\n\n```\ntenants/x.yaml:5:7 plan: unknown plan "gold"\n\'\'\'\n```\n');
    });

    it("adds the preview's summary, keeping its end, and stays within GitHub's limit with the largest plan", () => {
        const plan = `## tenancy plan: ✅ OK\n${"x".repeat(PR_COMMENT_MAX_CHARS - 30)}\n`;
        const preview = `${"Previewing update (dev)\n".repeat(2000)}Resources:\n    + 22 to create\n    80 unchanged\n`;
        const body = comment.composeComment({ plan, planResult: "success", preview, previewResult: "success", stack: "prod", runUrl: "https://x/runs/1" });
        expect(body.length).toBeLessThanOrEqual(comment.COMMENT_LIMIT);
        expect(body.length).toBeGreaterThan(comment.COMMENT_LIMIT - 200);
        expect(body).toContain("### pulumi preview of stack `prod`: ✅ passed\n\n<details><summary>output</summary>\n\n```\n…\n");
        expect(body).toContain("Resources:\n    + 22 to create\n    80 unchanged\n```\n</details>");
        expect(comment.COMMENT_LIMIT).toBe(65_536);
    });

    it("creates one comment, then edits it on later pushes instead of adding another", async () => {
        const github = new FakeGitHub([{ id: 1, body: "LGTM", user: { type: "User" } }, { id: 2, body: `${comment.MARKER} by a person`, user: { type: "User" } }]);
        expect(await comment.upsertComment({ github, context, body: `${comment.MARKER}\nfirst` })).toBe("created");
        expect(await comment.upsertComment({ github, context, body: `${comment.MARKER}\nsecond` })).toBe("updated");
        expect(github.calls).toEqual(["listComments acme/tenancy#7", "create on #7", "listComments acme/tenancy#7", "update 102"]);
        expect(github.comments.map((c) => c.body)).toEqual(["LGTM", `${comment.MARKER} by a person`, `${comment.MARKER}\nsecond`]);
    });

    it("reads the downloaded artifacts and posts, even when the preview left none", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-comment-"));
        fs.mkdirSync(path.join(dir, "plan"));
        fs.writeFileSync(path.join(dir, "plan", "plan.md"), PLAN);
        const github = new FakeGitHub();
        expect(await comment.postPlanComment({ github, context, dir, env: { PLAN_RESULT: "success", PREVIEW_RESULT: "failure", PULUMI_STACK: "prod" } })).toBe("created");
        expect(github.comments[0].body).toBe(
            `${comment.MARKER}\n## tenancy plan: ✅ OK\n\n| tenant | plan |\n\n### pulumi preview of stack \`prod\`: ❌ failed\n\nNo output was captured; see the job's log.` +
                "\n\n<sub>Full report: the `plan` artifact of [this run](https://github.com/acme/tenancy/actions/runs/42).</sub>\n",
        );
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
