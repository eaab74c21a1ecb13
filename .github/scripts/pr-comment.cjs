// The pull-request comment of the `pull request` workflow: the plan's markdown and, when it ran, the
// summary of `pulumi preview`, in ONE comment that later pushes edit instead of duplicating. Plain
// Node (actions/github-script loads it with require), so it needs no npm install in the comment job.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** First line of the comment; how a later run finds the comment to edit. */
const MARKER = "<!-- tenancy-plan -->";
/** GitHub refuses a comment body longer than this. */
const COMMENT_LIMIT = 65536;
/** The part of a plan log shown when the plan printed no report (a bad registry or flag). */
const LOG_TAIL = 6000;

function read(file) {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

// The end of a text within `max` characters: a preview's summary ("Resources: …") comes last.
function tail(text, max) {
    if (text.length <= max) return text;
    const cut = text.slice(text.length - max);
    return `…\n${cut.slice(cut.indexOf("\n") + 1)}`;
}

function planSection(plan, log, result) {
    if (plan && plan.trim()) return plan.trimEnd();
    if (result === "cancelled") return "## tenancy plan: cancelled";
    const shown = log && log.trim() ? `\n\n\`\`\`\n${tail(log.trimEnd(), LOG_TAIL).replace(/```/g, "'''")}\n\`\`\`` : "\n\nThe job left no plan; see its log.";
    return `## tenancy plan: ❌ no report${shown}`;
}

function previewSection(preview, result, stack, budget) {
    if (result === "skipped" || !result) {
        return "### pulumi preview: not run\n\nThe repository has no Pulumi stack configured (variable `PULUMI_STACK`; see the README, \"CI and remote state\").";
    }
    const head = `### pulumi preview${stack ? ` of stack \`${stack}\`` : ""}: ${result === "success" ? "✅ passed" : "❌ failed"}\n\n`;
    if (!preview || !preview.trim()) return `${head}No output was captured; see the job's log.`;
    const open = "<details><summary>output</summary>\n\n```\n";
    const close = "\n```\n</details>";
    const room = Math.max(0, budget - head.length - open.length - close.length);
    return `${head}${open}${tail(preview.trimEnd(), room).replace(/```/g, "'''")}${close}`;
}

/**
 * The comment body from the plan's markdown (or its log when it printed none) and the preview's
 * output, never longer than GitHub's limit: the plan keeps its own budget (tenancy plan stays under
 * 60,000 characters) and the preview's output is cut from the front to what is left.
 */
function composeComment({ plan, planLog, planResult, preview, previewResult, stack, runUrl }) {
    const footer = runUrl ? `\n\n<sub>Full report: the \`plan\` artifact of [this run](${runUrl}).</sub>\n` : "\n";
    const planPart = planSection(plan, planLog, planResult);
    const fixed = MARKER.length + 1 + planPart.length + 2 + footer.length;
    const body = `${MARKER}\n${planPart}\n\n${previewSection(preview, previewResult, stack, COMMENT_LIMIT - fixed)}${footer}`;
    // A plan larger than its budget (it never is) still may not break the post.
    return body.length <= COMMENT_LIMIT ? body : `${body.slice(0, COMMENT_LIMIT - 2)}…\n`;
}

/** Edits the workflow's earlier comment on the pull request, or creates it; returns which. */
async function upsertComment({ github, context, body }) {
    const { owner, repo } = context.repo;
    const issue_number = context.payload.pull_request.number;
    const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
    const mine = comments.find((c) => c.user && c.user.type === "Bot" && typeof c.body === "string" && c.body.startsWith(MARKER));
    if (mine) {
        await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
        return "updated";
    }
    await github.rest.issues.createComment({ owner, repo, issue_number, body });
    return "created";
}

/** The comment job's entry: reads the downloaded artifacts under `dir` and posts the comment. */
async function postPlanComment({ github, context, dir, env }) {
    const runUrl = `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;
    const body = composeComment({
        plan: read(path.join(dir, "plan", "plan.md")),
        planLog: read(path.join(dir, "plan", "plan.log")),
        planResult: env.PLAN_RESULT,
        preview: read(path.join(dir, "preview", "preview.txt")),
        previewResult: env.PREVIEW_RESULT,
        stack: env.PULUMI_STACK,
        runUrl,
    });
    return upsertComment({ github, context, body });
}

module.exports = { COMMENT_LIMIT, MARKER, composeComment, postPlanComment, upsertComment };
