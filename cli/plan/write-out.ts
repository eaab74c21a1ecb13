import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { toPlain } from "../engine/wire";
import type { PlannedResource } from "./inventory";
import type { NatsDocuments } from "./nats";
import type { PlanReport } from "./report";
import { renderMarkdown } from "./markdown";

/** Paths inside --out that plan owns and rewrites on every run. */
const OWNED = ["resources.json", "report.json", "report.md", "manifests", "nats"];

/** Every registration as written to resources.json (plain JSON, secrets redacted unless revealed). */
export function resourcesJson(resources: PlannedResource[], reveal: boolean): string {
    const rows = resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        provider: r.provider,
        tenant: r.tenant ?? null,
        id: r.id,
        inputs: toPlain(r.inputs, reveal, true),
        outputs: toPlain(r.outputs, reveal, true),
        emulatedOutputs: r.emulated,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        options: r.options,
    }));
    return `${JSON.stringify(rows, null, 2)}\n`;
}

/** File name of an object's manifest: `<namespace>/<Kind>-<name>.yaml`, cluster-scoped under `_cluster/`. */
export function manifestPath(r: PlannedResource): string {
    const kube = r.kube!;
    return path.join(kube.namespace ?? "_cluster", `${kube.kind}-${kube.name}.yaml`);
}

/**
 * Writes resources.json, manifests/, nats/, report.json and report.md into `dir`, replacing what an
 * earlier plan wrote there (and nothing else), so the directory always shows exactly one plan.
 */
export function writeOut(dir: string, report: PlanReport, resources: PlannedResource[], nats: NatsDocuments, reveal: boolean): string[] {
    fs.mkdirSync(dir, { recursive: true });
    for (const name of OWNED) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    const written: string[] = [];
    const write = (relative: string, text: string) => {
        const file = path.join(dir, relative);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // Revealed output holds credentials: readable by the owner only.
        fs.writeFileSync(file, text, { mode: reveal ? 0o600 : 0o644 });
        written.push(relative);
    };
    write("resources.json", resourcesJson(resources, reveal));
    for (const r of resources) {
        if (!r.kube) continue;
        write(path.join("manifests", manifestPath(r)), stringify(toPlain(r.kube.manifest, reveal, true), { lineWidth: 0 }));
    }
    for (const [name, value] of Object.entries(nats.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
        const text = toPlain(value, reveal, true);
        write(path.join("nats", name), typeof text === "string" ? text : `${JSON.stringify(text, null, 2)}\n`);
    }
    write("report.json", `${JSON.stringify(report, null, 2)}\n`);
    write("report.md", renderMarkdown(report));
    return written;
}
