import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { enforceTenantOwnership } from "./enforce-tenant-ownership";
import { isolateTenantNats } from "./isolate-tenant-nats";
import { isolateTenantNetworkPolicies } from "./isolate-tenant-network-policies";
import { protectLiveTenantNamespaces } from "./protect-live-tenant-namespaces";
import { requireExplicitNamespace } from "./require-explicit-namespace";
import { requireLeastPrivilegeRoles } from "./require-least-privilege-roles";
import { requireTenantBaseline } from "./require-tenant-baseline";
import { restrictClusterRoles } from "./restrict-cluster-roles";
import { restrictRoleBindingSubjects } from "./restrict-role-binding-subjects";

/** Name of the policy pack, as the engine and `pulumi preview --policy-pack` report it. */
export const PACK_NAME = "tenancy-guard";

/** Every rule of the pack, in the order of the design (issue 4); index.ts serves exactly these. */
export const RULES: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    requireExplicitNamespace,
    enforceTenantOwnership,
    restrictRoleBindingSubjects,
    restrictClusterRoles,
    requireLeastPrivilegeRoles,
    isolateTenantNetworkPolicies,
    requireTenantBaseline,
    isolateTenantNats,
    protectLiveTenantNamespaces,
];
