// The SDK's floor: the resources a plan recorded, registered raw (no registry or policies) under the
// same recording monitor. The floor itself lists custom resources only, without parents; the
// protocol floor lists every resource of the recording in its order, components and parents
// included, so that each gets the URN the program gives it.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";

/** One resource to register: custom unless `component`; `parent` is the recorded `urn` of one listed before it. */
interface RawResource {
    type: string;
    name: string;
    inputs: pulumi.Inputs;
    component?: boolean;
    urn?: string;
    parent?: string;
}

const raw = JSON.parse(fs.readFileSync(process.env.TENANCY_BENCH_RAW!, "utf8")) as RawResource[];
// The SDK declares CustomResource abstract; a bare subclass is what every provider SDK's class is.
class Raw extends pulumi.CustomResource {}
class RawComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.registerOutputs({});
    }
}
const byUrn = new Map<string, pulumi.Resource>();
for (const r of raw) {
    const opts = r.parent ? { parent: byUrn.get(r.parent) } : {};
    const resource = r.component ? new RawComponent(r.type, r.name, opts) : new Raw(r.type, r.name, r.inputs, opts);
    if (r.urn) byUrn.set(r.urn, resource);
}
