// Where the tools built by `npm run tools` (tools/build.mjs) live, for tests and scripts.
//
//   import { toolBinary, toolsPath } from "../../tools/paths";
//   const apiserver = toolBinary("kubernetes", "kube-apiserver");
//   spawn("pulumi", ["up"], { env: { ...process.env, PATH: `${toolsPath(["pulumi", "pulumi-resource-kubernetes"])}:${process.env.PATH}` } });
//
// Every function throws an error naming `npm run tools` when a tool is not built. Same cache layout as build.mjs:
// $TENANCY_TOOLS_DIR (default ~/.cache/tenancy-tools)/<tool>-<version>/bin.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type ToolName =
    | "pulumi"
    | "pulumi-resource-kubernetes"
    | "etcd"
    | "kubernetes"
    | "nats-server";

interface ToolSpec {
    version: string;
    binaries: string[];
}

let specs: Record<string, ToolSpec> | undefined;

function loadSpecs(): Record<string, ToolSpec> {
    specs ??= (JSON.parse(fs.readFileSync(path.join(__dirname, "versions.json"), "utf8")) as { tools: Record<string, ToolSpec> }).tools;
    return specs;
}

function spec(tool: ToolName): ToolSpec {
    const s = loadSpecs()[tool];
    if (!s) throw new Error(`tools/versions.json has no tool "${tool}"`);
    return s;
}

/** The cache folder holding every built tool. */
export function toolsRoot(): string {
    return process.env.TENANCY_TOOLS_DIR || path.join(os.homedir(), ".cache", "tenancy-tools");
}

/** The pinned version of a tool (from tools/versions.json), without a leading "v". */
export function toolVersion(tool: ToolName): string {
    return spec(tool).version;
}

/** The bin folder of a built tool; throws when the tool (any of its binaries) is not built. */
export function toolBinDir(tool: ToolName): string {
    const s = spec(tool);
    const dir = path.join(toolsRoot(), `${tool}-${s.version}`);
    const missing = s.binaries.filter((b) => !fs.existsSync(path.join(dir, "bin", b)));
    if (missing.length > 0 || !fs.existsSync(path.join(dir, "stamp.json"))) {
        throw new Error(
            `${tool} ${s.version} is not built (no ${path.join(dir, "bin", missing[0] ?? s.binaries[0])}): ` +
                `run \`npm run tools\` (or \`npm run tools -- ${tool}\`) first`,
        );
    }
    return path.join(dir, "bin");
}

/** The path of one binary of a tool (its only binary when `binary` is omitted). */
export function toolBinary(tool: ToolName, binary?: string): string {
    const s = spec(tool);
    const name = binary ?? s.binaries[0];
    if (!s.binaries.includes(name)) throw new Error(`${tool} has no binary "${name}" (it has ${s.binaries.join(", ")})`);
    return path.join(toolBinDir(tool), name);
}

/** The bin folders of the given tools (all by default) as a PATH-style list, to prepend to PATH. */
export function toolsPath(tools?: ToolName[]): string {
    const names = tools ?? (Object.keys(loadSpecs()) as ToolName[]);
    return names.map(toolBinDir).join(path.delimiter);
}

/** True when every given tool is built (for `describe.skipIf`-style guards). */
export function toolsBuilt(tools: ToolName[]): boolean {
    try {
        tools.forEach(toolBinDir);
        return true;
    } catch {
        return false;
    }
}
