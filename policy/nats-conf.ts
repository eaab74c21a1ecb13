// A reader for nats-server's configuration format (a superset of JSON: bare keys and values,
// `:`/`=`/space separators, `#` and `//` comments, newline or comma separators, `$VAR` references,
// `include`). The pack reads what the server loads, so it must read the format the server reads.
import { UNKNOWN } from "./unknowns";

/** A parsed configuration: the document, the files it includes and the variables it could not resolve. */
export interface NatsConf {
    /** Top-level keys and values; scalars stay text, an unresolved `$VAR` is UNKNOWN. */
    value: Record<string, unknown>;
    /** `include` directives the pack could not read, with why. */
    includes: string[];
    /** `$VAR` references with no definition in the document. */
    unresolved: string[];
}

const BARE_END = /[\n\r,;}\]#]/;
const KEY_END = /[\s:=,;{}[\]#"']/;

/**
 * Finds the text of an included file: the text, or why it cannot be read. nats-server reads the file
 * next to the including one; the pack looks for it among the objects the stack declares.
 */
export type IncludeResolver = (path: string) => { text: string } | { problem: string };

class Reader {
    private i = 0;
    readonly includes: string[] = [];
    readonly unresolved: string[] = [];

    constructor(
        private readonly s: string,
        private readonly resolve?: IncludeResolver,
        private readonly depth = 0,
    ) {}

    fail(what: string): never {
        const line = this.s.slice(0, this.i).split("\n").length;
        throw new Error(`${what} at line ${line}`);
    }

    skip(newlines: boolean): void {
        while (this.i < this.s.length) {
            const c = this.s[this.i];
            if (c === " " || c === "\t" || c === "\r" || (newlines && (c === "\n" || c === "," || c === ";"))) this.i++;
            else if (c === "#" || (c === "/" && this.s[this.i + 1] === "/")) while (this.i < this.s.length && this.s[this.i] !== "\n") this.i++;
            else break;
        }
    }

    document(): Record<string, unknown> {
        this.skip(true);
        const braced = this.s[this.i] === "{";
        if (braced) this.i++;
        const value = this.map(braced ? "}" : undefined, []);
        this.skip(true);
        if (this.i < this.s.length) this.fail(`unexpected "${this.s[this.i]}"`);
        return value;
    }

    private map(end: string | undefined, scopes: Record<string, unknown>[]): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        const inner = [out, ...scopes];
        for (;;) {
            this.skip(true);
            if (this.i >= this.s.length) {
                if (end) this.fail(`missing "${end}"`);
                return out;
            }
            if (this.s[this.i] === end) {
                this.i++;
                return out;
            }
            const key = this.key();
            this.skip(false);
            if (key.toLowerCase() === "include") {
                this.include(String(this.value(inner)), out);
                continue;
            }
            if (this.s[this.i] === ":" || this.s[this.i] === "=") this.i++;
            this.skip(false);
            out[key] = this.value(inner);
        }
    }

    // nats-server parses the included file as a map and sets its keys where the include stands.
    private include(path: string, into: Record<string, unknown>): void {
        const found = this.depth < 8 && this.resolve ? this.resolve(path) : { problem: this.resolve ? "where includes nest too deep" : "which the pack cannot read" };
        if ("problem" in found) {
            this.includes.push(`"${path}", ${found.problem}`);
            return;
        }
        let included: NatsConf;
        try {
            included = parseNatsConf(found.text, this.resolve, this.depth + 1);
        } catch (error) {
            this.includes.push(`"${path}", which does not parse (${(error as Error).message})`);
            return;
        }
        Object.assign(into, included.value);
        this.includes.push(...included.includes);
        this.unresolved.push(...included.unresolved);
    }

    private key(): string {
        const c = this.s[this.i];
        if (c === '"' || c === "'") return this.quoted();
        const start = this.i;
        while (this.i < this.s.length && !KEY_END.test(this.s[this.i])) this.i++;
        if (this.i === start) this.fail(`expected a key, found "${c}"`);
        return this.s.slice(start, this.i);
    }

    private value(scopes: Record<string, unknown>[]): unknown {
        const c = this.s[this.i];
        if (c === "{") {
            this.i++;
            return this.map("}", scopes);
        }
        if (c === "[") {
            this.i++;
            return this.array(scopes);
        }
        if (c === '"' || c === "'") return this.quoted();
        if (c === "$") return this.variable(scopes);
        const start = this.i;
        while (this.i < this.s.length && !BARE_END.test(this.s[this.i]) && !(this.s[this.i] === "/" && this.s[this.i + 1] === "/")) this.i++;
        const text = this.s.slice(start, this.i).trim();
        if (text === "") this.fail("expected a value");
        return text;
    }

    private array(scopes: Record<string, unknown>[]): unknown[] {
        const out: unknown[] = [];
        for (;;) {
            this.skip(true);
            if (this.i >= this.s.length) this.fail('missing "]"');
            if (this.s[this.i] === "]") {
                this.i++;
                return out;
            }
            out.push(this.value(scopes));
        }
    }

    private quoted(): string {
        const quote = this.s[this.i];
        let j = this.i + 1;
        while (j < this.s.length && this.s[j] !== quote) j += this.s[j] === "\\" && quote === '"' ? 2 : 1;
        if (j >= this.s.length) this.fail("unterminated string");
        const raw = this.s.slice(this.i, j + 1);
        this.i = j + 1;
        if (quote === "'") return raw.slice(1, -1);
        try {
            return JSON.parse(raw) as string;
        } catch {
            return raw.slice(1, -1);
        }
    }

    // `$NAME` resolves to a key defined in the same or an enclosing block, as nats-server resolves it.
    private variable(scopes: Record<string, unknown>[]): unknown {
        const m = /^\$([A-Za-z0-9_]+)/.exec(this.s.slice(this.i));
        if (!m) this.fail("expected a variable name after $");
        this.i += m[0].length;
        for (const scope of scopes) if (Object.hasOwn(scope, m[1])) return scope[m[1]];
        this.unresolved.push(m[1]);
        return UNKNOWN;
    }
}

/**
 * Parses a nats-server configuration, reading each `include` through `resolve` (without one, every
 * include is listed as unreadable); throws an Error naming the line when it is not one.
 */
export function parseNatsConf(text: string, resolve?: IncludeResolver, depth = 0): NatsConf {
    try {
        const json = JSON.parse(text) as unknown;
        if (json && typeof json === "object" && !Array.isArray(json)) return { value: json as Record<string, unknown>, includes: [], unresolved: [] };
    } catch {
        // Not JSON: read it as the server's own format.
    }
    const reader = new Reader(text, resolve, depth);
    return { value: reader.document(), includes: reader.includes, unresolved: reader.unresolved };
}
