import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";

/** Largest registry file accepted; tenant entries are a few hundred bytes, so this only stops accidents and abuse. */
export const MAX_FILE_BYTES = 256 * 1024;

/** Most alias expansions a registry file may cause; stops "billion laughs" documents early. */
export const MAX_ALIAS_COUNT = 50;

/** A problem located in a registry file, reported as `file:line:col field.path: message`. */
export interface SourceIssue {
    /** File as shown to the user (relative to the working directory when inside it). */
    file: string;
    /** 1-based line. */
    line: number;
    /** 1-based column. */
    col: number;
    /** Dotted field path, or `(file)` for the document as a whole. */
    field: string;
    /** What is wrong and what is allowed. */
    message: string;
}

/** A parsed YAML file that can map field paths back to line and column. */
export class YamlSource {
    private constructor(
        /** File as shown to the user. */
        readonly file: string,
        private readonly doc: Document.Parsed,
        private readonly lines: LineCounter,
        /** The document as plain data. */
        readonly data: unknown,
    ) {}

    /** Parses one YAML document, or returns the issues that make the text unusable. */
    static parse(file: string, text: string): YamlSource | SourceIssue[] {
        const at = (line: number, col: number, message: string): SourceIssue[] => [
            { file, line, col, field: "(file)", message },
        ];
        const bytes = Buffer.byteLength(text);
        if (bytes > MAX_FILE_BYTES) {
            return at(1, 1, `file is ${bytes} bytes; registry files must be under ${MAX_FILE_BYTES} bytes`);
        }
        const lines = new LineCounter();
        const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
        if (!Array.isArray(docs)) return at(1, 1, "is not a YAML document");
        const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length > 0);
        if (nonEmpty.length === 0) {
            return at(1, 1, "file is empty; it must hold one mapping (see tenants/schema.json)");
        }
        if (docs.length > 1) {
            const second = lines.linePos(docs[1].range[0]);
            return at(second.line, second.col, "holds several YAML documents; keep exactly one per file (remove '---')");
        }
        const doc = docs[0];
        const syntax = [...doc.errors, ...doc.warnings.filter((w) => w.code === "DUPLICATE_KEY")];
        if (syntax.length > 0) {
            return syntax.map((e) => {
                const pos = lines.linePos(e.pos[0]);
                return { file, line: pos.line, col: pos.col, field: "(file)", message: `invalid YAML: ${firstLine(e.message)}` };
            });
        }
        let data: unknown;
        try {
            data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
        } catch (error) {
            return at(1, 1, `cannot be read: ${firstLine((error as Error).message)} (aliases may expand at most ${MAX_ALIAS_COUNT} times)`);
        }
        if (data === null || typeof data !== "object" || Array.isArray(data)) {
            const pos = doc.contents ? lines.linePos(doc.contents.range[0]) : { line: 1, col: 1 };
            const kind = Array.isArray(data) ? "a list" : data === null ? "empty" : `a ${typeof data}`;
            return at(pos.line, pos.col, `top level is ${kind}; it must be a mapping of fields (see tenants/schema.json)`);
        }
        return new YamlSource(file, doc, lines, data);
    }

    /** Position of the value at `path`, or of its nearest existing ancestor. */
    positionOf(path: readonly PropertyKey[]): { line: number; col: number } {
        for (let depth = path.length; depth >= 0; depth--) {
            const node = this.doc.getIn(path.slice(0, depth) as unknown[], true) as Node | undefined;
            if (node && (isScalar(node) || isMap(node) || isSeq(node)) && node.range) {
                return this.lines.linePos(node.range[0]);
            }
        }
        return { line: 1, col: 1 };
    }

    /** Position of the key `key` of the mapping at `path` (for unknown fields). */
    positionOfKey(path: readonly PropertyKey[], key: string): { line: number; col: number } {
        const parent = path.length === 0 ? this.doc.contents : this.doc.getIn(path as unknown[], true);
        if (isMap(parent)) {
            const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
            if (pair && isScalar(pair.key) && pair.key.range) return this.lines.linePos(pair.key.range[0]);
        }
        return this.positionOf(path);
    }

    /** An issue at the value of `path`. */
    issueAt(path: readonly PropertyKey[], message: string): SourceIssue {
        return { file: this.file, ...this.positionOf(path), field: fieldName(path), message };
    }
}

/** What a check needs of a source: where a field is, to report an issue there. */
export type SourcePositions = Pick<YamlSource, "file" | "issueAt" | "positionOf" | "positionOfKey">;

/**
 * The positions of a text already known to parse (see ParsedTenants): the YAML is parsed again only
 * if a check reports an issue in it, which a valid file on its own rarely has.
 */
export function deferredSource(file: string, text: string): SourcePositions {
    let parsed: YamlSource | undefined;
    const source = (): YamlSource => {
        if (!parsed) {
            const result = YamlSource.parse(file, text);
            // Only texts that parsed before are deferred; the same text parses the same way.
            if (Array.isArray(result)) throw new Error(`${file} no longer parses: ${result.map(formatIssue).join("; ")}`);
            parsed = result;
        }
        return parsed;
    };
    return {
        file,
        issueAt: (path, message) => source().issueAt(path, message),
        positionOf: (path) => source().positionOf(path),
        positionOfKey: (path, key) => source().positionOfKey(path, key),
    };
}

/** Dotted form of a field path: `secrets[0].name`. */
export function fieldName(path: readonly PropertyKey[]): string {
    if (path.length === 0) return "(file)";
    return path
        .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
        .join("");
}

/** Renders an issue as one line: `file:line:col field: message`. */
export function formatIssue(issue: SourceIssue): string {
    return `${issue.file}:${issue.line}:${issue.col} ${issue.field}: ${issue.message}`;
}

function firstLine(text: string): string {
    return text.split("\n")[0].trim();
}
