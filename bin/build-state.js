"use strict";
// Whether the compiled CLI in dist/ was built from the sources as they are now. The build records a
// digest of every TypeScript source it may compile, the tsconfig files and package-lock.json (the
// dependencies `npm ci` installed); bin/tenancy.js runs dist/ only when the digest of the tree
// matches, else it runs the sources through tsx.
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** The folders tsc compiles from (cli/ and everything it imports). */
const SOURCE_DIRS = ["cli", "registry", "contract", "components", "infra", "policy"];
const CONFIG_FILES = ["tsconfig.json", "tsconfig.build.json", "package-lock.json"];
const OUT_DIR = "dist";
const DIGEST_FILE = path.join(OUT_DIR, ".source-digest");

function listSources(root, dir, accept, out) {
    let entries;
    try {
        entries = fs.readdirSync(path.join(root, dir), { withFileTypes: true });
    } catch {
        return;
    }
    for (const entry of entries) {
        const rel = `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
            if (entry.name !== "node_modules") listSources(root, rel, accept, out);
        } else if (accept(entry.name)) out.push(rel);
    }
}

/**
 * A SHA-256 of `seed`, then of each of `files` and of every file under `dirs` whose name `accept`
 * takes (node_modules excluded): its path and its bytes, a missing file marked as such.
 */
function treeDigest(root, { dirs, files, accept = (name) => name.endsWith(".ts"), seed = "" }) {
    const found = [];
    for (const dir of dirs) listSources(root, dir, accept, found);
    found.sort();
    const hash = crypto.createHash("sha256");
    hash.update(`${seed}\0`);
    for (const rel of [...files, ...found]) {
        hash.update(`${rel}\0`);
        try {
            hash.update(fs.readFileSync(path.join(root, rel)));
        } catch {
            hash.update("\0missing\0");
        }
        hash.update("\0");
    }
    return hash.digest("hex");
}

/** A digest of the sources' paths and contents. */
function sourceDigest(root) {
    return treeDigest(root, { dirs: SOURCE_DIRS, files: CONFIG_FILES });
}

/** The compiled entry when dist/ is present and built from the current sources, else undefined. */
function currentBuild(root) {
    return compiledFile(root, path.join("cli", "start.js"));
}

/**
 * The compiled Pulumi program (dist/infra/index.js) when dist/ was built from the current sources,
 * else undefined: a plan's recording child that requires it loads no TypeScript (tsx took about
 * 2 s of every child's start).
 */
function compiledProgram(root) {
    return compiledFile(root, path.join("infra", "index.js"));
}

function compiledFile(root, file) {
    const entry = path.join(root, OUT_DIR, file);
    let recorded;
    try {
        recorded = fs.readFileSync(path.join(root, DIGEST_FILE), "utf8").trim();
    } catch {
        return undefined;
    }
    if (!fs.existsSync(entry) || recorded !== sourceDigest(root)) return undefined;
    return entry;
}

/**
 * The compiled policy pack (dist/policy: index.js, package.json, PulumiPolicy.yaml) when dist/ was
 * built from the current sources, else undefined: a pack started from it skips ts-node's type check
 * of every rule, which `npm test`'s tsc already ran over the same sources.
 */
function compiledPackDir(root) {
    const dir = path.join(root, OUT_DIR, "policy");
    let recorded;
    try {
        recorded = fs.readFileSync(path.join(root, DIGEST_FILE), "utf8").trim();
    } catch {
        return undefined;
    }
    const complete = ["index.js", "package.json", "PulumiPolicy.yaml"].every((f) => fs.existsSync(path.join(dir, f)));
    return complete && recorded === sourceDigest(root) ? dir : undefined;
}

module.exports = { compiledPackDir, compiledProgram, currentBuild, sourceDigest, treeDigest, DIGEST_FILE, OUT_DIR };
