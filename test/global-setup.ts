import { ensureNatsServer } from "./nats/server";

/**
 * Installs nats-server once, before any test file runs, so the test files that need it do not
 * race for apt's lock on a fresh machine. A failure here is left to those files, which fail with
 * the install instructions; the rest of the suite still runs.
 */
export default function setup(): void {
    try {
        ensureNatsServer();
    } catch {
        // Reported by the NATS test files themselves.
    }
}
