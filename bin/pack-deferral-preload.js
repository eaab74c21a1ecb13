"use strict";
// `node --require bin/pack-deferral-preload.js`: in a plan's policy pack, defers the SDK's unused
// modules and the runner's TypeScript registration (bin/sdk-deferral.js).
const { deferPackTypeScript, deferUnusedSdkModules } = require("./sdk-deferral");
const root = require("node:path").resolve(__dirname, "..");
deferUnusedSdkModules(root);
deferPackTypeScript(root);
