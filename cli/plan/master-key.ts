import { NATS_MASTER_KEY_COMMAND, NATS_MASTER_KEY_CONFIG } from "../../contract";
import { derivedBytes } from "../engine/plan-key";
import type { StackConfigFiles } from "./stack-config";

/**
 * How the stack file holds `tenancy:natsMasterKey`: `encrypted` (the normal state: `secure:`, which
 * plan cannot decrypt), `missing` (not set: `pulumi up` stops until it is) or `clear` (set without
 * --secret: the program refuses it, and so does plan).
 */
export type MasterKeyState = "encrypted" | "missing" | "clear";

/** Reads the master key's state from the stack files. */
export function masterKeyState(files: StackConfigFiles): MasterKeyState {
    if (files.encrypted.includes(NATS_MASTER_KEY_CONFIG)) return "encrypted";
    return files.config[NATS_MASTER_KEY_CONFIG] === undefined ? "missing" : "clear";
}

/**
 * The master key plan gives the program in place of one it cannot read: 32 bytes (hex) derived
 * from the per-machine plan key, so two plans (and --base) derive the same NATS keys, and nobody
 * with only the repository can recompute them.
 */
export function emulatedMasterKey(planKey: Buffer): string {
    return derivedBytes(planKey, NATS_MASTER_KEY_CONFIG, 32).toString("hex");
}

/** The config the program gets for the master key: the emulated one unless the stack holds it in clear (the program refuses that). */
export function masterKeyConfig(files: StackConfigFiles, planKey: Buffer): { config: Record<string, string>; secretKeys: string[] } {
    if (masterKeyState(files) === "clear") return { config: {}, secretKeys: [] };
    return { config: { [NATS_MASTER_KEY_CONFIG]: emulatedMasterKey(planKey) }, secretKeys: [NATS_MASTER_KEY_CONFIG] };
}

/** The report's "emulated" line about the master key, or undefined when plan passed the stack's own value. */
export function masterKeyLine(state: MasterKeyState, stackFile: string): string | undefined {
    const derived =
        "every NATS key (public keys, seeds, credentials) is derived from it exactly as `pulumi up` derives them from the real one, so they are not the deployed keys";
    if (state === "encrypted") {
        return `${NATS_MASTER_KEY_CONFIG} is encrypted in ${stackFile}, which plan cannot decrypt: it is emulated by a key derived from the per-machine plan key; ${derived}`;
    }
    if (state === "missing") {
        return (
            `${NATS_MASTER_KEY_CONFIG} is not set in ${stackFile}: plan emulates it with a key derived from the per-machine plan key (${derived}); ` +
            `\`pulumi preview\` and \`pulumi up\` stop until it is set: ${NATS_MASTER_KEY_COMMAND}`
        );
    }
    return undefined;
}
