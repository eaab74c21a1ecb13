import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Length in bytes of the machine key that emulated provider values are derived from. */
const KEY_BYTES = 32;

/**
 * Path of the per-machine key for emulated values: `$XDG_CONFIG_HOME/tenancy/plan-key`, else
 * `~/.config/tenancy/plan-key`. Kept outside the repository so generated credentials in a plan
 * cannot be recomputed by anyone who only has the repository.
 */
export function planKeyPath(env: NodeJS.ProcessEnv = process.env): string {
    const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), ".config");
    return path.join(base, "tenancy", "plan-key");
}

/** Reads the machine key, creating it (mode 0600) on first use; concurrent first uses agree on one key. */
export function ensurePlanKey(file: string = planKeyPath()): Buffer {
    if (!fs.existsSync(file)) {
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        try {
            // "wx" fails if another process created it first; then we read theirs.
            fs.writeFileSync(file, crypto.randomBytes(KEY_BYTES).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        }
    }
    const key = Buffer.from(fs.readFileSync(file, "utf8").trim(), "hex");
    if (key.length < 16) throw new Error(`${file} does not hold a hex key of at least 16 bytes; delete it and a new one is made`);
    return key;
}

/**
 * Deterministic pseudo-random bytes for one purpose of one resource: HMAC-SHA256 in counter mode,
 * so the same key, URN, inputs and purpose always give the same bytes.
 */
export function derivedBytes(key: Buffer, scope: string, length: number): Buffer {
    const blocks: Buffer[] = [];
    for (let counter = 0; blocks.length * 32 < length; counter++) {
        blocks.push(crypto.createHmac("sha256", key).update(`${scope}\u0000${counter}`).digest());
    }
    return Buffer.concat(blocks).subarray(0, length);
}
