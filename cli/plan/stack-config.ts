import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** A problem with the project or stack files, reported as a usage error naming the file. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** Stack config as the language host would hand it to the program, minus what cannot be read here. */
export interface StackConfigFiles {
    /** Project name from Pulumi.yaml ("tenancy" when there is no Pulumi.yaml). */
    project: string;
    /** Program entry from Pulumi.yaml `main` (relative to the project root), if set. */
    main?: string;
    /** The stack file read, relative to the project root, or undefined when it does not exist. */
    stackFile?: string;
    /** `ns:key` → value as a string (objects as JSON), as in PULUMI_CONFIG. */
    config: Record<string, string>;
    /** Keys whose values are secrets. */
    secretKeys: string[];
    /** Config paths (`ns:key.a.b`) whose values are encrypted and cannot be read without the passphrase. */
    encrypted: string[];
}

/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml like the CLI does, flattening each top-level config
 * value to the string PULUMI_CONFIG carries. Encrypted (`secure:`) values cannot be decrypted here;
 * they are left out and listed in `encrypted`.
 */
export function readStackFiles(projectRoot: string, stack: string, requireStackFile: boolean): StackConfigFiles {
    const projectFile = path.join(projectRoot, "Pulumi.yaml");
    let project = "tenancy";
    let main: string | undefined;
    let declared: Record<string, unknown> = {};
    if (fs.existsSync(projectFile)) {
        const doc = parseYaml(projectFile) as { name?: unknown; main?: unknown; config?: unknown } | null;
        if (typeof doc?.name !== "string" || !doc.name) throw new StackFileError(`Pulumi.yaml: "name" must be the project name`);
        project = doc.name;
        if (typeof doc.main === "string") main = doc.main;
        if (doc.config && typeof doc.config === "object") declared = doc.config as Record<string, unknown>;
    }
    const stackName = `Pulumi.${stack}.yaml`;
    const stackFile = path.join(projectRoot, stackName);
    const result: StackConfigFiles = { project, main, config: {}, secretKeys: [], encrypted: [] };
    if (!fs.existsSync(stackFile)) {
        if (requireStackFile) throw new StackFileError(`--stack ${stack}: stack file ${stackName} not found in ${projectRoot}; pass an existing stack or create it with pulumi stack init ${stack}`);
        return withDefaults(result, declared, project);
    }
    result.stackFile = stackName;
    const doc = parseYaml(stackFile) as { config?: unknown } | null;
    const config = doc?.config ?? {};
    if (typeof config !== "object" || Array.isArray(config) || config === null) throw new StackFileError(`${stackName}: "config" must be a mapping`);
    for (const [rawKey, value] of Object.entries(config as Record<string, unknown>)) {
        // A key without a namespace belongs to the project, as the CLI reads it.
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        const encryptedBefore = result.encrypted.length;
        const { value: readable, secret } = stripSecure(value, key, result.encrypted);
        if (secret) result.secretKeys.push(key);
        if (readable === undefined) continue;
        // A partially encrypted object is still passed, marked secret as the CLI would.
        if (result.encrypted.length > encryptedBefore && !result.secretKeys.includes(key)) result.secretKeys.push(key);
        // Scalars travel as their text (true → "true"), objects and lists as JSON.
        result.config[key] = typeof readable === "object" ? JSON.stringify(readable) : String(readable);
    }
    result.secretKeys.sort();
    result.encrypted.sort();
    return withDefaults(result, declared, project);
}

// Pulumi.yaml may declare config with a default, which applies when the stack does not set the key.
function withDefaults(result: StackConfigFiles, declared: Record<string, unknown>, project: string): StackConfigFiles {
    for (const [rawKey, spec] of Object.entries(declared)) {
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        if (key in result.config) continue;
        const value = typeof spec === "object" && spec !== null && !Array.isArray(spec) ? (spec as { default?: unknown }).default : spec;
        if (value === undefined || value === null) continue;
        result.config[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    return result;
}

function parseYaml(file: string): unknown {
    try {
        return parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new StackFileError(`${path.basename(file)} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
    }
}

// Drops `{ secure: ... }` leaves (recording their paths); reports whether any were found.
function stripSecure(value: unknown, at: string, encrypted: string[]): { value: unknown; secret: boolean } {
    if (isSecure(value)) {
        encrypted.push(at);
        return { value: undefined, secret: true };
    }
    if (Array.isArray(value)) {
        const out = value.map((v, i) => stripSecure(v, `${at}[${i}]`, encrypted));
        return { value: out.map((o) => o.value ?? null), secret: out.some((o) => o.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const out: Record<string, unknown> = {};
        let secret = false;
        for (const [k, v] of Object.entries(value)) {
            // A key with a dot is written in brackets, as `pulumi config set --path` reads it.
            const inner = stripSecure(v, k.includes(".") ? `${at}["${k}"]` : `${at}.${k}`, encrypted);
            secret ||= inner.secret;
            if (inner.value !== undefined) out[k] = inner.value;
        }
        return { value: out, secret };
    }
    return { value: value === null ? undefined : value, secret: false };
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { secure?: unknown }).secure === "string";
}
