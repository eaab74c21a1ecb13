// The users' loop for real: `pulumi preview` and `pulumi up` of the project's registry with the
// policy pack, against a real API server, and the credential-free plan's prediction held against
// what the real engine created.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, inject, it } from "vitest";
import "./support/context";
import { compareQuantities, parseExactQuantity } from "../../registry";
import { adminClient } from "./support/kube";

const e2e = inject("e2e");
const output = (run: { stdout: string; stderr: string }) => `${run.stdout}\n${run.stderr}`;

function manifests(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yaml")).map((f) => path.join(dir, f));
}

const sameQuantity = (a: unknown, b: unknown) => {
    const [x, y] = [parseExactQuantity(String(a)), parseExactQuantity(String(b))];
    return typeof a === "string" && typeof b === "string" && x !== undefined && y !== undefined && compareQuantities(x, y) === 0;
};

// Every field the plan predicted must hold on the live object. The API server stores quantities in
// canonical form (4000m as 4) and drops zero values (globalDefault: false): those are equal.
function expectSubset(predicted: unknown, live: unknown, at: string, mismatches: string[]): void {
    if (predicted === null || typeof predicted !== "object") {
        const zero = predicted === false && live === undefined;
        if (predicted !== live && !zero && !sameQuantity(predicted, live)) mismatches.push(`${at}: planned ${JSON.stringify(predicted)}, live ${JSON.stringify(live)}`);
        return;
    }
    if (live === null || typeof live !== "object") {
        mismatches.push(`${at}: planned an object, live ${JSON.stringify(live)}`);
        return;
    }
    for (const [key, value] of Object.entries(predicted)) expectSubset(value, (live as Record<string, unknown>)[key], `${at}.${key}`, mismatches);
}

describe("pulumi up of the project's registry, with the policy pack, against a real API server", () => {
    it("previews with the policy pack and no violation", () => {
        expect(e2e.runs.preview.code, output(e2e.runs.preview)).toBe(0);
        expect(e2e.runs.preview.stdout).toContain("tenancy-guard");
        expect(output(e2e.runs.preview)).not.toMatch(/mandatory|advisory/);
    });

    it("creates everything with pulumi up", () => {
        expect(e2e.runs.up.code, output(e2e.runs.up)).toBe(0);
        expect(e2e.runs.up.stdout).toMatch(/Resources:\s+\+ \d+ created/);
    });

    it("changes nothing on a second pulumi up (no spurious diff)", () => {
        expect(e2e.runs.again.code, output(e2e.runs.again)).toBe(0);
        expect(e2e.runs.again.stdout).toMatch(/Resources:\s+\d+ unchanged/);
    });

    it("holds every object tenancy plan predicted, with the predicted fields (parity with the credential-free plan)", async () => {
        expect(e2e.plan.run.code, output(e2e.plan.run)).toBe(0);
        const api = adminClient(e2e.kubeconfigPath);
        const files = manifests(path.join(e2e.plan.outDir, "manifests"));
        expect(files.length).toBeGreaterThan(0);
        const mismatches: string[] = [];
        for (const file of files) {
            const planned = parse(fs.readFileSync(file, "utf8")) as Record<string, any>;
            const live = await api.read(planned);
            if (!live) {
                mismatches.push(`${path.relative(e2e.plan.outDir, file)}: not in the cluster`);
                continue;
            }
            // Secret values are redacted in the plan and random bytes are emulated: compare the rest.
            const { data: _d, stringData: _s, ...comparable } = planned;
            expectSubset(comparable, live, path.relative(e2e.plan.outDir, file), mismatches);
        }
        expect(mismatches).toEqual([]);
    });
});
