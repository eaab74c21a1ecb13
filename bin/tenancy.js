#!/usr/bin/env node
// The `tenancy` command: loads the TypeScript CLI through tsx so the project needs no build step.
"use strict";
require("tsx/cjs");
const { main } = require("../cli/main");
main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (error) => {
        // main() turns every expected failure into a message; reaching here is a bug in tenancy.
        process.stderr.write(`tenancy: internal error: ${error && error.stack ? error.stack : error}\n`);
        process.exitCode = 70;
    },
);
