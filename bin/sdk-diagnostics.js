"use strict";
// Two diagnostics of the Pulumi Node.js SDK that cost every program a share of its CPU and that no
// documented run reads (measured on the project's registry: a fifth of the program's CPU, and
// engine time besides):
// - every promise the SDK tracks for its leak report gets a formatted stack trace, printed only
//   when PULUMI_DEBUG_PROMISE_LEAKS is set;
// - every debug line (about four per resource: registering, RPC prepared, RPC finished) goes to
//   the engine as a gRPC call, which shows it only under `pulumi up --debug` or `-v`.
// The SDK's functions are looked up on their module objects at every call, so replacing the
// exports changes what every internal caller gets.

/**
 * Makes the @pulumi/pulumi that `fromDir` resolves skip those two diagnostics: promise stack traces
 * unless PULUMI_DEBUG_PROMISE_LEAKS is set (the leak tracking itself stays), debug lines unless
 * TENANCY_SDK_DEBUG=true.
 */
function skipUnreadSdkDiagnostics(fromDir) {
    const sdk = (module) => require(require.resolve(`@pulumi/pulumi/${module}`, { paths: [fromDir] }));
    const debuggable = sdk("runtime/debuggable");
    if (!debuggable.debugPromiseLeaks && typeof debuggable.debuggablePromise === "function") {
        const track = debuggable.debuggablePromise;
        debuggable.debuggablePromise = function debuggablePromise(promise, context) {
            const limit = Error.stackTraceLimit;
            Error.stackTraceLimit = 0;
            try {
                return track(promise, context);
            } finally {
                Error.stackTraceLimit = limit;
            }
        };
    }
    const log = sdk("log");
    if (process.env.TENANCY_SDK_DEBUG !== "true" && typeof log.debug === "function") log.debug = () => Promise.resolve();
}

module.exports = { skipUnreadSdkDiagnostics };
