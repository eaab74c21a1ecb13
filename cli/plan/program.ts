import * as fs from "node:fs";
import * as path from "node:path";
import { PACKAGE_ROOT } from "../package-root";

// bin/build-state.js is plain JavaScript at the repository root (bin/tenancy.js uses it before any TypeScript loads).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compiledProgram } = require(path.join(PACKAGE_ROOT, "bin", "build-state")) as { compiledProgram(root: string): string | undefined };

/** The file a recording child requires, and whether it is TypeScript (then the child loads tsx). */
export interface RecordedProgram {
    /** Absolute path of the file the child requires. */
    file: string;
    /** Whether the child preloads tsx for it. */
    typescript: boolean;
    /**
     * For the project's own program, its declarations module (infra/program, next to `file`), which
     * a child may load before its request: loading it declares nothing.
     */
    warm?: string;
}

/**
 * The project's own program (Pulumi.yaml's main, infra/main.js, or infra/index.ts itself) compiled in
 * dist/infra when that build is of the current sources (as the pack's dist/policy), so that no
 * recording child loads TypeScript, else infra/index.ts through tsx; any other program as given.
 */
export function recordedProgram(programFile: string, root: string = PACKAGE_ROOT): RecordedProgram {
    const infra = path.join(fs.realpathSync(root), "infra");
    const own = [path.join(infra, "main.js"), path.join(infra, "index.ts")].includes(fs.realpathSync(programFile));
    if (!own) return { file: programFile, typescript: !/\.[cm]?js$/.test(programFile) };
    const compiled = compiledProgram(root);
    if (compiled) return { file: compiled, typescript: false, warm: path.join(path.dirname(compiled), "program.js") };
    return { file: path.join(root, "infra", "index.ts"), typescript: true, warm: path.join(root, "infra", "program.ts") };
}
