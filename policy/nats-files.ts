// A strict reader for the two files tenancy renders for nats-server (components/nats-server-config.ts):
// operator.conf and a tenant's account file. nats-server's format is far looser (nats-conf.ts reads
// all of it); accepting only what the renderer writes means the pack and the server can never read
// the same bytes differently. Line by line, no backtracking regex on a whole line: linear in the text.

/** A problem of a NATS file: the 1-based line and a sentence saying what is wrong and what must be true. */
export interface ConfProblem {
    line: number;
    message: string;
}

/** operator.conf as read. */
export interface OperatorConfFile {
    operatorJwt: string;
    operatorLine: number;
    systemAccount: string;
    systemAccountLine: number;
    /** Inline resolver_preload entries, in file order. */
    preload: Array<{ key: string; jwt: string; line: number }>;
    /** include lines inside resolver_preload, in file order. */
    includes: Array<{ file: string; line: number }>;
}

/** The grammar both readers accept, as one paragraph for POLICIES.md. */
export const NATS_FILE_GRAMMAR =
    "The pack reads the two files tenancy renders for nats-server with a grammar stricter than nats-server's, so the two can never read them differently. " +
    "Lines end with \\n or \\r\\n; only space and tab are blanks; blank lines and whole-line # comments may stand anywhere; a byte-order mark, NUL, any other control character or any non-ASCII character is a problem. " +
    'operator.conf holds exactly four statements, each once, in any order, each on its own line: operator: "<JWT>", system_account: "<account public key>", resolver: MEMORY, and resolver_preload: { closed later by a line holding only }. ' +
    "Keys are exact lowercase and unquoted, the separator is : with optional blanks, and strings are double-quoted without escapes; a JWT is three non-empty base64url parts joined by dots, an account public key is A and 55 base32 characters. " +
    'Inside resolver_preload stand only "<account public key>": "<JWT>" entries, each key once, and include "org_<id>.conf" lines naming a plain file, each once. ' +
    'An account file holds exactly one line "<account public key>": "<JWT>". ' +
    "Anything else (another key, =, a bare or single-quoted value, a $VARIABLE, a backslash, a // or trailing comment, a nested block, text after }) is a problem naming its line.";

const OPERATOR_RULE =
    'operator.conf may hold only operator, system_account, resolver: MEMORY and resolver_preload (account entries and include "<org id>.conf" lines), each once, exactly as tenancy renders them.';
const ACCOUNT_RULE = 'an account file holds exactly one line "<account public key>": "<account JWT>", exactly as tenancy renders it.';

const ACCOUNT_KEY = /^A[A-Z2-7]{55}$/;
const JWT_PART = /^[A-Za-z0-9_-]+$/;
const INCLUDE_FILE = /^org_[a-z0-9]+\.conf$/;
// Tab and printable ASCII only; "\r" before "\n" is removed before this test, so a lone CR is caught.
const FORBIDDEN_CHAR = /[^\t\x20-\x7e]/;
// Where a bare key ends in nats-server's format, so a message names the key nats-server would see.
const KEY_END = new Set([..." \t:={}[]\"',;#"]);
const TOP_KEYS = ["operator", "system_account", "resolver", "resolver_preload"] as const;
type TopKey = (typeof TOP_KEYS)[number];

/** One line without its end and without leading and trailing blanks, or why it is not text at all. */
type Line = { n: number; text: string } | { n: number; found: string };

/** A statement's parts as nats-server would split them: key, separator (":", "=", " " or none), value. */
interface Statement {
    key: string;
    quoted: boolean;
    sep: string;
    value: string;
}

const isBlank = (c: string | undefined): boolean => c === " " || c === "\t";

function skipBlanks(s: string, i: number): number {
    while (isBlank(s[i])) i++;
    return i;
}

// By hand, not /[ \t]+$/: that regex is quadratic on a long run of inner blanks.
function trimBlanks(s: string): string {
    let end = s.length;
    while (end > 0 && isBlank(s[end - 1])) end--;
    return s.slice(skipBlanks(s, 0), end);
}

