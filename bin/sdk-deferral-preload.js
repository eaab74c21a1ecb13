"use strict";
// `node --require bin/sdk-deferral-preload.js`: defers the SDK's unused modules (bin/sdk-deferral.js)
// in a process whose own code imports @pulumi/pulumi first thing (a plan's recording child).
require("./sdk-deferral").deferUnusedSdkModules(require("node:path").resolve(__dirname, ".."));
