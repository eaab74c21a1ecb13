// Writes policy/POLICIES.md from the rules' metadata: `npx tsx policy/generate-docs.ts`.
// With --check it only reports whether the file is current (exit code 1 when stale).
import * as fs from "node:fs";
import * as path from "node:path";
import { renderPoliciesMarkdown } from "./docs";

/** Path of the generated document. */
export const POLICIES_MD = path.join(__dirname, "POLICIES.md");

async function main(check: boolean): Promise<number> {
    const text = await renderPoliciesMarkdown();
    const current = fs.existsSync(POLICIES_MD) ? fs.readFileSync(POLICIES_MD, "utf8") : "";
    if (check) {
        if (current === text) return 0;
        console.error(`${POLICIES_MD} is stale; run: npx tsx policy/generate-docs.ts`);
        return 1;
    }
    fs.writeFileSync(POLICIES_MD, text);
    console.log(`wrote ${POLICIES_MD}`);
    return 0;
}

if (require.main === module) {
    main(process.argv.includes("--check")).then(
        (code) => (process.exitCode = code),
        (error: Error) => {
            console.error(`cannot generate ${POLICIES_MD}: ${error.message}`);
            process.exitCode = 1;
        },
    );
}