function excerpt(s: string): string {
    return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

function describeChar(s: string, i: number): string {
    const code = s.codePointAt(i) ?? 0;
    const u = `U+${code.toString(16).toUpperCase().padStart(4, "0")} at column ${i + 1}`;
    if (code === 0xfeff) return `a byte-order mark (${u})`;
    if (code === 0) return `a NUL character (${u})`;
    if (code === 0x0d) return `a carriage return not followed by a newline (${u})`;
    return code < 0x20 || code === 0x7f ? `the control character ${u}` : `the non-ASCII character ${u}`;
}

/** The lines that are neither blank nor comments; `last` is the number of the line the file ends on. */
function splitLines(text: string): { lines: Line[]; last: number } {
    const raw = text.split("\n");
    if (raw.length > 1 && raw[raw.length - 1] === "") raw.pop();
    const lines: Line[] = [];
    raw.forEach((line, i) => {
        const own = line.endsWith("\r") && (i < raw.length - 1 || text.endsWith("\n")) ? line.slice(0, -1) : line;
        const bad = FORBIDDEN_CHAR.exec(own);
        if (bad) return lines.push({ n: i + 1, found: describeChar(own, bad.index) });
        const trimmed = trimBlanks(own);
        if (trimmed !== "" && trimmed[0] !== "#") lines.push({ n: i + 1, text: trimmed });
    });
    return { lines, last: raw.length };
}

function statement(text: string): Statement {
    let i = 0;
    let key: string;
    const quoted = text[0] === '"';
    if (quoted) {
        const close = text.indexOf('"', 1);
        i = close < 0 ? text.length : close + 1;
        key = text.slice(1, close < 0 ? text.length : close);
    } else {
        while (i < text.length && !KEY_END.has(text[i])) i++;
        key = text.slice(0, i);
    }
    const j = skipBlanks(text, i);
    const sep = text[j] === ":" || text[j] === "=" ? text[j] : j > i ? " " : "";
    return { key, quoted, sep, value: trimBlanks(text.slice(sep === ":" || sep === "=" ? j + 1 : j)) };
}

/** The content of a double-quoted string with no quote (and so no escape trick) inside, else undefined. */
function unquote(value: string): string | undefined {
    return value.length >= 2 && value[0] === '"' && value.indexOf('"', 1) === value.length - 1 ? value.slice(1, -1) : undefined;
}

function isJwt(s: string | undefined): s is string {
    const parts = s === undefined ? [] : s.split(".");
    return parts.length === 3 && parts.every((p) => JWT_PART.test(p));
}

function isAccountKey(s: string | undefined): s is string {
    return s !== undefined && ACCOUNT_KEY.test(s);
}

function sepProblem(who: string, sep: string): string | undefined {
    if (sep === ":") return undefined;
    return sep === "=" ? `${who} with "=" instead of ":"` : `${who} without ":"`;
}

/** Reads `"<ACCOUNT KEY>": "<JWT>"`: the entry, or what is wrong with it. */
function readEntry(text: string): { key: string; jwt: string } | { found: string } {
    const st = statement(text);
    if (!st.quoted || !isAccountKey(st.key)) return { found: "an entry whose key is not a double-quoted account public key" };
    const who = `the entry for ${st.key}`;
    const sep = sepProblem(who, st.sep);
    if (sep) return { found: sep };
    const jwt = unquote(st.value);
    return isJwt(jwt) ? { key: st.key, jwt } : { found: `${who} with a value other than a double-quoted JWT` };
}

function otherKey(text: string, where: string): string {
    if (text[0] === "}") return `a "}" that closes no block`;
    if (text.startsWith("//")) return "a // comment";
    const st = statement(text);
    if (st.key === "") return "a line with no key";
    return `the key ${st.quoted ? `"${excerpt(st.key)}"` : excerpt(st.key)}${where}`;
}

const EXPECTED: Record<TopKey, { what: string; ok: (value: string) => boolean }> = {
    operator: { what: "a double-quoted JWT", ok: (v) => isJwt(unquote(v)) },
    system_account: { what: "a double-quoted account public key", ok: (v) => isAccountKey(unquote(v)) },
    resolver: { what: "the bare word MEMORY", ok: (v) => v === "MEMORY" },
    resolver_preload: { what: '"{" alone', ok: (v) => v === "{" },
};

/** What is wrong with a top-level statement whose key nats-server reads as `key` (keys are case-insensitive there). */
function topProblem(st: Statement, key: TopKey): string | undefined {
    if (st.quoted) return `${key} as a quoted key`;
    if (st.key !== key) return `the key ${st.key}, which nats-server reads as ${key}`;
    return sepProblem(key, st.sep) ?? (EXPECTED[key].ok(st.value) ? undefined : `${key} with a value other than ${EXPECTED[key].what}`);
}

/** Everything operator.conf has said so far; `open` is the line of the resolver_preload block being read. */
class OperatorReader {
    readonly problems: ConfProblem[] = [];
    readonly seen = new Map<TopKey, number>();
    readonly values = new Map<TopKey, string>();
    readonly preload: OperatorConfFile["preload"] = [];
    readonly includes: OperatorConfFile["includes"] = [];
    private readonly firstAt = new Map<string, number>();
    open: number | undefined;

    problem(n: number, found: string, text?: string): void {
        const where = text === undefined ? "" : `, in "${excerpt(text)}"`;
        this.problems.push({ line: n, message: `line ${n}: ${found}${where}; ${OPERATOR_RULE}` });
    }

    top(n: number, text: string): void {
        const st = statement(text);
        const key = TOP_KEYS.find((k) => k === st.key.toLowerCase());
        if (!key) return this.problem(n, otherKey(text, ""), text);
        const first = this.seen.get(key);
        const found = first !== undefined ? `a second ${key} (the first is at line ${first})` : topProblem(st, key);
        if (first === undefined) this.seen.set(key, n);
        if (found) this.problem(n, found, text);
        else this.values.set(key, st.value);
        // A resolver_preload block opens even when its line is wrong, so its lines are read as entries, as nats-server would.
        if (key === "resolver_preload" && st.value.startsWith("{") && !st.value.endsWith("}")) this.open = n;
    }

    inside(n: number, text: string): void {
        if (text[0] === "}") {
            this.open = undefined;
            if (text !== "}") this.problem(n, 'text after the "}" that closes resolver_preload', text);
        } else if (text[0] === '"') this.entry(n, text);
        else if (statement(text).key.toLowerCase() === "include") this.include(n, text);
        else this.problem(n, otherKey(text, " inside resolver_preload"), text);
    }

    private entry(n: number, text: string): void {
        const read = readEntry(text);
        if ("found" in read) return this.problem(n, read.found, text);
        if (this.once(n, `key ${read.key}`, `a second entry for ${read.key}`, text)) this.preload.push({ ...read, line: n });
    }

    private include(n: number, text: string): void {
        const st = statement(text);
        const file = unquote(st.value);
        if (st.key !== "include") return this.problem(n, `the key ${st.key}, which nats-server reads as include`, text);
        if (st.sep !== " " || file === undefined || !INCLUDE_FILE.test(file)) return this.problem(n, 'include not followed by blanks and a double-quoted file name "org_<id>.conf"', text);
        if (this.once(n, `file ${file}`, `a second include of ${file}`, text)) this.includes.push({ file, line: n });
    }

    /** True the first time `id` is seen; a repeat is a problem (nats-server would keep the last silently). */
    private once(n: number, id: string, found: string, text: string): boolean {
        const first = this.firstAt.get(id);
        if (first === undefined) this.firstAt.set(id, n);
        else this.problem(n, `${found} (the first is at line ${first})`, text);
        return first === undefined;
    }
}

const byLine = (problems: ConfProblem[]): ConfProblem[] => [...problems].sort((a, b) => a.line - b.line);

/** Reads operator.conf as tenancy renders it: the configuration, or every problem sorted by line. */
export function readOperatorConf(text: string): { conf: OperatorConfFile } | { problems: ConfProblem[] } {
    const { lines, last } = splitLines(text);
    const r = new OperatorReader();
    for (const line of lines) {
        if ("found" in line) r.problem(line.n, line.found);
        else if (r.open !== undefined) r.inside(line.n, line.text);
        else r.top(line.n, line.text);
    }
    if (r.open !== undefined) r.problem(last, `the resolver_preload opened at line ${r.open} is never closed by a line holding only "}"`);
    for (const key of TOP_KEYS) if (!r.seen.has(key)) r.problem(1, `no ${key} statement`);
    if (r.problems.length > 0) return { problems: byLine(r.problems) };
    const operatorJwt = unquote(r.values.get("operator") ?? "") ?? "";
    const systemAccount = unquote(r.values.get("system_account") ?? "") ?? "";
    const at = (key: TopKey): number => r.seen.get(key) ?? 0;
    return { conf: { operatorJwt, operatorLine: at("operator"), systemAccount, systemAccountLine: at("system_account"), preload: r.preload, includes: r.includes } };
}

/** Reads one tenant's account file as tenancy renders it: its one entry, or every problem sorted by line. */
export function readAccountFile(text: string): { entry: { key: string; jwt: string; line: number } } | { problems: ConfProblem[] } {
    const problems: ConfProblem[] = [];
    const problem = (n: number, found: string, line?: string): void => {
        problems.push({ line: n, message: `line ${n}: ${found}${line === undefined ? "" : `, in "${excerpt(line)}"`}; ${ACCOUNT_RULE}` });
    };
    let entry: { key: string; jwt: string; line: number } | undefined;
    let entryLine: number | undefined; // the first line that is meant as an entry, read or not
    for (const line of splitLines(text).lines) {
        if ("found" in line) problem(line.n, line.found);
        else if (line.text[0] !== '"') problem(line.n, otherKey(line.text, ""), line.text);
        else if (entryLine !== undefined) problem(line.n, `a second entry (the first is at line ${entryLine})`, line.text);
        else {
            entryLine = line.n;
            const read = readEntry(line.text);
            if ("found" in read) problem(line.n, read.found, line.text);
            else entry = { ...read, line: line.n };
        }
    }
    if (entryLine === undefined) problem(1, "no entry");
    return problems.length > 0 || !entry ? { problems: byLine(problems) } : { entry };
}
