#!/usr/bin/env node
// The `tenancy` command. Runs the compiled CLI in dist/ (built by `npm ci` through the `prepare`
// script, or `npm run build`) when it was built from the current sources; otherwise, e.g. on a
// fresh clone without the build or after editing a source, it loads the TypeScript through tsx.
"use strict";
const path = require("node:path");
const { currentBuild } = require("./build-state");

const compiled = currentBuild(path.resolve(__dirname, ".."));
if (!compiled) require("tsx/cjs");
const { start } = require(compiled ?? "../cli/start");
start(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (error) => {
        // start() turns every expected failure into a message; reaching here is a bug in tenancy.
        process.stderr.write(`tenancy: internal error: ${error && error.stack ? error.stack : error}\n`);
        process.exitCode = 70;
    },
);
