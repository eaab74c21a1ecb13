#!/usr/bin/env node
// Builds the real tools the end-to-end tests run (Pulumi CLI + Node.js language host, the kubernetes
// provider, etcd, kube-apiserver, kube-controller-manager, nats-server) from Go modules, into a cache
// outside the clone. Versions are pinned in tools/versions.json; each tool has a wrapper module in
// tools/modules/<wrapper> (go.mod + go.sum committed). See tools/README.md.
//
//   node tools/build.mjs [tool...]        build (or reuse) the named tools, all when none is named
//   node tools/build.mjs --path [tool...] print the tools' bin dirs as a PATH list (fails if one is not built)
//   node tools/build.mjs --list           print the tools and their versions
//
// Cache: $TENANCY_TOOLS_DIR, default ~/.cache/tenancy-tools; each tool in <tool>-<version>/bin. A tool is
// reused when its stamp matches the hash of its versions.json entry, its wrapper module files and the Go
// version; otherwise it is rebuilt in a temporary folder that replaces the old one only on success.
// Module downloads and compiled packages go to the usual shared GOMODCACHE / GOCACHE.

import { spawn, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TOOLS_DIR = path.dirname(fileURLToPath(import.meta.url));
const MODULES_DIR = path.join(TOOLS_DIR, "modules");
const VERSIONS_FILE = path.join(TOOLS_DIR, "versions.json");
/** Bump when the way tools are built changes (steps below), to invalidate every cached build. */
const RECIPE = 1;
const HEARTBEAT_MS = 15_000;

class BuildError extends Error {}

export function toolsRoot() {
    return process.env.TENANCY_TOOLS_DIR || path.join(os.homedir(), ".cache", "tenancy-tools");
}

export function loadVersions() {
    return JSON.parse(fs.readFileSync(VERSIONS_FILE, "utf8")).tools;
}

export function toolDir(name, spec) {
    return path.join(toolsRoot(), `${name}-${spec.version}`);
}

function log(tool, msg) {
    process.stdout.write(`[tools] ${tool ? `${tool}: ` : ""}${msg}\n`);
}

function listFiles(dir, base = dir) {
    const out = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) out.push(...listFiles(full, base));
        else if (entry.isFile()) out.push(path.relative(base, full));
    }
    return out;
}

let goVersionCache;
function goVersion() {
    if (goVersionCache) return goVersionCache;
    try {
        goVersionCache = execFileSync("go", ["env", "GOVERSION", "GOOS", "GOARCH"], { encoding: "utf8" }).trim().split("\n").join(" ");
    } catch (err) {
        throw new BuildError(`cannot run \`go\` (${err.message}); install Go 1.26+ and put it on PATH`);
    }
    return goVersionCache;
}

/**
 * Hash of everything that determines a tool's binaries: its versions.json entry (but `check`, which only tests
 * them), its wrapper files and the Go version.
 */
function recipeHash(name, spec) {
    const h = createHash("sha256");
    const { check: _check, ...recipe } = spec;
    h.update(JSON.stringify({ RECIPE, name, recipe, go: goVersion() }));
    const wrapper = path.join(MODULES_DIR, spec.wrapper);
    for (const rel of listFiles(wrapper)) {
        h.update(`\0${rel}\0`);
        h.update(fs.readFileSync(path.join(wrapper, rel)));
    }
    return h.digest("hex");
}

function readStamp(dir) {
    try {
        return JSON.parse(fs.readFileSync(path.join(dir, "stamp.json"), "utf8"));
    } catch {
        return undefined;
    }
}

/** True when the tool is built for exactly this recipe (binaries present, stamp hash matches). */
function isBuilt(name, spec) {
    const dir = toolDir(name, spec);
    const stamp = readStamp(dir);
    return stamp?.hash === recipeHash(name, spec) && spec.binaries.every((b) => fs.existsSync(path.join(dir, "bin", b)));
}

/**
 * Runs a command, streaming its output into logFile, printing a heartbeat every HEARTBEAT_MS and the last lines
 * of the log when it fails.
 */
function run(tool, step, cmd, args, { cwd, env, logFile, stdoutFile }) {
    return new Promise((resolve, reject) => {
        const started = Date.now();
        fs.appendFileSync(logFile, `\n$ (cd ${cwd} && ${cmd} ${args.join(" ")})\n`);
        const out = fs.openSync(logFile, "a");
        const stdout = stdoutFile ? fs.openSync(stdoutFile, "w") : out;
        const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", stdout, out] });
        const beat = setInterval(() => {
            log(tool, `${step}: still running (${Math.round((Date.now() - started) / 1000)}s)`);
        }, HEARTBEAT_MS);
        let finished = false;
        const done = (err) => {
            if (finished) return; // "error" and "exit" can both fire
            finished = true;
            clearInterval(beat);
            const secs = Math.round((Date.now() - started) / 1000);
            if (!err && secs >= 5) log(tool, `${step}: done in ${secs}s`);
            fs.closeSync(out);
            if (stdoutFile) fs.closeSync(stdout);
            if (!err) return resolve();
            const tail = fs.readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-40).join("\n");
            reject(new BuildError(`${step} failed: ${err}\n--- last lines of ${logFile} ---\n${tail}`));
        };
        child.on("error", (err) => done(`cannot start ${cmd}: ${err.message}`));
        child.on("exit", (code, signal) => done(code === 0 ? undefined : `${cmd} exited with ${signal ?? code}`));
    });
}

