import { loadRegistry, type Registry } from "../../registry";
import { EXAMPLE_TENANTS, makeRegistry } from "../support/registry-fixture";

// The plan catalog is the platform's code, tenants are data: the catalog is copied from the
// repository, the tenants are the tests' own examples (never tenants/*.yaml).

/** The policy tests' tenants: one per plan, with secrets, overrides, IPv4 and IPv6 egress, a suspended one. */
export const POLICY_TENANTS: Readonly<Record<string, string>> = EXAMPLE_TENANTS;

/** Writes a registry (the catalog plus `files`) to a fresh temporary directory, removed when the process exits. */
export function writeRegistry(files: Record<string, string> = POLICY_TENANTS): string {
    return makeRegistry(files);
}

/** The registry every policy test of a process reads (acme, globex, initech). */
export const REGISTRY_DIR = writeRegistry();

/** That registry, loaded. */
export const REGISTRY: Registry = loadRegistry(REGISTRY_DIR);
