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
