// What the end-to-end setup (test/e2e/global-setup.ts) hands every test file through vitest's inject.
import type { CliRun, StackWorkspace } from "./stack";

/** Slug of the tenant the suite onboards with `tenancy add` on top of the project's registry: an active tenant of the lowest tier. */
export const ONBOARDED = "e2e-lowest";

/** The deployed stack and what each step of the deployment printed. */
export interface E2eContext {
    /** Admin kubeconfig of the control plane. */
    kubeconfigPath: string;
    /** API server URL. */
    server: string;
    /** The copy of the project's registry the stack was deployed from (files may change it). */
    registryDir: string;
    /** The stack's workspace: temp folder, stack name, config file and environment (passphrase included: never print it). */
    workspace: StackWorkspace;
    /** `pulumi preview --policy-pack policy`, then `pulumi up --yes --policy-pack policy`, then the same up again with --expect-no-changes. */
    runs: { preview: CliRun; up: CliRun; again: CliRun };
    /** `tenancy plan --out` of the same registry: the credential-free prediction. */
    plan: { run: CliRun; outDir: string };
    /** Milliseconds of each step, for the suite's figures. */
    timings: Record<string, number>;
}

declare module "vitest" {
    export interface ProvidedContext {
        e2e: E2eContext;
    }
}
