/**
 * Differential test of the pack's model of nats-server (policy/nats-server-view.ts) against the real
 * server. Seeded variants of the files the components render (operator.conf and the tenants' account
 * files) are read by the pack; every variant it accepts is loaded by nats-server, whose own view
 * (/varz, /accountz, /leafz, /gatewayz and what clients can and cannot do) must equal the model. The
 * pack must accept exactly the variants whose every change either means the same to both readers or
 * is a well-formed configuration the model represents exactly; a sample of the rejected ones is
 * loaded too, to show that the differential sees the forms where the server reads something else.
 */
import { Types } from "@nats-io/jwt";
import fc from "fast-check";
import { connect } from "nats";
import { describe, expect, it } from "vitest";
import { natsAccountConfKey, OPERATOR_CONF_KEY, taskInboxSubject, tenantSubjects } from "../../contract";
import { signJwt } from "../../components/nats-jwt";
import { operatorKeys } from "../../components/nats-keys";
import { readNatsServer, type NatsServerView, type ViewProblem } from "../../policy/nats-server-view";
import { describeViewProblem } from "../support/nats-view";
import { barrier, closeAll, collect, withCreds, type Client } from "./clients";
import { examplePlans, MASTER, serverFiles, testTenant, type TestTenant } from "./fixture";
import { natsServerBinary, startNats, type NatsFiles, type RunningNats } from "./server";

/** Seed and size of the one fast-check sample every test here reads. */
const SEED = 20_240_611;
const VARIANTS = 300;
/** At most this many rejected variants are loaded into a server (each start costs ~0.3 s). */
const REJECTED_STARTS = 30;

const plans = examplePlans();
const POOL = [testTenant("acme", "standard", plans), testTenant("globex", "free", plans), testTenant("initech", "enterprise", plans)];
const SUSPENDED = testTenant("hooli", "standard", plans, { lifecycle: "suspended" });
// Never part of the stack: a second resolver_preload block smuggles it in, and its user probes whether the server loaded it.
const ROGUE = testTenant("rogue", "standard", plans);
const OPERATOR = operatorKeys(MASTER).operator;

// ---------------------------------------------------------------------------------------------
// Variants: the rendered files as editable lines, and the changes made to them.

/** One statement of operator.conf (a block with its body and closing line) or the header: moved as a whole. */
interface Group {
    tag: string;
    lines: string[];
}

/** Files being changed: operator.conf as statements, each account file as lines, and each file's line end. */
interface Draft {
    tenants: TestTenant[];
    conf: Group[];
    accounts: Map<string, string[]>;
    eol: Map<string, string>;
}

/**
 * How a change relates to the model: `equal` means the same to both readers (the pack must accept
 * it), `modelled` is a different, well-formed configuration the view represents exactly (accepted;
 * judging it is the checks' job, not the reader's), `other` must be refused.
 */
type Meaning = "equal" | "modelled" | "other";

/** One change; `apply` edits the draft and says what it did, or undefined when it found nothing to change. */
interface Mutation {
    kind: string;
    meaning: Meaning;
    /** Claims are edited first (while JWTs are plain), then configuration, then equal-meaning text. */
    stage: number;
    apply(d: Draft): string | undefined;
}

/** A variant: its files, the tenants in them and the changes made. */
interface Variant {
    name: string;
    tenants: TestTenant[];
    files: NatsFiles;
    changes: Array<{ kind: string; meaning: Meaning }>;
    /** The same variant without its `other` changes: what the server should load if those meant nothing. */
    baseline: NatsFiles;
}

// Rendering signs JWTs (~6 ms): each of the few tenant sets is rendered once.
const rendered = new Map<string, NatsFiles>();
function draftOf(tenants: TestTenant[]): Draft {
    const id = tenants.map((t) => t.spec.slug).join("+");
    const files = rendered.get(id) ?? serverFiles(tenants);
    rendered.set(id, files);
    const lines = files[OPERATOR_CONF_KEY].split("\n").slice(0, -1);
    // The rendered shape: header, operator, system_account, resolver, then the resolver_preload block.
    if (!/^operator: /.test(lines[1]) || !/^system_account: /.test(lines[2]) || lines[3] !== "resolver: MEMORY" || lines[4] !== "resolver_preload: {") {
        throw new Error(`operator.conf no longer has the shape this test edits:\n${files[OPERATOR_CONF_KEY]}`);
    }
    const conf: Group[] = [
        { tag: "header", lines: [lines[0]] },
        { tag: "operator", lines: [lines[1]] },
        { tag: "system_account", lines: [lines[2]] },
        { tag: "resolver", lines: [lines[3]] },
        { tag: "resolver_preload", lines: lines.slice(4) },
    ];
    const accounts = new Map(Object.entries(files).filter(([name]) => name !== OPERATOR_CONF_KEY).map(([name, text]) => [name, text.split("\n").slice(0, -1)]));
    return { tenants, conf, accounts, eol: new Map() };
}

