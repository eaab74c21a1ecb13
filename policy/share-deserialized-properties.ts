// @pulumi/policy deserializes a resource's properties once per rule that reads them: each Analyze
// call turns its protobuf Struct into JavaScript once per resource rule (7), each AnalyzeStack call
// every resource once per stack rule (8); at 1,000 tenants that was 4.6 s of the plan's packs' CPU,
// plus the collection of its garbage. The function is pure (the same Struct gives equal values), so
// the pack computes it once per Struct and hands every rule the same value; resource-view.ts derives
// what the rules read from it once, frozen.
import { createHash } from "node:crypto";
import * as fs from "node:fs";

/** SHA-256 of @pulumi/policy 1.21.0's deserialize.js, whose deserializeProperties is shared; any other version is left as it is. */
export const SHARED_DESERIALIZE_SHA256 = "ec5892b72e40c243b5344c58a0f50133f8606722ec1d3ca1f50a91f03cd38518";

type Deserialize = (struct: unknown, proxySecrets: boolean) => unknown;

// Every value the shared function handed out: nothing changes them (@pulumi/policy proxies them to the
// rules, which copy what they read), so what is derived from one holds while it lives.
const handedOut = new WeakSet<object>();

/** True for properties that the shared deserializeProperties handed out, and so are the same for every rule of a message. */
export function isSharedProperties(value: unknown): boolean {
    return value !== null && typeof value === "object" && handedOut.has(value);
}

/**
 * Makes the deserializeProperties of the @pulumi/policy module at `modulePath` compute its result
 * once per Struct when secrets are not proxied (Analyze and AnalyzeStack; Remediate, which may change
 * what it gets, keeps its own copy). Returns whether it did: only the pinned file's function is known
 * to be pure.
 */
export function shareDeserializedProperties(modulePath: string = require.resolve("@pulumi/policy/deserialize")): boolean {
    const digest = createHash("sha256").update(fs.readFileSync(modulePath)).digest("hex");
    if (digest !== SHARED_DESERIALIZE_SHA256) return false;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(modulePath) as { deserializeProperties: Deserialize };
    const original = mod.deserializeProperties;
    const shared = new WeakMap<object, unknown>();
    mod.deserializeProperties = (struct, proxySecrets) => {
        if (proxySecrets || struct === null || typeof struct !== "object") return original(struct, proxySecrets);
        if (!shared.has(struct)) {
            const props = original(struct, false);
            if (props !== null && typeof props === "object") handedOut.add(props);
            shared.set(struct, props);
        }
        return shared.get(struct);
    };
    return true;
}
