import * as fs from "node:fs";

/**
 * Replaces `file` at once with what `write` writes to a temporary file next to it, so that a
 * concurrent reader sees the old file or the new one whole. Returns false, leaving `file` as it
 * was, when that fails: the plan's caches are only slower without it.
 */
export function replaceFile(file: string, write: (temporary: string) => void): boolean {
    const temporary = `${file}.${process.pid}.tmp`;
    try {
        write(temporary);
        fs.renameSync(temporary, file);
        return true;
    } catch {
        try {
            fs.rmSync(temporary, { force: true });
        } catch {
            // Nothing was written there.
        }
        return false;
    }
}
