import * as fs from "node:fs";
import { register } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "../..");
/** The workflows directory. */
export const WORKFLOWS = path.join(ROOT, ".github", "workflows");

/** A step of a workflow job as written. */
export interface Step {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    if?: string;
    env?: Record<string, string>;
    with?: Record<string, unknown>;
}

/** A job of a workflow as written. */
export interface Job {
    if?: string;
    permissions?: Record<string, string>;
    environment?: string;
    needs?: string[];
    steps: Step[];
}

/** One workflow file: its name, raw text and parsed document. */
export interface Workflow {
    file: string;
    text: string;
    doc: { on: Record<string, unknown>; permissions?: unknown; concurrency?: { group: string; "cancel-in-progress": boolean }; jobs: Record<string, Job> };
}

/** Every workflow of .github/workflows, sorted by file name. */
export function workflows(): Workflow[] {
    return fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort().map((file) => {
        const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
        return { file, text, doc: parse(text) };
    });
}

/** One workflow by file name. */
export function workflow(file: string): Workflow {
    const found = workflows().find((w) => w.file === file);
    if (!found) throw new Error(`no workflow ${file}`);
    return found;
}

/** Where a step runs a command: `<file> <job> <step>`. */
export interface Invocation {
    where: string;
    /** The step's environment, as written. */
    env: Record<string, string>;
    /** The command's words after the program (`tenancy` or `npm`), quotes removed. */
    args: string[];
}

// Splits a shell command line into words (double and single quotes grouped), up to the first
// redirection, pipe or command separator.
function words(line: string): string[] {
    const out: string[] = [];
    for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
        const word = match[1] ?? match[2] ?? match[3];
        if (match[3] !== undefined && /^(>|2>|\||&&|;|\|\|)/.test(word)) break;
        out.push(word);
    }
    return out;
}

/** Every `<program> …` command in the workflows' run steps (program: `npx tenancy`, `npm run` or `pulumi`). */
export function invocations(program: "npx tenancy" | "npm run" | "pulumi"): Invocation[] {
    const found: Invocation[] = [];
    for (const w of workflows()) {
        for (const [id, job] of Object.entries(w.doc.jobs)) {
            for (const step of job.steps) {
                for (const line of (step.run ?? "").split("\n")) {
                    const at = line.indexOf(`${program} `);
                    if (at < 0) continue;
                    found.push({ where: `${w.file} ${id} ${step.name ?? step.run}`, env: step.env ?? {}, args: words(line.slice(at + program.length + 1)) });
                }
            }
        }
    }
    return found;
}

/** Replaces `$NAME` words with the step's environment, whose `${{ … }}` expressions come from `context`. */
export function expand(invocation: Invocation, context: Record<string, string>): string[] {
    const env = Object.fromEntries(Object.entries(invocation.env).map(([k, v]) => [k, v.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, e: string) => context[e] ?? `<${e}>`)]));
    return invocation.args.map((a) => a.replace(/\$([A-Z_]+)/g, (_, name: string) => env[name] ?? `$${name}`));
}

let hooked = false;

/** Loads @actions/workflow-parser (ESM that imports JSON without an attribute) through a module hook. */
export async function workflowParser(): Promise<typeof import("@actions/workflow-parser")> {
    if (!hooked) {
        register(pathToFileURL(path.join(__dirname, "json-import-hook.mjs")));
        hooked = true;
    }
    return import("@actions/workflow-parser");
}
