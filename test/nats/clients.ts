/**
 * Client-side helpers of the NATS end-to-end tests: connect with a tenant's `.creds`, collect what a
 * subscription receives, attempt a connection and read why the server refused it, and a flush
 * barrier that makes "nothing arrived" a sound statement.
 */
import { connect, credsAuthenticator, StringCodec, type NatsConnection } from "nats";
import { expect } from "vitest";
import type { RunningNats } from "./server";

/** Encodes and decodes message payloads. */
export const sc = StringCodec();

/** A connection and what the client saw happen to it. */
export interface Client {
    nc: NatsConnection;
    /** Server-sent async errors (permission violations) and status events, in order. */
    events: string[];
}

/** Authenticates with a `.creds` file's text. */
export const withCreds = (creds: string) => ({ authenticator: credsAuthenticator(new TextEncoder().encode(creds)) });

/** Connects to `server` with the given options (no reconnect: a dropped connection stays closed) and records its status events in `open`. */
export async function client(server: RunningNats, open: NatsConnection[], opts: Record<string, unknown>): Promise<Client> {
    const nc = await connect({ servers: server.url, reconnect: false, timeout: 5_000, ...opts });
    open.push(nc);
    const events: string[] = [];
    void (async () => {
        for await (const s of nc.status()) events.push(`${s.type}:${typeof s.data === "string" ? s.data : JSON.stringify(s.data)}`);
    })();
    return { nc, events };
}

/** Status events other than the informational "update" (a server INFO refresh, e.g. on reload): disconnects, errors. */
export const drops = (c: Client) => c.events.filter((e) => !e.startsWith("update:"));

/**
 * Subscribes and collects every message as `subject|payload`; `ended` resolves with the error that
 * closed the subscription, if any. A callback records each message synchronously as the client
 * parses it, so a later flush() is a sound barrier.
 */
export function collect(nc: NatsConnection, subject: string): string[] & { ended: Promise<string | undefined> } {
    const got: string[] = [];
    let end!: (reason: string | undefined) => void;
    const ended = new Promise<string | undefined>((resolve) => (end = resolve));
    const sub = nc.subscribe(subject, {
        callback: (err, m) => {
            if (err) end(err.message);
            else got.push(`${m.subject}|${sc.decode(m.data)}`);
        },
    });
    void sub.closed.then(() => end(undefined));
    Object.defineProperty(got, "ended", { value: ended, enumerable: false });
    return got as string[] & { ended: Promise<string | undefined> };
}

/**
 * Once every sender's flush and then every receiver's flush returned, the server has routed every
 * message published before and written it to the receivers ahead of their PONG.
 */
export async function barrier(senders: Client[], receivers: Client[]): Promise<void> {
    for (const s of senders) await s.nc.flush();
    for (const r of receivers) await r.nc.flush();
    await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Tries to connect and returns "connected", or "refused: <server log line>" when the server
 * rejected the attempt. The server closes a refused socket right after its -ERR, so the client may
 * report the -ERR or a reset/broken pipe; the server's log is the authority on why.
 */
export async function attempt(server: RunningNats, opts: Record<string, unknown>): Promise<string> {
    const logBefore = server.log().length;
    const outcome = await connect({ servers: server.url, reconnect: false, timeout: 5_000, ...opts }).then(
        async (nc) => {
            await nc.close();
            return undefined;
        },
        (e: Error & { code?: string }) => e.code ?? e.message,
    );
    if (outcome === undefined) return "connected";
    expect(["AUTHORIZATION_VIOLATION", "NATS_PROTOCOL_ERR", "EPIPE", "ECONNRESET"]).toContain(outcome);
    const deadline = Date.now() + 2_000;
    let line: string | undefined;
    while (!(line = server.log().slice(logBefore).split("\n").find((l) => l.includes("[ERR]")))) {
        if (Date.now() > deadline) return `refused without a server log line (${outcome})`;
        await new Promise((r) => setTimeout(r, 10));
    }
    return `refused: ${line.replace(/^.*? - cid:\d+ - (?:"[^"]*" - )?(?:"[^"]*" - )?/, "")}`;
}

/** Resolves once the server counts `count` client connections in the account (closes are asynchronous server-side). */
export async function untilConnections(server: RunningNats, accountPublicKey: string, count: number): Promise<void> {
    const deadline = Date.now() + 5_000;
    for (;;) {
        const connz = await server.monitor(`/connz?acc=${accountPublicKey}`);
        if (connz.num_connections === count) return;
        if (Date.now() > deadline) throw new Error(`account ${accountPublicKey} has ${connz.num_connections} connections, expected ${count}`);
        await new Promise((r) => setTimeout(r, 10));
    }
}

/** Closes every connection in `open` (emptying it). */
export async function closeAll(open: NatsConnection[]): Promise<void> {
    await Promise.all(open.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close().catch(() => undefined))));
}