function capture(cmd, args, cwd, env = {}) {
    try {
        return execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    } catch (err) {
        throw new BuildError(`\`${cmd} ${args.join(" ")}\` in ${cwd} failed:\n${(err.stderr || err.message).trim()}`);
    }
}

const sub = (s, spec) => s.replaceAll("{version}", spec.version);

function goEnv(spec) {
    return {
        CGO_ENABLED: spec.cgo ? "1" : "0",
        // readonly: the committed go.sum must already list every module (no silent edits of the wrapper).
        GOFLAGS: [process.env.GOFLAGS, "-mod=readonly", "-buildvcs=false"].filter(Boolean).join(" "),
    };
}

function goBuildArgs(spec, out, packages, extraLdflags = []) {
    const ldflags = ["-s", "-w", ...(spec.ldflags ?? []).map((f) => sub(f, spec)), ...extraLdflags];
    const args = ["build", "-trimpath", "-ldflags", ldflags.join(" ")];
    if (spec.tags?.length) args.push("-tags", spec.tags.join(","));
    args.push("-o", out, ...packages);
    return args;
}

/** Generation steps: files a main package embeds that its upstream makes with `go generate`. */
const generators = {
    // pulumi-kubernetes' cmd/pulumi-resource-kubernetes embeds schema-embed.json and terraform-mapping-embed.json,
    // made by its generate.go (VERSION=<version>) from the schema.json and terraform-mapping.json the module ships.
    // Run that same generate.go on copies of those files.
    async "kubernetes-provider-embeds"(ctx) {
        const mod = "github.com/pulumi/pulumi-kubernetes/provider/v4";
        // `go mod download -json` fetches the selected version's zip if needed and prints where it is.
        const info = JSON.parse(capture("go", ["mod", "download", "-json", mod], ctx.work, ctx.env));
        if (!info.Dir) throw new BuildError(`go mod download ${mod} gave no Dir: ${info.Error ?? JSON.stringify(info)}`);
        const modDir = info.Dir;
        const cmdDir = path.join(modDir, "cmd", "pulumi-resource-kubernetes");
        const gen = path.join(ctx.work, "generate");
        fs.mkdirSync(gen, { recursive: true });
        for (const f of ["generate.go", "schema.json", "terraform-mapping.json"]) {
            fs.writeFileSync(path.join(gen, f), fs.readFileSync(path.join(cmdDir, f)));
        }
        await run(ctx.tool, "generate embeds", "go", ["run", "generate.go"], {
            cwd: gen, env: { ...ctx.env, VERSION: ctx.spec.version }, logFile: ctx.logFile,
        });
        for (const f of ["schema-embed.json", "terraform-mapping-embed.json"]) {
            fs.renameSync(path.join(gen, f), path.join(ctx.work, f));
        }
        fs.rmSync(gen, { recursive: true });
    },
};

/** Removes <dir>.tmp-<pid> folders left by builds whose process is gone (failed or interrupted). */
function removeStaleAttempts(dir) {
    const prefix = `${path.basename(dir)}.tmp-`;
    for (const entry of fs.readdirSync(path.dirname(dir))) {
        if (!entry.startsWith(prefix)) continue;
        const pid = Number(entry.slice(prefix.length));
        let alive = false;
        try {
            process.kill(pid, 0);
            alive = pid !== process.pid;
        } catch {
            alive = false;
        }
        if (!alive) fs.rmSync(path.join(path.dirname(dir), entry), { recursive: true, force: true });
    }
}

