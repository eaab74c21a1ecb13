// The pack's entry point: the Pulumi CLI (or cli/engine/policy-host.ts) runs this file through
// run-policy-pack. Constructing the PolicyPack starts its gRPC server, so nothing else may import it.
// First: it must run before anything loads @pulumi/pulumi.
import "./defer-sdk-modules";
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, RULES } from "./rules";
import { shareDeserializedProperties } from "./share-deserialized-properties";

shareDeserializedProperties();

new PolicyPack(PACK_NAME, {
    description: "Blocks cross-tenant wiring of Kubernetes and NATS resources and checks every tenant's baseline.",
    enforcementLevel: "mandatory",
    policies: RULES,
});
