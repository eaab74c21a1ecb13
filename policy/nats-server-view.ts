// What nats-server loads in operator mode, as the pack models it: operator.conf and the account
// files it includes, each read by the strict readers (nats-files.ts, nats-claims.ts), put together
// the way the server puts them together. The readers accept only text with one meaning; this module
// adds the rules that span files: an include names a file the stack declares, each file and each
// account once, a resolver key is its JWT's subject, every account comes from the trusted operator
// and the system account is the operator's and preloaded. A differential test
// (test/nats/differential.test.ts) starts the real server on every configuration this accepts and
// holds the server's own view to this one.
import { OPERATOR_CONF_KEY } from "../contract";
import { readNatsJwt, type AccountClaims, type OperatorClaims } from "./nats-claims";
import { readAccountFile, readOperatorConf, type ConfProblem } from "./nats-files";

/** What nats-server loads from operator.conf and the account files it includes, as the pack models it. */
export interface NatsServerView {
    /** The trusted operator (decoded operator JWT). */
    operator: OperatorClaims;
    /** The system account's public key. */
    systemAccount: string;
    /** Every preloaded account (inline and included), by public key. */
    accounts: Map<string, AccountClaims>;
    /** Account public key -> the file its entry came from (the entry file for inline ones). */
    accountFiles: Map<string, string>;
}

/** A problem, located: the file, its line when known, and a sentence saying what is wrong and what must be true. */
export interface ViewProblem {
    file: string;
    line?: number;
    message: string;
}

/** One resolver_preload entry and where it stands. */
interface Entry {
    key: string;
    jwt: string;
    file: string;
    line: number;
}

// The file readers start each message with "line <n>: "; a ViewProblem carries the line in its own field.
function located(file: string, problems: readonly ConfProblem[]): ViewProblem[] {
    return problems.map(({ line, message }) => ({ file, line, message: message.startsWith(`line ${line}: `) ? message.slice(`line ${line}: `.length) : message }));
}

/** How {@link readNatsServer} treats includes it cannot read. */
export interface ReadOptions {
    /** Account files other stacks declare (another shard's tenants, or those outside a partial plan): included without being read, since their own stack's pack checks them. */
    elsewhere?: ReadonlySet<string>;
}

/**
 * Reads the configuration nats-server loads from `entry` (operator.conf by default) and the account
 * files it includes, found in `files` by exact name: the view, or every problem found.
 */
export function readNatsServer(files: ReadonlyMap<string, string>, entry: string = OPERATOR_CONF_KEY, options: ReadOptions = {}): { view: NatsServerView } | { problems: ViewProblem[] } {
    const text = files.get(entry);
    if (text === undefined) return { problems: [{ file: entry, message: `the stack declares no ${entry}; nats-server's configuration includes it, so it must be one of the stack's files.` }] };
    const read = readOperatorConf(text);
    if ("problems" in read) return { problems: located(entry, read.problems) };
    const { conf } = read;
    const problems: ViewProblem[] = [];
    const entries: Entry[] = conf.preload.map((e) => ({ ...e, file: entry }));

    // Each include once, each naming a declared file that holds one entry.
    const included = new Map<string, number>();
    for (const { file, line } of conf.includes) {
        const first = included.get(file);
        if (first !== undefined) {
            problems.push({ file: entry, line, message: `include "${file}" repeats the include at line ${first}; each account file must be included once.` });
            continue;
        }
        included.set(file, line);
        const accountText = files.get(file);
        if (accountText === undefined && options.elsewhere?.has(file)) continue;
        if (accountText === undefined) {
            // nats-server refuses to start on a missing include; the pack cannot see what a real file would hold.
            problems.push({ file: entry, line, message: `include "${file}" names a file the stack does not declare; operator.conf may include only account files the stack declares.` });
            continue;
        }
        const account = readAccountFile(accountText);
        if ("problems" in account) problems.push(...located(file, account.problems));
        else entries.push({ ...account.entry, file });
    }

    const operator = readNatsJwt(conf.operatorJwt, "operator");
    if ("problem" in operator) problems.push({ file: entry, line: conf.operatorLine, message: `the operator JWT ${operator.problem}.` });
    const operatorKey = "claims" in operator ? operator.claims.sub : undefined;

    // Each account once across every file: nats-server keeps one of two entries silently.
    const accounts = new Map<string, AccountClaims>();
    const accountFiles = new Map<string, string>();
    const firstEntry = new Map<string, Entry>();
    for (const e of entries) {
        const where = { file: e.file, line: e.line };
        const first = firstEntry.get(e.key);
        if (first) {
            problems.push({ ...where, message: `account ${e.key} is preloaded again (first in ${first.file} line ${first.line}); each account must be preloaded once.` });
            continue;
        }
        firstEntry.set(e.key, e);
        const jwt = readNatsJwt(e.jwt, "account");
        if ("problem" in jwt) {
            problems.push({ ...where, message: `the JWT of account ${e.key} ${jwt.problem}.` });
            continue;
        }
        const { claims } = jwt;
        if (claims.sub !== e.key) {
            problems.push({ ...where, message: `the resolver key ${e.key} is not the subject of its JWT (${claims.sub}); nats-server loads no account from an entry whose key is not its JWT's sub.` });
            continue;
        }
        if (operatorKey !== undefined && claims.iss !== operatorKey) {
            problems.push({ ...where, message: `account ${e.key} is issued by ${claims.iss}, not by the operator ${operatorKey}; every preloaded account must be signed by the trusted operator.` });
            continue;
        }
        accounts.set(e.key, claims);
        accountFiles.set(e.key, e.file);
    }

    // The system account: what the conf says, what the operator says, and preloaded.
    const sysWhere = { file: entry, line: conf.systemAccountLine };
    if ("claims" in operator && operator.claims.nats.system_account !== conf.systemAccount) {
        problems.push({
            ...sysWhere,
            message: `system_account ${conf.systemAccount} is not the operator's system account ${operator.claims.nats.system_account}; they must be the same account.`,
        });
    }
    if (!firstEntry.has(conf.systemAccount)) {
        problems.push({ ...sysWhere, message: `system account ${conf.systemAccount} is not preloaded; resolver_preload must hold the system account's JWT.` });
    }

    if (problems.length > 0 || !("claims" in operator)) return { problems };
    return { view: { operator: operator.claims, systemAccount: conf.systemAccount, accounts, accountFiles } };
}
