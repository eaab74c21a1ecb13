// The bench's protocol floor (bench/plan.ts): the real plugin process (run-policy-pack and
// @pulumi/policy's gRPC server) with one resource rule and one stack rule that do nothing, so what
// it costs to analyze a recording is the protocol's: gRPC, protobuf decoding and @pulumi/policy's
// deserialization of every resource for each rule. Plain JavaScript: no TypeScript check at start.
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("tenancy-bench-protocol-floor", {
    enforcementLevel: "mandatory",
    policies: [
        {
            name: "read-nothing",
            description: "Receives every resource and reports nothing: the bench's protocol floor.",
            enforcementLevel: "mandatory",
            validateResource: () => {},
        },
        {
            name: "read-nothing-stack",
            description: "Receives the stack and reports nothing: the bench's protocol floor.",
            enforcementLevel: "mandatory",
            validateStack: () => {},
        },
    ],
});