async function buildTool(name, spec) {
    const dir = toolDir(name, spec);
    const hash = recipeHash(name, spec);
    const tmp = `${dir}.tmp-${process.pid}`;
    removeStaleAttempts(dir);
    const work = path.join(tmp, "work");
    fs.mkdirSync(path.join(tmp, "bin"), { recursive: true });
    fs.cpSync(path.join(MODULES_DIR, spec.wrapper), work, { recursive: true });
    const logFile = path.join(tmp, "build.log");
    const env = goEnv(spec);
    const ctx = { tool: name, spec, work, env, logFile };
    try {
        log(name, `checking pinned module versions; log: ${logFile} (kept as ${path.join(dir, "build.log")})`);
        const pins = Object.entries(spec.pins ?? {});
        const listed = path.join(tmp, "pins.txt");
        await run(name, "go list -m", "go", ["list", "-m", "-f", "{{.Path}} {{.Version}}", ...pins.map(([m]) => m)], {
            cwd: work, env, logFile, stdoutFile: listed,
        });
        const selected = new Map(fs.readFileSync(listed, "utf8").trim().split("\n").map((l) => l.split(" ")));
        fs.rmSync(listed);
        for (const [mod, want] of pins) {
            const got = selected.get(mod);
            if (got !== want) {
                throw new BuildError(
                    `tools/modules/${spec.wrapper}/go.mod selects ${mod} ${got || "(none)"}, but tools/versions.json pins ${want}; ` +
                    `make them agree (edit go.mod, then \`go mod tidy\` in tools/modules/${spec.wrapper})`,
                );
            }
        }
        if (spec.generate) {
            const gen = generators[spec.generate];
            if (!gen) throw new BuildError(`unknown generate step "${spec.generate}" in tools/versions.json`);
            log(name, `generating (${spec.generate})`);
            await gen(ctx);
        }
        log(name, `compiling ${spec.packages.join(" ")}`);
        await run(name, "go build", "go", goBuildArgs(spec, path.join(tmp, "bin") + path.sep, spec.packages), { cwd: work, env, logFile });
        for (const b of spec.binaries) {
            if (!fs.existsSync(path.join(tmp, "bin", b))) throw new BuildError(`go build produced no bin/${b}`);
        }
        // check: { "<binary>" | "*": { args, expect } }: run the binary, its output must contain expect.
        for (const b of spec.binaries) {
            const check = spec.check?.[b] ?? spec.check?.["*"];
            if (!check) continue;
            const out = capture(path.join(tmp, "bin", b), check.args, work);
            const expect = sub(check.expect, spec);
            if (!out.includes(expect)) throw new BuildError(`\`${b} ${check.args.join(" ")}\` printed "${out}", expected "${expect}"`);
            log(name, `${b} ${check.args.join(" ")}: ${out.split("\n")[0]}`);
        }
    } catch (err) {
        // Keep the failed attempt's log where the message says; drop its sources and binaries.
        fs.rmSync(work, { recursive: true, force: true });
        fs.rmSync(path.join(tmp, "bin"), { recursive: true, force: true });
        throw err;
    }
    fs.rmSync(work, { recursive: true, force: true });
    fs.writeFileSync(path.join(tmp, "stamp.json"), JSON.stringify({ tool: name, version: spec.version, hash, go: goVersion(), builtAt: new Date().toISOString() }, null, 2) + "\n");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
}

function selectTools(all, names) {
    const unknown = names.filter((n) => !(n in all));
    if (unknown.length) throw new BuildError(`unknown tool(s): ${unknown.join(", ")}; known: ${Object.keys(all).join(", ")}`);
    return names.length ? names : Object.keys(all);
}

function fmtSize(bytes) {
    return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function main(argv) {
    const all = loadVersions();
    if (argv[0] === "--list") {
        for (const [name, spec] of Object.entries(all)) console.log(`${name}\t${spec.version}\t${spec.binaries.join(",")}`);
        return;
    }
    if (argv[0] === "--path") {
        const names = selectTools(all, argv.slice(1));
        const missing = names.filter((n) => !isBuilt(n, all[n]));
        if (missing.length) throw new BuildError(`not built (or out of date): ${missing.join(", ")}; run \`npm run tools\``);
        console.log(names.map((n) => path.join(toolDir(n, all[n]), "bin")).join(path.delimiter));
        return;
    }
    const flags = argv.filter((a) => a.startsWith("-"));
    if (flags.length) throw new BuildError(`unknown option(s): ${flags.join(" ")}; usage: build.mjs [--list | --path] [tool...]`);
    const names = selectTools(all, argv);
    log("", `cache ${toolsRoot()}; ${goVersion()}; GOMODCACHE ${capture("go", ["env", "GOMODCACHE"], TOOLS_DIR)}; GOCACHE ${capture("go", ["env", "GOCACHE"], TOOLS_DIR)}`);
    fs.mkdirSync(toolsRoot(), { recursive: true });
    const rows = [];
    let failed = 0;
    for (const name of names) {
        const spec = all[name];
        const started = Date.now();
        let result;
        if (isBuilt(name, spec)) {
            result = "reused";
        } else {
            log(name, `building ${spec.version}`);
            try {
                await buildTool(name, spec);
                result = "built";
            } catch (err) {
                if (!(err instanceof BuildError)) throw err;
                process.stderr.write(`[tools] ${name}: FAILED: ${err.message}\n`);
                result = "FAILED";
                failed++;
            }
        }
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        const size = result === "FAILED" ? "" : spec.binaries.map((b) => fmtSize(fs.statSync(path.join(toolDir(name, spec), "bin", b)).size)).join(" + ");
        log(name, `${result} in ${secs}s`);
        rows.push([name, spec.version, result, secs, size]);
    }
    const header = ["tool", "version", "result", "seconds", "size"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    console.log(`\n${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}\n${rows.map(line).join("\n")}`);
    console.log(`\nbin dirs: node tools/build.mjs --path   (cache: ${toolsRoot()})`);
    if (failed) throw new BuildError(`${failed} tool(s) failed to build`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    main(process.argv.slice(2)).catch((err) => {
        process.stderr.write(`[tools] error: ${err instanceof BuildError ? err.message : err.stack}\n`);
        process.exit(1);
    });
}
