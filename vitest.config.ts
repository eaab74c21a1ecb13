import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // The end-to-end suite needs the tools and a control plane: `npm run test:e2e` (vitest.e2e.config.ts).
        exclude: ["test/e2e/**", "**/node_modules/**"],
        globalSetup: ["test/global-setup.ts"],
        // Pulumi mocks and the policy pack's runtime are process-global: every test file gets its own process.
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 120_000,
    },
});
