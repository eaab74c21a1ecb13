import { natsServerBinary } from "./nats/server";

/**
 * Says once, before any test file runs, when the nats-server the NATS end-to-end tests need is not
 * built. Those tests then fail one by one with the same command; the rest of the suite still runs.
 */
export default function setup(): void {
    try {
        natsServerBinary();
    } catch (error) {
        process.stderr.write(`WARNING: ${(error as Error).message}\n`);
    }
}
