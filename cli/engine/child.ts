/**
 * Entry of the child process that records one program run: the Pulumi runtime's state is
 * process-global, so every recording gets a fresh process. Receives its request over the IPC
 * channel and answers over a pipe of its own (fd 3), so that whatever the program prints cannot
 * corrupt the result.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as pulumi from "@pulumi/pulumi";
import { ProgramError, recordProgram } from "./record";
import { RESULTS_FD, type ChildEvents, type ChildRequest, type ChildResponse } from "./fork";
import type { RecordEvent } from "./monitor";
import { shareRegistry } from "../../registry/load";
import { PACKAGE_ROOT } from "../package-root";

// One frame: its length (4 bytes, little-endian), then the message serialized as IPC's "advanced"
// mode does. Written synchronously: the SDK keeps this process's event loop busy for seconds at a
// time, and asynchronous writes (IPC's) would wait for it, so the parent would hear of every
// registration only at the end.
function send(message: ChildEvents | ChildResponse): void {
    const body = v8.serialize(message);
    const frame = Buffer.allocUnsafe(4 + body.length);
    frame.writeUInt32LE(body.length, 0);
    body.copy(frame, 4);
    for (let offset = 0; offset < frame.length; ) {
        try {
            offset += fs.writeSync(RESULTS_FD, frame, offset);
        } catch (error) {
            // A non-blocking pipe that is full: wait a moment for the parent to read.
            if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        }
    }
}

function reply(message: ChildResponse): void {
    flush();
    send(message);
    process.exit(0);
}

// Registrations go to the parent as they are recorded, in batches, so that it can analyze them
// while the program still runs, and so that no single message holds the whole recording.
const BATCH = 128;
let batch: RecordEvent[] = [];
let flushing = false;

function flush(): void {
    flushing = false;
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    send({ events });
}

function stream(event: RecordEvent): void {
    batch.push(event);
    if (batch.length >= BATCH) flush();
    else if (!flushing) {
        flushing = true;
        setImmediate(flush);
    }
}

process.once("message", (request: ChildRequest) => {
    const key = Buffer.from(fs.readFileSync(request.keyFile, "utf8").trim(), "hex");
    // The SDK formats a stack trace for every promise and resource it creates; mapping each through
    // tsx's source maps took ~40% of a recording. Without maps, line numbers are the transpiled
    // code's, so errors name the program file but no line.
    process.setSourceMapsEnabled(false);
    // Reading and checking every registry file again took about 0.2 s per 1,000 tenants in every child.
    if (request.registry) shareRegistry(request.registry);
    withoutUnusedStackTraces();
    recordProgram(() => require(request.programFile), { ...request, key, onEvent: stream }).then(
        () => reply({ ok: true }),
        (error: unknown) => reply({ ok: false, messages: error instanceof ProgramError ? messagesOf(error) : [describe(error)] }),
    );
});

// A child forked ahead of its request (forkRecordingChild) must not outlive a plan that never sends it.
process.once("disconnect", () => process.exit(1));

// The project's program's declarations, loaded while the plan validates the registry: the program's
// own require then finds them loaded. A module that fails here fails again, with its message, there.
const warm = process.argv[2];
if (warm) {
    try {
        require(warm);
    } catch {
        // See above.
    }
}

// bin/sdk-diagnostics.js is plain JavaScript, shared with infra/main.js (the program `pulumi up` runs).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { skipUnreadSdkDiagnostics } = require(path.join(PACKAGE_ROOT, "bin", "sdk-diagnostics")) as { skipUnreadSdkDiagnostics(fromDir: string): void };

/**
 * The SDK formats two stack traces per resource that nothing here reads: every promise it tracks
 * for leak reports gets one (bin/sdk-diagnostics.js skips it, as in `pulumi up`), and every
 * resource gets the whole stack, unbounded, parsed into a source position for the engine (which
 * the recording does not record; `pulumi up` keeps it). Both took a quarter of a recording's CPU
 * and their strings much of its garbage. Errors still carry their stacks (describe() reads them).
 */
function withoutUnusedStackTraces(): void {
    skipUnreadSdkDiagnostics(__dirname);
    (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites = () => [];
}

function messagesOf(error: ProgramError): string[] {
    return [...new Set(error.causes.map(describe))];
}

// Messages only: a stack trace of the SDK's internals helps nobody reviewing a plan. A plain Error
// thrown by the program names the file of the program's own code it came from.
function describe(error: unknown): string {
    if (!(error instanceof Error)) return String(error);
    // As the language host does: a RunError or ResourceError is a message meant for the user as is.
    const forUser: boolean = pulumi.RunError.isInstance(error as unknown) || pulumi.ResourceError.isInstance(error as unknown);
    if (forUser) return error.message;
    const frame = (error.stack ?? "").split("\n").find((line) => /^\s+at /.test(line) && !line.includes("node_modules") && !line.includes("node:"));
    const where = frame?.match(/\(?([^()\s]+):\d+:\d+\)?$/)?.[1];
    return where ? `${error.message} (in ${where.replace(`${process.cwd()}/`, "")})` : error.message;
}
