// The real Pulumi CLI, Node.js language host and random provider (all built by `npm run tools`) run a Node.js
// program that uses @pulumi/random from the repo's node_modules: up, outputs, refresh, destroy, with no plugin
// download (PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION) and an empty PULUMI_HOME.

import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { toolVersion } from "../../tools/paths";
import { createPulumiSandbox, type PulumiSandbox } from "./support/pulumi";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const random = require("@pulumi/random");
const config = new pulumi.Config();
const str = new random.RandomString("str", { length: config.requireNumber("length"), special: false });
const bytes = new random.RandomBytes("bytes", { length: 8 });
exports.str = str.result;
exports.hex = bytes.hex;
exports.secret = config.requireSecret("token");
`;

describe("pulumi up with the random provider", () => {
    let sandbox: PulumiSandbox;
    let project: string;

    beforeAll(() => {
        sandbox = createPulumiSandbox(["pulumi", "pulumi-resource-random"]);
        project = sandbox.project("e2e-random", { "index.js": PROGRAM });
    });

    afterAll(() => sandbox?.cleanup());

    it("runs the pinned CLI", async () => {
        const { stdout } = await sandbox.pulumi(["version"], project);
        expect(stdout.trim()).toBe(`v${toolVersion("pulumi")}`);
    });

    it("creates, reads back and destroys random resources without downloading plugins", async () => {
        await sandbox.pulumi(["stack", "init", "dev"], project);
        await sandbox.pulumi(["config", "set", "length", "24"], project);
        await sandbox.pulumi(["config", "set", "--secret", "token", "s3cr3t"], project);

        const up = await sandbox.pulumi(["up", "--yes", "--skip-preview"], project, { timeoutMs: 180_000 });
        expect(up.stdout).toMatch(/\+ 3 created|3 created/);

        const out = JSON.parse((await sandbox.pulumi(["stack", "output", "--json", "--show-secrets"], project)).stdout) as Record<string, string>;
        expect(out.str).toMatch(/^[A-Za-z0-9]{24}$/);
        expect(out.hex).toMatch(/^[0-9a-f]{16}$/);
        expect(out.secret).toBe("s3cr3t");

        // Nothing was installed into PULUMI_HOME: the plugins came from PATH.
        const plugins = path.join(sandbox.dir, "home", "plugins");
        expect(fs.existsSync(plugins) ? fs.readdirSync(plugins).filter((f) => !f.endsWith(".lock")) : []).toEqual([]);

        // A second up changes nothing; refresh reads the same state back through the provider.
        const again = await sandbox.pulumi(["up", "--yes", "--skip-preview"], project, { timeoutMs: 180_000 });
        expect(again.stdout).toMatch(/3 unchanged/);
        await sandbox.pulumi(["refresh", "--yes", "--skip-preview"], project, { timeoutMs: 180_000 });
        const after = JSON.parse((await sandbox.pulumi(["stack", "output", "--json"], project)).stdout) as Record<string, string>;
        expect(after.str).toBe(out.str);

        const destroy = await sandbox.pulumi(["destroy", "--yes", "--skip-preview"], project, { timeoutMs: 180_000 });
        expect(destroy.stdout).toMatch(/3 deleted/);
    }, 600_000);
});
