// The emulated Engine service: run-policy-pack and the SDK's log module send diagnostics here.
import * as grpc from "@grpc/grpc-js";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import type { EngineLog } from "./analyzer-types";

const SEVERITIES: Record<number, EngineLog["severity"]> = {
    [enginePb.LogSeverity.DEBUG]: "debug",
    [enginePb.LogSeverity.INFO]: "info",
    [enginePb.LogSeverity.WARNING]: "warning",
    [enginePb.LogSeverity.ERROR]: "error",
};

/** Starts the log sink on a free 127.0.0.1 port; the caller shuts the server down. */
export async function startEngine(logs: EngineLog[]): Promise<{ server: grpc.Server; address: string }> {
    const server = new grpc.Server();
    let root = "";
    server.addService(engineRpc.EngineService, {
        log: (call: grpc.ServerUnaryCall<enginePb.LogRequest, emptyPb.Empty>, callback: grpc.sendUnaryData<emptyPb.Empty>) => {
            const r = call.request;
            logs.push({ severity: SEVERITIES[r.getSeverity()] ?? "info", message: r.getMessage(), urn: r.getUrn() });
            callback(null, new emptyPb.Empty());
        },
        getRootResource: (_call: unknown, callback: grpc.sendUnaryData<enginePb.GetRootResourceResponse>) => {
            callback(null, new enginePb.GetRootResourceResponse().setUrn(root));
        },
        setRootResource: (
            call: grpc.ServerUnaryCall<enginePb.SetRootResourceRequest, enginePb.SetRootResourceResponse>,
            callback: grpc.sendUnaryData<enginePb.SetRootResourceResponse>,
        ) => {
            root = call.request.getUrn();
            callback(null, new enginePb.SetRootResourceResponse());
        },
        requirePulumiVersion: (_call: unknown, callback: grpc.sendUnaryData<enginePb.RequirePulumiVersionResponse>) => {
            callback(null, new enginePb.RequirePulumiVersionResponse());
        },
        startDebugging: (_call: unknown, callback: grpc.sendUnaryData<emptyPb.Empty>) => {
            callback({ code: grpc.status.UNIMPLEMENTED, details: "no debugger in the emulated engine" }, null);
        },
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    return { server, address: `127.0.0.1:${port}` };
}
