// How the project's documented `pulumi preview` / `pulumi up` runs are invoked: the workflows, the
// README's commands, the bench and the end-to-end tests all take these, so what is measured is what
// users run. Dependency-free. Each value was checked against the Pulumi CLI 3.248 and its Node.js
// SDK here (README, "Fast by default"); test/e2e/97-interrupted.e2e.test.ts proves the state is safe.

/**
 * Environment of every documented `pulumi` run.
 * - PULUMI_SKIP_CHECKPOINTS: the file and object-storage backends otherwise rewrite the whole state
 *   after every resource step (O(n²) in the stack's size); with it the state is written once, at the
 *   end (in 3.248 it needs no PULUMI_EXPERIMENTAL). An update that is killed records nothing it did;
 *   the rerun server-side applies every object again, adopting the ones already there (the
 *   kill-and-rerun e2e tests prove it converges, deletes nothing and keeps protection).
 * - PULUMI_NODEJS_TRANSPILE_ONLY: when dist/ is stale, infra/main.js (Pulumi.yaml's main) runs
 *   infra/index.ts through ts-node with transpileOnly, as @pulumi/pulumi's cmd/run would: the program
 *   is type-checked by `npm test` (tsc) before it can merge. A current dist/ is run compiled.
 * - PULUMI_PARALLEL_DIFF: the engine generates each resource's steps one at a time, and without it
 *   waits there for the provider's Diff of every resource that exists already; with it the Diffs run
 *   concurrently and the engine goes on with the next registration (the same diff, the same steps,
 *   in the same dependency order).
 * - PULUMI_SKIP_UPDATE_CHECK: no request for the newest CLI version on every run; the version is pinned.
 */
export const PULUMI_RUN_ENV: Readonly<Record<string, string>> = Object.freeze({
    PULUMI_SKIP_CHECKPOINTS: "true",
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    PULUMI_PARALLEL_DIFF: "true",
    PULUMI_SKIP_UPDATE_CHECK: "true",
});

/** Resource operations in flight at once (the engine's default is 4 × cores: 8 on 2 cores). @default 32 */
export const PULUMI_PARALLEL = 32;

/**
 * The policy pack every documented run passes to --policy-pack: the pack compiled by `npm ci`'s
 * prepare script (bin/build.js), because `run-policy-pack` type-checks a TypeScript pack on every
 * start (typeCheck: true, not switched off by PULUMI_NODEJS_TRANSPILE_ONLY), which `npm test` did.
 */
export const PULUMI_POLICY_PACK = "dist/policy";

/**
 * Flags of every documented `pulumi up`. No --skip-preview: most of the pack's rules are stack
 * policies, which during an update run only after every resource was applied; the preview that
 * `pulumi up` runs first is what stops a violation before the cluster changes.
 */
export const PULUMI_UP_FLAGS: readonly string[] = Object.freeze(["--parallel", String(PULUMI_PARALLEL), "--suppress-progress", "--non-interactive", "--yes"]);

/** Flags of every documented `pulumi preview`. */
export const PULUMI_PREVIEW_FLAGS: readonly string[] = Object.freeze(["--parallel", String(PULUMI_PARALLEL), "--suppress-progress", "--non-interactive"]);

/**
 * The documented `pulumi up` of `stack` as shell lines: the stack's pack config printed from its
 * master key (`tenancy pack-config`; the pack refuses a stack with tenants without its pinned keys),
 * then the update with the fast defaults.
 */
export function documentedUpLines(stack: string): string[] {
    const env = Object.entries(PULUMI_RUN_ENV).map(([key, value]) => `${key}=${value}`).join(" ");
    return [
        `pulumi config get tenancy:natsMasterKey --stack ${stack} | npx tenancy pack-config --stack ${stack} --policy-pack ${PULUMI_POLICY_PACK} > pack-config.json`,
        `${env} pulumi up --stack ${stack} ${PULUMI_UP_FLAGS.join(" ")} --policy-pack ${PULUMI_POLICY_PACK} --policy-pack-config pack-config.json`,
    ];
}
