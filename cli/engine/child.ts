/**
 * Entry of the child process that records one program run: the Pulumi runtime's state is
 * process-global, so every recording gets a fresh process. Speaks over the IPC channel only,
 * so that whatever the program prints cannot corrupt the result.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { ProgramError, recordProgram } from "./record";
import type { ChildRequest, ChildResponse } from "./fork";

function reply(message: ChildResponse): void {
    process.send!(message, () => process.exit(0));
}

process.once("message", (request: ChildRequest) => {
    const key = Buffer.from(fs.readFileSync(request.keyFile, "utf8").trim(), "hex");
    // The SDK formats a stack trace for every promise and resource it creates; mapping each through
    // tsx's source maps took ~40% of a recording. Without maps, line numbers are the transpiled
    // code's, so errors name the program file but no line.
    process.setSourceMapsEnabled(false);
    recordProgram(() => require(request.programFile), { ...request, key }).then(
        (resources) => reply({ ok: true, resources }),
        (error: unknown) => reply({ ok: false, messages: error instanceof ProgramError ? messagesOf(error) : [describe(error)] }),
    );
});

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