function render(d: Draft): NatsFiles {
    const text = (name: string, lines: string[]) => lines.map((l) => `${l}${d.eol.get(name) ?? "\n"}`).join("");
    const files: NatsFiles = { [OPERATOR_CONF_KEY]: text(OPERATOR_CONF_KEY, d.conf.flatMap((g) => g.lines)) };
    for (const [name, lines] of d.accounts) files[name] = text(name, lines);
    return files;
}

/** Every line list of the draft (operator.conf's groups, then the account files), for changes that may land anywhere. */
const lineLists = (d: Draft): string[][] => [...d.conf.map((g) => g.lines), ...d.accounts.values()];
const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);
const group = (d: Draft, tag: string) => d.conf.find((g) => g.tag === tag);
/** Permutes `items` by sort keys; true when the order changed. */
function permute<T>(items: T[], keys: number[]): boolean {
    const order = items.map((item, i) => ({ item, key: keys[i % keys.length] * items.length + i })).sort((a, b) => a.key - b.key);
    const changed = order.some((o, i) => o.item !== items[i]);
    items.splice(0, items.length, ...order.map((o) => o.item));
    return changed;
}
const mutation = (kind: string, meaning: Meaning, stage: number, apply: (d: Draft) => string | undefined): Mutation => ({ kind, meaning, stage, apply });

// A statement's key, its separator and the rest: `operator: "…"`, `"A…": "…"`, `resolver_preload: {`.
const KEY_VALUE = /^(\s*)([A-Za-z_$]+|"[^"]*")(\s*:\s*)(.*)$/;

// Equal in meaning: blanks, line ends, comments and the order of statements and includes.
const equalMutations = [
    fc.record({ list: fc.nat(), at: fc.nat(), text: fc.constantFrom("", "  ", "\t", " \t ") }).map(({ list, at, text }) =>
        mutation("blank line", "equal", 3, (d) => {
            const lines = pick(lineLists(d), list)!;
            lines.splice(at % (lines.length + 1), 0, text);
            return `blank line ${JSON.stringify(text)}`;
        }),
    ),
    fc.record({ list: fc.nat(), at: fc.nat(), text: fc.constantFrom("# note", "#", "  # }", '# include "org_rogue000.conf"', "\t#resolver_preload: {", '# operator: "x.y.z"') }).map(({ list, at, text }) =>
        mutation("comment line", "equal", 3, (d) => {
            const lines = pick(lineLists(d), list)!;
            lines.splice(at % (lines.length + 1), 0, text);
            return `comment line ${JSON.stringify(text)}`;
        }),
    ),
    fc.record({
        list: fc.nat(),
        at: fc.nat(),
        indent: fc.constantFrom("", " ", "\t", "  \t"),
        sep: fc.constantFrom(":", " :", ": ", " : ", "\t:\t", ":  "),
        trail: fc.constantFrom("", " ", "\t ", "  "),
    }).map(({ list, at, indent, sep, trail }) =>
        mutation("blanks", "equal", 3, (d) => {
            const lines = pick(lineLists(d), list)!;
            const i = at % lines.length;
            const m = KEY_VALUE.exec(lines[i]);
            lines[i] = m ? `${indent}${m[2]}${sep}${m[4]}${trail}` : `${indent}${lines[i].trim()}${trail}`;
            return `blanks ${JSON.stringify([indent, m ? sep : "", trail])} on ${lines[i].trim().slice(0, 24)}`;
        }),
    ),
    fc.nat().map((file) =>
        mutation("CRLF", "equal", 3, (d) => {
            const names = [OPERATOR_CONF_KEY, ...d.accounts.keys()];
            // One in names.length + 1 picks every file.
            const chosen = file % (names.length + 1) === names.length ? names : [names[file % names.length]];
            for (const name of chosen) d.eol.set(name, "\r\n");
            return `CRLF in ${chosen.length > 1 ? "every file" : chosen[0]}`;
        }),
    ),
    fc.array(fc.nat(), { minLength: 8, maxLength: 8 }).map((keys) =>
        mutation("statement order", "equal", 3, (d) => {
            const statements = d.conf.slice(1);
            if (!permute(statements, keys)) return undefined;
            d.conf.splice(1, statements.length, ...statements);
            return `statement order ${statements.map((g) => g.tag).join(",")}`;
        }),
    ),
    fc.array(fc.nat(), { minLength: 4, maxLength: 4 }).map((keys) =>
        mutation("include order", "equal", 3, (d) => {
            const lines = group(d, "resolver_preload")!.lines;
            const at = lines.flatMap((l, i) => (/^\s*include\b/.test(l) ? [i] : []));
            const includes = at.map((i) => lines[i]);
            if (!permute(includes, keys)) return undefined;
            at.forEach((i, j) => (lines[i] = includes[j]));
            return "include order";
        }),
    ),
];

