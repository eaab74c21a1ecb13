import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

// The end-to-end files share one control plane and one deployed stack, which the later files
// change (monitoring, then lifecycle): they run one at a time, in the order of their names.
class ByName extends BaseSequencer {
    async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
        return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
    }
}

export default defineConfig({
    test: {
        include: ["test/e2e/**/*.e2e.test.ts"],
        globalSetup: ["test/e2e/global-setup.ts"],
        pool: "forks",
        fileParallelism: false,
        sequence: { sequencer: ByName },
        testTimeout: 600_000,
        hookTimeout: 900_000,
    },
});
