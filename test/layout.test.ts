import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");

// The README's layout table, top to bottom: a folder may import only the folders listed after it.
const LAYERS = ["cli", "infra", "policy", "components", "registry", "contract"] as const;

function sources(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts") && !f.includes("node_modules"))
        .map((f) => path.join(dir, f));
}

// Top-level project folders a file imports, from its relative import specifiers.
function importedFolders(file: string): Set<string> {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const folders = new Set<string>();
    for (const [, spec] of text.matchAll(/(?:from|import\(|require\()\s*"(\.[^"]*)"/g)) {
        const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), spec));
        folders.add(target.split(path.sep)[0]);
    }
    return folders;
}

describe("layout", () => {
    it.each(LAYERS.map((layer, i) => [layer, LAYERS.slice(i + 1)] as const))("%s imports only the folders below it", (layer, below) => {
        const wrong: string[] = [];
        for (const file of sources(layer)) {
            for (const folder of importedFolders(file)) {
                if (folder !== layer && !(below as readonly string[]).includes(folder)) wrong.push(`${file} → ${folder}/`);
            }
        }
        expect(wrong).toEqual([]);
    });

    it("contract imports nothing, not even a package", () => {
        const imports = sources("contract").flatMap((file) => [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/from\s+"([^".][^"]*)"/g)].map((m) => `${file}: ${m[1]}`));
        expect(imports).toEqual([]);
    });
});