/** Where the JWTs stand: operator.conf's operator line and inline entries, and each account file's entry. */
function jwtLines(d: Draft): Array<{ lines: string[]; i: number }> {
    return lineLists(d).flatMap((lines) => lines.flatMap((l, i) => (/"eyJ[^"]*"/.test(l) ? [{ lines, i }] : [])));
}

const CASES = { operator: ["Operator", "OPERATOR"], system_account: ["System_Account", "SYSTEM_ACCOUNT"], resolver: ["Resolver", "RESOLVER"], resolver_preload: ["RESOLVER_PRELOAD", "Resolver_Preload"] };

// Configuration nats-server reads (the same, differently or not at all) that the strict grammar refuses.
const configMutations = [
    fc.record({ tag: fc.constantFrom(...(Object.keys(CASES) as Array<keyof typeof CASES>)), n: fc.nat() }).map(({ tag, n }) =>
        mutation("key case", "other", 2, (d) => {
            const g = group(d, tag);
            const spelled = pick(CASES[tag], n)!;
            if (!g || !g.lines[0].startsWith(tag)) return undefined;
            g.lines[0] = spelled + g.lines[0].slice(tag.length);
            return `key ${spelled}`;
        }),
    ),
    fc.constantFrom(["resolver", "account_resolver"], ["system_account", "system"], ["operator", "operators"]).map(([key, alias]) =>
        mutation("alias", "other", 2, (d) => {
            const g = group(d, key);
            if (!g || !g.lines[0].startsWith(`${key}:`)) return undefined;
            g.lines[0] = alias + g.lines[0].slice(key.length);
            return `alias ${alias} for ${key}`;
        }),
    ),
    fc.record({ at: fc.nat(), sep: fc.constantFrom(" = ", "=", " ") }).map(({ at, sep }) =>
        mutation("separator", "other", 2, (d) => {
            const c = pick(lineLists(d).flatMap((ls) => ls.flatMap((l, i) => (KEY_VALUE.test(l) ? [{ ls, i }] : []))), at);
            if (!c) return undefined;
            const m = KEY_VALUE.exec(c.ls[c.i])!;
            c.ls[c.i] = `${m[1]}${m[2]}${sep}${m[4]}`;
            return `separator ${JSON.stringify(sep)} after ${m[2].slice(0, 20)}`;
        }),
    ),
    fc.record({ key: fc.constantFrom("resolver_preload", "RESOLVER_PRELOAD", "Resolver_Preload"), sep: fc.constantFrom(": ", " ") }).map(({ key, sep }) =>
        mutation("second resolver_preload", "other", 2, (d) => {
            d.conf.push({ tag: "extra", lines: [`${key}${sep}{`, `  "${ROGUE.material.accountPublicKey}": "${ROGUE.material.accountJwt}"`, "}"] });
            return `second ${key} block with the rogue account`;
        }),
    ),
    fc.record({ at: fc.nat(), char: fc.nat(), form: fc.constantFrom("x", "u") }).map(({ at, char, form }) =>
        mutation("string escape", "other", 2, (d) => {
            const c = pick(jwtLines(d), at);
            if (!c) return undefined;
            const line = c.lines[c.i];
            const start = line.indexOf('"eyJ') + 1;
            const length = line.indexOf('"', start) - start;
            const i = start + (char % 3 === 0 ? 0 : char % length);
            const hex = line.charCodeAt(i).toString(16).padStart(2, "0");
            c.lines[c.i] = `${line.slice(0, i)}${form === "x" ? `\\x${hex}` : `\\u00${hex}`}${line.slice(i + 1)}`;
            return `escape \\${form}${hex} in a JWT`;
        }),
    ),
    fc.nat().map((n) =>
        mutation("leafnode remote", "other", 2, (d) => {
            const t = pick(d.tenants, n)!;
            d.conf.push({ tag: "extra", lines: [`leafnodes { remotes: [ { url: "nats://127.0.0.1:1", account: "${t.material.accountPublicKey}" } ] }`] });
            return `leafnode remote bound to ${t.spec.slug}`;
        }),
    ),
    fc.constant(mutation("gateway", "other", 2, (d) => (d.conf.push({ tag: "extra", lines: ["gateway { name: x, port: -1 }"] }), "gateway block"))),
    fc.constant(mutation("cluster", "other", 2, (d) => (d.conf.push({ tag: "extra", lines: ["cluster { name: c, port: -1 }"] }), "cluster block"))),
    fc.constant(
        mutation("no system_account", "other", 2, (d) => {
            const i = d.conf.findIndex((g) => g.tag === "system_account");
            return i < 0 ? undefined : (d.conf.splice(i, 1), "system_account removed");
        }),
    ),
    fc.nat().map((n) =>
        mutation("include path", "other", 2, (d) => {
            const lines = group(d, "resolver_preload")!.lines;
            const i = pick(lines.flatMap((l, j) => (/^\s*include "org_/.test(l) ? [j] : [])), n);
            if (i === undefined) return undefined;
            lines[i] = lines[i].replace('include "', 'include "./');
            return "include with ./";
        }),
    ),
    fc.constantFrom("operator", "system_account").map((tag) =>
        mutation("variable", "other", 2, (d) => {
            const g = group(d, tag);
            const m = g && /^(\w+): (".*")$/.exec(g.lines[0]);
            if (!g || !m) return undefined;
            const name = tag === "operator" ? "OP" : "SYS";
            g.lines.splice(0, 1, `${name}: ${m[2]}`, `${m[1]}: $${name}`);
            return `$${name} for ${tag}`;
        }),
    ),
    fc.nat().map((n) =>
        mutation("resolver keys swapped", "other", 2, (d) => {
            const [a, b] = [pick(d.tenants, n)!, pick(d.tenants, n + 1)!].map((t) => accountEntry(d, t));
            const [ka, kb] = [a, b].map((e) => ENTRY.exec(e.lines[e.i])![1]);
            a.lines[a.i] = a.lines[a.i].replace(ka, kb);
            b.lines[b.i] = b.lines[b.i].replace(kb, ka);
            return "resolver keys of two account files swapped";
        }),
    ),
    fc.record({ list: fc.nat(), at: fc.nat() }).map(({ list, at }) =>
        mutation("// comment", "other", 2, (d) => {
            const lines = pick(lineLists(d), list)!;
            lines.splice(at % (lines.length + 1), 0, "// note");
            return "// comment line";
        }),
    ),
    fc.nat().map((n) =>
        mutation("trailing comment", "other", 2, (d) => {
            const c = pick(lineLists(d).flatMap((ls) => ls.flatMap((l, i) => (/^\s*(\w+:|"A)/.test(l) ? [{ ls, i }] : []))), n)!;
            c.ls[c.i] += " # note";
            return `trailing comment on ${c.ls[c.i].trim().slice(0, 20)}`;
        }),
    ),
];

const ENTRY = /^\s*"(A[A-Z2-7]{55})"/;

/** The account file of `t` in the draft: its lines and the index of its entry. */
function accountEntry(d: Draft, t: TestTenant): { lines: string[]; i: number } {
    const lines = d.accounts.get(natsAccountConfKey(t.spec.tenantId))!;
    return { lines, i: lines.findIndex((l) => ENTRY.test(l)) };
}

/** Replaces tenant `t`'s account JWT by one with `edit`ed payload text, signed with the real operator key. */
function resignText(d: Draft, t: TestTenant, edit: (payload: string) => string): void {
    const { lines, i } = accountEntry(d, t);
    lines[i] = lines[i].replace(/: "([^"]+)"$/, (_, jwt: string) => {
        const [header, payload] = jwt.split(".");
        const body = Buffer.from(edit(Buffer.from(payload, "base64url").toString("utf8"))).toString("base64url");
        return `: "${header}.${body}.${Buffer.from(OPERATOR.sign(new TextEncoder().encode(`${header}.${body}`))).toString("base64url")}"`;
    });
}

type AccountNats = Record<string, unknown> & { limits: Record<string, unknown>; signing_keys: Array<{ template: Record<string, unknown> }> };

/** Replaces tenant `t`'s account JWT by one whose `nats` claims `edit` changed, signed by the production signer (a proper jti). */
function resignClaims(d: Draft, t: TestTenant, edit: (nats: AccountNats) => void): void {
    const { lines, i } = accountEntry(d, t);
    const jwt = /: "([^"]+)"$/.exec(lines[i])![1];
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as { name: string; sub: string; nats: AccountNats };
    const { type: _type, version: _version, ...nats } = claims.nats;
    edit(nats as AccountNats);
    lines[i] = lines[i].replace(/: "[^"]+"$/, `: "${signJwt(Types.Account, claims.name, claims.sub, nats, OPERATOR)}"`);
}

const suspendedOr = (d: Draft, n: number) => d.tenants.find((t) => t === SUSPENDED) ?? pick(d.tenants, n)!;
const claimsMutation = (kind: string, meaning: Meaning, edit: (nats: AccountNats) => void) =>
    fc.nat().map((n) =>
        mutation(kind, meaning, 0, (d) => {
            const t = pick(d.tenants, n)!;
            resignClaims(d, t, edit);
            return `${kind} in ${t.spec.slug}'s claims`;
        }),
    );

// Claims, re-signed with the real operator key so that a valid signature proves nothing.
const modelledMutations = [
    claimsMutation("limits.leaf 1", "modelled", (n) => (n.limits.leaf = 1)),
    claimsMutation("limits.exports -1", "modelled", (n) => (n.limits.exports = -1)),
    claimsMutation("no disallow_bearer", "modelled", (n) => delete n.limits.disallow_bearer),
];
const claimsMutations = [
    claimsMutation("JetStream limits", "other", (n) => Object.assign(n.limits, { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 })),
    claimsMutation("bearer_token template", "other", (n) => (n.signing_keys[0].template.bearer_token = true)),
    fc.nat().map((n) =>
        mutation("second NATS object", "other", 1, (d) => {
            const t = pick(d.tenants, n)!;
            const other = d.tenants.find((o) => o !== t)!;
            const imp = { name: "x", subject: `${tenantSubjects(other.spec.slug).prefix}.>`, account: other.material.accountPublicKey, type: "stream" };
            resignText(d, t, (p) => `${p.slice(0, -1)},"NATS":{"imports":[${JSON.stringify(imp)}]}}`);
            return `"NATS" importing ${other.spec.slug}'s subjects into ${t.spec.slug}`;
        }),
    ),
    fc.record({ n: fc.nat(), key: fc.constantFrom("limits", "imports", "signing_keys", "nats") }).map(({ n, key }) =>
        mutation("key case in claims", "other", 1, (d) => {
            const t = pick(d.tenants, n)!;
            const spelled = { limits: "Limits", imports: "IMPORTS", signing_keys: "Signing_Keys", nats: "Nats" }[key];
            resignText(d, t, (p) => p.replace(`"${key}":`, `"${spelled}":`));
            return `"${spelled}" in ${t.spec.slug}'s claims`;
        }),
    ),
    fc.nat().map((n) =>
        mutation("case-variant conn", "other", 1, (d) => {
            const t = suspendedOr(d, n);
            resignText(d, t, (p) => p.replace(/"conn":(-?\d+)/, '"conn":$1,"Conn":-1'));
            return `"Conn":-1 beside "conn" in ${t.spec.slug}'s claims`;
        }),
    ),
    fc.record({ n: fc.nat(), dup: fc.constantFrom("conn", "leaf", "nats") }).map(({ n, dup }) =>
        mutation("duplicate key", "other", 1, (d) => {
            const t = dup === "conn" ? suspendedOr(d, n) : pick(d.tenants, n)!;
            resignText(d, t, (p) =>
                dup === "nats" ? `${p.slice(0, -1)},"nats":{"limits":{"conn":-1,"leaf":-1}}}` : p.replace(new RegExp(`"${dup}":(-?\\d+)`), `"${dup}":$1,"${dup}":${dup === "conn" ? -1 : 1}`),
            );
            return `duplicate "${dup}" in ${t.spec.slug}'s claims`;
        }),
    ),
];

const equal = fc.oneof(...equalMutations);
const modelled = fc.oneof(...modelledMutations);
const other = fc.oneof(...configMutations, ...claimsMutations);
const variantArb = fc.record({
    actives: fc.shuffledSubarray(POOL, { minLength: 2, maxLength: 2 }),
    suspended: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    // Weights keep the accepted variants (one server start each) near 40 of 300.
    mutations: fc.oneof(
        { weight: 10, arbitrary: fc.array(equal, { maxLength: 5 }) },
        { weight: 4, arbitrary: fc.tuple(fc.array(modelled, { minLength: 1, maxLength: 2 }), fc.array(equal, { maxLength: 3 })).map(([a, b]) => [...a, ...b]) },
        { weight: 86, arbitrary: fc.tuple(fc.array(other, { minLength: 1, maxLength: 3 }), fc.array(fc.oneof(equal, modelled), { maxLength: 3 })).map(([a, b]) => [...a, ...b]) },
    ),
});

/** The tenants' rendered files with `mutations` applied in stage order, and what each one that found something to change did. */
function mutate(tenants: TestTenant[], mutations: Mutation[]): { files: NatsFiles; changes: Variant["changes"]; notes: string[] } {
    const d = draftOf(tenants);
    const changes: Variant["changes"] = [];
    const notes: string[] = [];
    for (const m of [...mutations].sort((a, b) => a.stage - b.stage)) {
        const note = m.apply(d);
        if (note === undefined) continue;
        changes.push({ kind: m.kind, meaning: m.meaning });
        notes.push(note);
    }
    return { files: render(d), changes, notes };
}

function variant(index: number, tenants: TestTenant[], mutations: Mutation[]): Variant {
    const { files, changes, notes } = mutate(tenants, mutations);
    const kept = mutations.filter((m) => m.meaning !== "other");
    const baseline = kept.length === mutations.length ? files : mutate(tenants, kept).files;
    return { name: `variant #${index} (${tenants.map((t) => t.spec.slug).join("+")}: ${notes.join("; ") || "as rendered"})`, tenants, files, changes, baseline };
}

/** The seeded sample: the rendered files first, then VARIANTS - 1 generated ones. */
const ALL: Variant[] = [
    variant(0, [POOL[0], POOL[1], SUSPENDED], []),
    ...fc.sample(variantArb, { seed: SEED, numRuns: VARIANTS - 1 }).map((v, i) => variant(i + 1, [...v.actives, ...(v.suspended ? [SUSPENDED] : [])], v.mutations)),
];

const viewOf = (files: NatsFiles) => readNatsServer(new Map(Object.entries(files)));

// ---------------------------------------------------------------------------------------------
// The server's own view, held to a model.

/** A JSON value without what Go's encoder leaves out (zero, false, "", null, empty lists and objects), keys sorted. */
function normalized(value: unknown): unknown {
    if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((v) => normalized(v) ?? null);
    if (value !== null && typeof value === "object") {
        const entries = Object.keys(value)
            .sort()
            .map((k) => [k, normalized((value as Record<string, unknown>)[k])] as const)
            .filter(([, v]) => v !== undefined);
        return entries.length === 0 ? undefined : Object.fromEntries(entries);
    }
    return value === 0 || value === false || value === "" || value === null ? undefined : value;
}
const same = (a: unknown, b: unknown) => JSON.stringify(normalized(a)) === JSON.stringify(normalized(b));

type Port = { subject: string; account?: string; type: string; local_subject?: string; to?: string; invalid?: boolean };
// Imports and exports nats-server adds to every account in operator mode ($SYS requests served by the system account).
const automatic = (p: Port, system: string) => p.subject.startsWith("$SYS.") && (p.account === system || p.account === undefined);
const imports = (list: Port[] | undefined, system: string) =>
    (list ?? [])
        .filter((p) => !automatic(p, system))
        .map((p) => `${p.type} ${p.subject} from ${p.account} as ${p.local_subject ?? p.subject}${p.invalid ? " (invalid)" : ""}`)
        .sort();
const exports = (list: Port[] | undefined, system: string) => (list ?? []).filter((p) => !automatic(p, system)).map((p) => `${p.type} ${p.subject}`).sort();

/** The user of each probed tenant: connected, or refused. */
async function connectAll(server: RunningNats, tenants: TestTenant[]): Promise<Map<TestTenant, Client | undefined>> {
    const clients = new Map<TestTenant, Client | undefined>();
    for (const t of tenants) {
        const nc = await connect({ servers: server.url, reconnect: false, timeout: 30_000, ...withCreds(t.material.creds) }).catch(() => undefined);
        clients.set(t, nc && { nc, events: [] });
    }
    return clients;
}

/** The subjects and payloads a tenant's probe publishes, as collect() records them. */
const probeMessages = (t: TestTenant) => [`${taskInboxSubject(t.spec.slug, "probe")}|from:${t.spec.slug}`, `${t.spec.inboxPrefix}.probe|from:${t.spec.slug}`];

/**
 * Everything in which the server's view differs from `model`: the trusted operator, the system
 * account, listeners (leafnode, gateway, cluster), the accounts it knows and each one's claims as it
 * decoded them, imports and exports, who may connect, and whether any tenant receives another's messages.
 */
async function differences(server: RunningNats, model: NatsServerView, tenants: TestTenant[]): Promise<string[]> {
    const found: string[] = [];
    // Probes first: the server registers a preloaded account only when something uses it.
    const clients = await connectAll(server, [...tenants, ROGUE]);
    try {
        for (const [t, c] of clients) {
            const conn = model.accounts.get(t.material.accountPublicKey)?.nats.limits.conn;
            const may = conn !== undefined && conn !== 0;
            if (may !== (c !== undefined)) found.push(`${t.spec.slug}'s user ${c ? "connected" : "was refused"}; the model says it ${may ? "may" : "may not"} connect`);
        }
        const connected = [...clients].flatMap(([t, c]) => (c ? [{ t, c }] : []));
        const seen = connected.map(({ t, c }) => ({ t, got: [collect(c.nc, tenantSubjects(t.spec.slug).all), collect(c.nc, tenantSubjects(t.spec.slug).inboxes)] }));
        const all = connected.map(({ c }) => c);
        await barrier(all, all);
        for (const { t, c } of connected) for (const m of probeMessages(t)) c.nc.publish(m.split("|")[0], m.split("|")[1]);
        await barrier(all, all);
        for (const { t, got } of seen) {
            const received = got.flat().sort();
            if (JSON.stringify(received) !== JSON.stringify(probeMessages(t).sort())) found.push(`${t.spec.slug}'s user received ${JSON.stringify(received)}, only its own two probes expected`);
        }
    } finally {
        await closeAll([...clients.values()].flatMap((c) => (c ? [c.nc] : [])));
    }

    const varz = await server.monitor("/varz");
    if (varz.system_account !== model.systemAccount) found.push(`system account ${varz.system_account}, the model's is ${model.systemAccount}`);
    const operators = (varz.trusted_operators_claim ?? []) as unknown[];
    if (operators.length !== 1 || !same(operators[0], model.operator)) found.push(`trusted operators ${JSON.stringify(operators)}, the model trusts only ${model.operator.sub}`);
    // /varz of 2.15 holds an empty object for each listener that is not configured.
    for (const listener of ["cluster", "gateway", "leaf"]) if (Object.keys(varz[listener] ?? {}).length > 0) found.push(`/varz ${listener} ${JSON.stringify(varz[listener])}, the model has none`);
    const leafz = await server.monitor("/leafz");
    if ((leafz.leafs ?? []).length > 0) found.push(`/leafz lists ${leafz.leafs.length} leafnode connections`);
    const gatewayz = await server.monitor("/gatewayz");
    if (gatewayz.name || Object.keys(gatewayz.outbound_gateways ?? {}).length || Object.keys(gatewayz.inbound_gateways ?? {}).length) found.push(`/gatewayz ${JSON.stringify(gatewayz)}`);

    const known = ((await server.monitor("/accountz")).accounts as string[]).filter((a) => a !== "$G");
    for (const key of known) if (!model.accounts.has(key)) found.push(`the server knows account ${key}, which the model does not preload`);
    for (const [key, claims] of model.accounts) {
        if (!known.includes(key)) {
            found.push(`the server does not know account ${key} (${claims.name}) after the probes`);
            continue;
        }
        const detail = (await server.monitor(`/accountz?acc=${key}`)).account_detail;
        const who = `account ${claims.name}`;
        if (!same(detail.decoded_jwt, claims)) found.push(`${who}: the server decoded ${JSON.stringify(normalized(detail.decoded_jwt))}, the model ${JSON.stringify(normalized(claims))}`);
        if (detail.issuer_key !== model.operator.sub) found.push(`${who}: issuer ${detail.issuer_key}`);
        if (Boolean(detail.is_system) !== (key === model.systemAccount)) found.push(`${who}: is_system ${detail.is_system}`);
        if (detail.jetstream_enabled) found.push(`${who}: JetStream enabled`);
        const [gotImports, wantImports] = [imports(detail.imports, model.systemAccount), imports(claims.nats.imports as Port[] | undefined, model.systemAccount)];
        if (JSON.stringify(gotImports) !== JSON.stringify(wantImports)) found.push(`${who}: imports ${JSON.stringify(gotImports)}, the model's ${JSON.stringify(wantImports)}`);
        const [gotExports, wantExports] = [exports(detail.exports, model.systemAccount), exports(claims.nats.exports as Port[] | undefined, model.systemAccount)];
        if (JSON.stringify(gotExports) !== JSON.stringify(wantExports)) found.push(`${who}: exports ${JSON.stringify(gotExports)}, the model's ${JSON.stringify(wantExports)}`);
    }
    return found;
}

/** Starts the server on a variant and returns `differences` against `model`, or why the server did not start. */
async function load(bin: string, v: Variant, model: NatsServerView): Promise<{ started: false; why: string } | { started: true; found: string[] }> {
    let server: RunningNats;
    try {
        server = await startNats(bin, v.files, { readyTimeoutMs: 10_000 });
    } catch (error) {
        return { started: false, why: (error as Error).message.split("\n").find((l) => l.startsWith("nats-server:")) ?? (error as Error).message.split("\n")[0] };
    }
    try {
        return { started: true, found: await differences(server, model, v.tenants) };
    } finally {
        await server.stop();
    }
}

// ---------------------------------------------------------------------------------------------

const verdicts = ALL.map((v) => ({ v, read: viewOf(v.files) }));
const accepted = verdicts.flatMap(({ v, read }) => ("view" in read ? [{ v, view: read.view }] : []));
const rejected = verdicts.flatMap(({ v, read }) => ("problems" in read ? [{ v, problems: read.problems }] : []));
/** What the server test found, for the summary line of the last test. */
const tally = { checked: 0, failures: 0 };

describe("the pack's view of nats-server against nats-server itself", () => {
    it(`accepts exactly the ${VARIANTS} variants whose every change is equal in meaning or modelled`, () => {
        const wrong = verdicts.flatMap(({ v, read }) => {
            const expected = v.changes.every((c) => c.meaning !== "other");
            if (expected === "view" in read) return [];
            const refused = "problems" in read ? read.problems.map((p: ViewProblem) => describeViewProblem(p)).join(" | ") : "";
            return [`${v.name}: ${expected ? `refused: ${refused}` : "accepted, though a change must be refused"}`];
        });
        expect(wrong).toEqual([]);
        expect(accepted.length).toBeGreaterThanOrEqual(20);
        expect(rejected.length).toBeGreaterThanOrEqual(200);
    });

    it("sees in nats-server exactly what it models, for every accepted variant", async () => {
        const bin = natsServerBinary();
        const failures: string[] = [];
        for (const { v, view } of accepted) {
            const outcome = await load(bin, v, view);
            if (!outcome.started) failures.push(`${v.name}: nats-server did not start: ${outcome.why}`);
            else failures.push(...outcome.found.map((f) => `${v.name}: ${f}`));
            // The fixture's own promise, beside the model's: a suspended tenant never connects.
            if (v.tenants.includes(SUSPENDED) && view.accounts.get(SUSPENDED.material.accountPublicKey)?.nats.limits.conn !== 0) failures.push(`${v.name}: the model lets the suspended tenant connect`);
            tally.checked++;
        }
        tally.failures = failures.length;
        expect(failures).toEqual([]);
    }, 120_000);

    it("meets rejected variants that nats-server loads differently from what they would mean without their refused changes", async () => {
        const bin = natsServerBinary();
        // Cover every kind of refused change once, then fill up in sample order.
        const sample: typeof rejected = [];
        const kinds = new Set<string>();
        for (const r of rejected) {
            const fresh = r.v.changes.filter((c) => c.meaning === "other" && !kinds.has(c.kind));
            if (fresh.length === 0 || sample.length >= REJECTED_STARTS) continue;
            fresh.forEach((c) => kinds.add(c.kind));
            sample.push(r);
        }
        for (const r of rejected) if (sample.length < REJECTED_STARTS && !sample.includes(r)) sample.push(r);
        let [started, different] = [0, 0];
        for (const { v } of sample) {
            // The model of the variant without its refused changes: any difference is what those changes did to the server.
            const base = viewOf(v.baseline);
            if (!("view" in base)) throw new Error(`${v.name} without its refused changes does not read: ${base.problems.map(describeViewProblem).join(" | ")}`);
            const outcome = await load(bin, v, base.view);
            if (!outcome.started) continue;
            started++;
            if (outcome.found.length > 0) different++;
        }
        const agreed = tally.checked === accepted.length && tally.failures === 0 ? "all equal to the server's view" : `${tally.checked} checked, ${tally.failures} differences`;
        console.log(
            `differential: ${ALL.length} variants, ${accepted.length} accepted (${agreed}), ${rejected.length} rejected, ` +
                `of which ${started} started and ${different} loaded differently (${sample.length} given to the server)`,
        );
        expect(different).toBeGreaterThan(0);
    }, 120_000);
});
