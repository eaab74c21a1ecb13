import * as path from "node:path";
import type { CommandIO } from "../../cli/commands";

/** The project root, where `npx tenancy` runs. */
export const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** A CommandIO that captures stdout and stderr, for calling the CLI in-process. */
export function captureIO(cwd = PROJECT_ROOT, errIsTTY = false): CommandIO & { stdout: () => string; stderr: () => string } {
    let out = "";
    let err = "";
    return {
        out: (text) => void (out += text),
        err: (text) => void (err += text),
        errIsTTY,
        cwd,
        stdout: () => out,
        stderr: () => err,
    };
}

/** The first lines `tenancy secrets` and `tenancy rotate` print for `--stack prod` when Pulumi.prod.yaml does not exist yet. */
export const FRESH_PROD_STACK_HINT: readonly string[] = [
    "Pulumi.prod.yaml does not exist in this checkout yet. The commands below need the stack's state backend, its secrets provider and the stack itself; first:",
    "",
    '  export PATH="$(node tools/build.mjs --path pulumi):$PATH"  # the Pulumi CLI npm run tools builds (or any Pulumi CLI 3.248)',
    "  pulumi login file://$HOME/.pulumi-state                    # or the team's backend: s3://…, gs://…, azblob://…, Pulumi Cloud",
    "  export PULUMI_CONFIG_PASSPHRASE='…'                        # the stack's passphrase (not with a KMS or Pulumi Cloud secrets provider)",
    "  pulumi stack select prod --create                          # creates Pulumi.prod.yaml here when the stack is new",
    "",
];
