// The Pulumi program: `pulumi up` runs this file. It reads stack config and the registry, then
// hands validated inputs to declareTenants; everything it declares comes from there.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { loadRegistry, RegistryError } from "../registry";
import { readPlanOnly, readStackConfig } from "./config";
import { declareTenants } from "./program";
import { readNatsMasterKey, readSecretValues } from "./secrets";

// infra/ is at the project root; `tenancy plan` may record the compiled copy in dist/infra instead.
const projectRoot = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === "dist" ? "../.." : "..");
const config = readStackConfig();
const only = readPlanOnly();

let registry;
try {
    registry = loadRegistry(path.resolve(projectRoot, config.tenantsDir));
} catch (error) {
    // A RunError prints its message without a stack trace; the list is the same as `tenancy validate`.
    if (error instanceof RegistryError) throw new pulumi.RunError(error.message);
    throw error;
}

const secretValues = readSecretValues();
const tenancyConfig = new pulumi.Config("tenancy");
const natsMasterKey = readNatsMasterKey(tenancyConfig);

const provider = new k8s.Provider("cluster", {
    kubeconfig: tenancyConfig.getSecret("kubeconfig"),
    context: config.kubeContext,
    // The provider's own client limit (50/s, burst 120) is what a large preview or update waits on.
    kubeClientSettings: { qps: config.kubeClient.qps, burst: config.kubeClient.burst },
});

// Named exports of a promise's values (not `export =` of an async function), so that a program
// that adds to this one can still `export * from` it.
const declared = declareTenants({ registry, config, secretValues, provider, natsMasterKey, only });

/** Namespace of every tenant, by slug. */
export const namespaces = pulumi.output(declared.then(({ tenants }) => Object.fromEntries(Object.entries(tenants).map(([slug, t]) => [slug, t.namespaceName]))));

/** Config paths of declared secret values not set yet (never values); their Secrets are created once they are. */
export const missingSecrets = pulumi.output(declared.then((d) => d.missingSecrets));

/**
 * Public keys every shard's policy pack is pinned to (pack config natsOperatorKey and
 * natsPlatformAccountKey), the same in every stack of one master key.
 */
export const natsTrust = pulumi.output(declared.then(({ natsAuthorization: n }) => ({ operator: n.operatorPublicKey, platformAccount: n.platformAccountPublicKey })));
