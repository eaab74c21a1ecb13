import type { ViewProblem } from "../../policy/nats-server-view";

/** A problem of readNatsServer as one line of text, `<file> line <n>: <message>`, for test messages and comparisons. */
export function describeViewProblem(p: ViewProblem): string {
    return `${p.file}${p.line === undefined ? "" : ` line ${p.line}`}: ${p.message}`;
}
