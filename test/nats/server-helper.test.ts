import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureNatsServer, freePort, INSTALL_HINT } from "./server";

describe("the nats-server test helper", () => {
    it("fails with install instructions, never skips, when nats-server is missing and it may not install", () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-nats-"));
        try {
            expect(() => ensureNatsServer({ dirs: [empty], root: false })).toThrow(
                `nats-server not found and not running as root, so it cannot be installed automatically. ${INSTALL_HINT}`,
            );
            expect(INSTALL_HINT).toContain("apt-get install -y nats-server");
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });

    it("finds an executable nats-server in the given directories", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-nats-"));
        try {
            fs.writeFileSync(path.join(dir, "nats-server"), "#!/bin/sh\n", { mode: 0o755 });
            expect(ensureNatsServer({ dirs: [dir], root: false })).toBe(path.join(dir, "nats-server"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("hands out a free port on 127.0.0.1", async () => {
        const port = await freePort();
        expect(port).toBeGreaterThan(1023);
        expect(port).toBeLessThan(65536);
    });
});
