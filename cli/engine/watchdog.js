"use strict";
// Preloaded into the policy pack process (node --require): it exits once the host process is gone,
// so a host killed without calling stop() (SIGKILL, a crashed test worker) cannot leave the pack running.
const host = Number(process.env.TENANCY_POLICY_HOST_PID);
if (host > 0) {
    setInterval(() => {
        try {
            process.kill(host, 0);
        } catch {
            process.exit(0);
        }
    }, 1000).unref();
}
// Profiling (TENANCY_PROFILE_NODE_ARGS): stop() sends SIGTERM; exit normally so --cpu-prof/--heap-prof write their files.
if (process.execArgv.some((a) => a.startsWith("--cpu-prof") || a.startsWith("--heap-prof"))) process.on("SIGTERM", () => process.exit(0));
