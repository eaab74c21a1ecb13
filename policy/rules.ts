import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { enforceTenantOwnership } from "./enforce-tenant-ownership";
import { forbidTenantClusterObjects } from "./forbid-tenant-cluster-objects";
import { isolateTenantNats } from "./isolate-tenant-nats";
import { isolateTenantNetworkPolicies } from "./isolate-tenant-network-policies";
import { limitTenantIpBlocks } from "./limit-tenant-ip-blocks";
import { limitTenantPriority } from "./limit-tenant-priority";
import { protectLiveTenantNamespaces } from "./protect-live-tenant-namespaces";
import { requireExplicitNamespace } from "./require-explicit-namespace";
import { requireKnownObjectForms } from "./require-known-object-forms";
import { requireLeastPrivilegeRoles } from "./require-least-privilege-roles";
import { requirePodSecurityAdmission } from "./require-pod-security-admission";
import { requireTenantBaseline } from "./require-tenant-baseline";
import { restrictClusterRoles } from "./restrict-cluster-roles";
import { restrictCrossNamespaceReferences } from "./restrict-cross-namespace-references";
import { restrictRoleBindingSubjects } from "./restrict-role-binding-subjects";

/** Name of the policy pack, as the engine and `pulumi preview --policy-pack` report it. */
export const PACK_NAME = "tenancy-guard";

/** Every rule of the pack, in the order of the design (issues 4 and 10); index.ts serves exactly these. */
export const RULES: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    requireKnownObjectForms,
    requireExplicitNamespace,
    enforceTenantOwnership,
    forbidTenantClusterObjects,
    restrictRoleBindingSubjects,
    restrictClusterRoles,
    requireLeastPrivilegeRoles,
    isolateTenantNetworkPolicies,
    limitTenantIpBlocks,
    restrictCrossNamespaceReferences,
    requireTenantBaseline,
    limitTenantPriority,
    requirePodSecurityAdmission,
    isolateTenantNats,
    protectLiveTenantNamespaces,
];
