import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { recordProgram } from "../../../cli/engine";
import { UNKNOWN } from "../../../cli/engine/wire";

// recordProgram itself, in this test file's own process (vitest forks one per file).
const key = Buffer.alloc(32, 7);
// The key is passed explicitly; should anything still look for the machine key, it must not find the real one.
process.env.XDG_CONFIG_HOME = path.join(os.tmpdir(), "tenancy-engine-test-no-key");

describe("recordProgram in-process", () => {
    it("records what the run function declares, with stack config and preview semantics", async () => {
        const resources = await recordProgram(
            async () => {
                // Imported inside the run, after the monitor is installed, as the program must be.
                const pulumi = await import("@pulumi/pulumi");
                const random = await import("@pulumi/random");
                const k8s = await import("@pulumi/kubernetes");
                const bytes = new random.RandomBytes("seed", { length: 16 });
                const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: new pulumi.Config("t").require("ns") } });
                return { seedLength: bytes.length, seedHex: bytes.hex, isDryRun: pulumi.runtime.isDryRun(), nsId: ns.id };
            },
            { project: "p", stack: "s", config: { "t:ns": "org-x" }, secretKeys: [], key },
        );
        expect(resources.map((r) => [r.type, r.name, r.id])).toEqual([
            ["pulumi:pulumi:Stack", "p-s", ""],
            ["kubernetes:core/v1:Namespace", "ns", ""],
            ["random:index/randomBytes:RandomBytes", "seed", ""],
        ]);
        expect(resources[1].inputs).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "org-x" } });
        // A new resource's id, and what only its provider computes (the random bytes), are unknown in a
        // preview, and reach stack outputs as the unknown sentinel; its inputs are known.
        expect(resources[0].outputs).toEqual({ seedLength: 16, seedHex: UNKNOWN, isDryRun: true, nsId: UNKNOWN });
        expect(resources[2].outputs).toEqual({ length: 16 });
    });

    it("refuses a second run in the same process", async () => {
        await expect(recordProgram(() => undefined, { project: "p", stack: "s", config: {}, secretKeys: [], key })).rejects.toThrow(
            "recordProgram runs once per process: the Pulumi runtime keeps global state",
        );
    });
});
