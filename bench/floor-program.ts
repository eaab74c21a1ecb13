// The SDK's floor: the resources a plan recorded, registered raw (no components, registry or
// policies) under the same recording monitor.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";

const raw = JSON.parse(fs.readFileSync(process.env.TENANCY_BENCH_RAW!, "utf8")) as { type: string; name: string; inputs: pulumi.Inputs }[];
// The SDK declares CustomResource abstract; a bare subclass is what every provider SDK's class is.
class Raw extends pulumi.CustomResource {}
for (const r of raw) new Raw(r.type, r.name, r.inputs);
