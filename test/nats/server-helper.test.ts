import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { toolVersion } from "../../tools/paths";
import { freePort, natsServerBinary } from "./server";

const saved = process.env.TENANCY_TOOLS_DIR;
afterEach(() => {
    if (saved === undefined) delete process.env.TENANCY_TOOLS_DIR;
    else process.env.TENANCY_TOOLS_DIR = saved;
});

describe("the nats-server test helper", () => {
    it("fails, never skips, naming the command that builds nats-server when it is not built", () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-tools-"));
        try {
            process.env.TENANCY_TOOLS_DIR = empty;
            expect(() => natsServerBinary()).toThrow(
                `the NATS end-to-end tests run nats-server ${toolVersion("nats-server")} in operator mode (account JWTs, local_subject imports, scoped signing keys) ` +
                    "and it is not built: run `npm run tools -- nats-server` (it builds it from its Go module).",
            );
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });

    it("uses the nats-server built by npm run tools", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "fake-tools-"));
        try {
            const dir = path.join(root, `nats-server-${toolVersion("nats-server")}`);
            fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
            fs.writeFileSync(path.join(dir, "bin", "nats-server"), "#!/bin/sh\n", { mode: 0o755 });
            fs.writeFileSync(path.join(dir, "stamp.json"), "{}");
            process.env.TENANCY_TOOLS_DIR = root;
            expect(natsServerBinary()).toBe(path.join(dir, "bin", "nats-server"));
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("hands out a free port on 127.0.0.1", async () => {
        const port = await freePort();
        expect(port).toBeGreaterThan(1023);
        expect(port).toBeLessThan(65536);
    });
});
