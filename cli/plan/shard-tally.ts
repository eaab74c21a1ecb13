// What a sharded plan keeps of each shard once it is planned: per tenant, its counts, quota, invalid
// objects, policy findings and grant lines; the few shared resources (the stack, its provider, the
// NATS authorization and, from shard 0, the shared objects) whole; the NATS ConfigMaps (the report
// reads every account from them); each object's identity (two declarations of one object may lie in
// two shards); the resources of the stack-wide NATS check. Everything else of a shard is dropped
// before the next one starts, so the plan's memory grows with tenants, not with whole resources.
import type { PolicyDiagnostic } from "../engine";
import type { Registry, RegistryEntry } from "../../registry";
import { diffPlans, type ResourceChange } from "./diff";
import { kubeGrantLines } from "./grants";
import type { PlannedResource } from "./inventory";
import { duplicateProblem, objectIdentity, validateKube, type KubeProblem } from "./kube-validate";
import { isNatsAuthorization, isNatsDocument } from "./nats";
import { sortDiagnostics } from "./policy";
import { countResource, describeKube, reportDiagnostic, type OwnerTally, type ResourceTally } from "./report";
import { byOrder, orderKeys, STACK_WIDE_RULE, stackWideResources, type UnionResource } from "./stack-union";

/** One planned shard, as the accumulator receives it. */
export interface PlannedShard {
    /** Its resources in tree order, owners attached (inventory). */
    planned: PlannedResource[];
    /** The diagnostics of its Analyze and AnalyzeStack calls. */
    diagnostics: PolicyDiagnostic[];
    /** The registry entries of its tenants (for their declared Secrets' grant lines). */
    entries: RegistryEntry[];
    /** With --base: the same shard of the base registry, planned. */
    base?: { planned: PlannedResource[]; entries: RegistryEntry[] };
}

interface Owner {
    tally: OwnerTally;
    // Positions of tally.invalid's entries, to place a duplicate found in another shard.
    invalidOrder: string[];
    diagnostics: PolicyDiagnostic[];
}

interface Declared {
    order: string;
    urn: string;
    owner?: string;
    object: string;
}

/** Joins planned shards into what the report needs (see the module comment). */
export class ShardTally {
    private readonly owners = new Map<string, Owner>();
    private readonly shared = new Map<string, { order: string; resource: PlannedResource }>();
    private readonly sharedDiagnostics: PolicyDiagnostic[] = [];
    // Identity → its first declaration seen; identities declared more than once → every declaration.
    private readonly identities = new Map<string, Declared>();
    private readonly repeated = new Map<string, Declared[]>();
    private readonly kubeGrants = new Map<string, string[]>();
    private readonly natsResources = new Map<string, PlannedResource>();
    private readonly union = new Map<string, UnionResource>();
    private resources = 0;
    private kubernetesObjects = 0;
    private readonly baseNats = new Map<string, PlannedResource>();
    private readonly baseKubeGrants = new Map<string, string[]>();
    private readonly changes = new Map<string, ResourceChange>();

    /**
     * `reported` says which tenants the report lists (a resource of any other counts as shared);
     * `natsNamespace` is where the NATS server's files are; `tenantNamespaces` are the registry
     * tenants' namespaces (see stackWideResources).
     */
    constructor(
        private readonly reported: (slug: string) => boolean,
        private readonly natsNamespace: string,
        private readonly tenantNamespaces: ReadonlySet<string> = new Set(),
    ) {}

    /** Reduces one planned shard; the caller may drop it afterwards. */
    add(shard: PlannedShard): void {
        const orders = orderKeys(shard.planned);
        const unionResources = stackWideResources(shard.planned, orders, this.tenantNamespaces);
        const inUnion = new Set(unionResources.map((u) => u.engine.urn));
        for (const u of unionResources) if (!this.union.has(u.engine.urn)) this.union.set(u.engine.urn, u);
        const tenantOf = new Map<string, string | undefined>();
        const own: PlannedResource[] = [];
        for (const r of shard.planned) {
            const order = orders.get(r.urn)!;
            if (isNatsDocument(r, this.natsNamespace) && !this.natsResources.has(r.urn)) this.natsResources.set(r.urn, r);
            if (r.tenant === undefined || !this.reported(r.tenant)) {
                // Shared resources are few; the stack, its provider and the NATS component are in every shard.
                if (!this.shared.has(r.urn)) this.shared.set(r.urn, { order, resource: r });
                tenantOf.set(r.urn, undefined);
                continue;
            }
            tenantOf.set(r.urn, r.tenant);
            own.push(r);
            const owner = this.owner(r.tenant);
            const problems = r.kube ? validateKube(r.kube) : [];
            countResource(owner.tally, true, r, problems.length > 0 ? problems : undefined);
            if (problems.length > 0 && r.kube) owner.invalidOrder.push(order);
            this.resources++;
            if (r.kube) {
                this.kubernetesObjects++;
                this.declare(objectIdentity(r.kube), { order, urn: r.urn, owner: r.tenant, object: describeKube(r.kube) });
            }
        }
        for (const d of shard.diagnostics) {
            // The stack-wide rule's findings come from its run over the union (see stack-union.ts),
            // but for resources that run does not see: what the rule finds there concerns them alone.
            if (d.policyName === STACK_WIDE_RULE && (d.urn === "" || inUnion.has(d.urn))) continue;
            this.addDiagnostic(d, tenantOf.get(d.urn));
        }
        for (const [slug, lines] of kubeGrantLines(own, { entries: shard.entries })) this.kubeGrants.set(slug, [...(this.kubeGrants.get(slug) ?? []), ...lines]);
        if (shard.base) this.addBase(shard.base, shard.planned);
    }

    /** The resources of the stack-wide check, in the whole plan's order, with their owners. */
    stackWide(): UnionResource[] {
        return [...this.union.values()].sort(byOrder);
    }

    /** The stack-wide check's findings (see stack-union.ts): only its rule's are taken. */
    addStackWide(diagnostics: readonly PolicyDiagnostic[]): void {
        for (const d of diagnostics) {
            if (d.policyName !== STACK_WIDE_RULE) continue;
            const owner = this.union.get(d.urn)?.tenant;
            this.addDiagnostic(d, owner !== undefined && this.reported(owner) ? owner : undefined);
        }
    }

    /** The NATS ConfigMaps of every shard (head), by URN. */
    natsConfigMaps(): PlannedResource[] {
        return [...this.natsResources.values()];
    }

    /** With --base: the base's NATS ConfigMaps, the tenants' Kubernetes grant lines at the base, and every resource change, by URN. */
    baseParts(): { nats: PlannedResource[]; kubeGrants: Map<string, string[]>; changes: ResourceChange[] } {
        const changes = [...this.changes.values()].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
        return { nats: [...this.baseNats.values()], kubeGrants: this.baseKubeGrants, changes };
    }

    /** The report's tally of every shard: the shared resources and cross-shard duplicates are settled here. */
    finish(): ResourceTally {
        const shared: Owner = { tally: { resources: 0, objects: {}, invalid: [], policy: [] }, invalidOrder: [], diagnostics: this.sharedDiagnostics };
        let resources = this.resources;
        let kubernetesObjects = this.kubernetesObjects;
        for (const { order, resource: r } of [...this.shared.values()].sort(byOrder)) {
            const problems = r.kube ? validateKube(r.kube) : [];
            countResource(shared.tally, false, r, problems.length > 0 ? problems : undefined);
            if (problems.length > 0) shared.invalidOrder.push(order);
            resources++;
            if (r.kube) {
                kubernetesObjects++;
                this.declare(objectIdentity(r.kube), { order, urn: r.urn, object: describeKube(r.kube) });
            }
        }
        // Every declaration after the first of one object (in the whole plan's order) names the first.
        for (const all of this.repeated.values()) {
            const [first, ...later] = all.sort(byOrder);
            for (const d of later) this.addProblem(d.owner !== undefined ? this.owners.get(d.owner)! : shared, d, duplicateProblem(first.urn));
        }
        const tenants = new Map<string, OwnerTally>();
        for (const [slug, owner] of this.owners) {
            owner.tally.policy = sortDiagnostics(owner.diagnostics).map(reportDiagnostic);
            tenants.set(slug, owner.tally);
        }
        shared.tally.policy = sortDiagnostics(shared.diagnostics).map(reportDiagnostic);
        return { resources, kubernetesObjects, tenants, shared: shared.tally, kubeGrants: this.kubeGrants };
    }

    private owner(slug: string): Owner {
        let owner = this.owners.get(slug);
        if (!owner) this.owners.set(slug, (owner = { tally: { resources: 0, objects: {}, invalid: [], policy: [] }, invalidOrder: [], diagnostics: [] }));
        return owner;
    }

    private addDiagnostic(d: PolicyDiagnostic, tenant: string | undefined): void {
        if (tenant !== undefined) this.owner(tenant).diagnostics.push(d);
        else this.sharedDiagnostics.push(d);
    }

    private declare(identity: string, declared: Declared): void {
        const first = this.identities.get(identity);
        if (!first) {
            this.identities.set(identity, declared);
            return;
        }
        // A shared resource is kept once however many shards declare it; one URN is one declaration.
        if (first.urn === declared.urn) return;
        const all = this.repeated.get(identity);
        if (all) {
            if (!all.some((d) => d.urn === declared.urn)) all.push(declared);
        } else this.repeated.set(identity, [first, declared]);
    }

    // Appends a problem to an object's invalid entry, creating the entry in plan order if it has none.
    private addProblem(owner: Owner, declared: Declared, problem: KubeProblem): void {
        const at = owner.tally.invalid.findIndex((i) => i.urn === declared.urn);
        if (at >= 0) {
            owner.tally.invalid[at].problems.push(problem);
            return;
        }
        let index = owner.invalidOrder.findIndex((o) => o > declared.order);
        if (index < 0) index = owner.invalidOrder.length;
        owner.tally.invalid.splice(index, 0, { urn: declared.urn, object: declared.object, problems: [problem] });
        owner.invalidOrder.splice(index, 0, declared.order);
    }

    // The base's shard against the head's: resource changes, its NATS files and its tenants' grant lines.
    private addBase(base: NonNullable<PlannedShard["base"]>, head: PlannedResource[]): void {
        for (const c of diffPlans(base.planned, head, (r) => isNatsAuthorization(r, this.natsNamespace))) if (!this.changes.has(c.urn)) this.changes.set(c.urn, c);
        for (const r of base.planned) if (isNatsDocument(r, this.natsNamespace) && !this.baseNats.has(r.urn)) this.baseNats.set(r.urn, r);
        const own = base.planned.filter((r) => r.tenant !== undefined);
        for (const [slug, lines] of kubeGrantLines(own, { entries: base.entries })) this.baseKubeGrants.set(slug, [...(this.baseKubeGrants.get(slug) ?? []), ...lines]);
    }
}

/** The registry entries of the tenants in `ids`. */
export function entriesOf(registry: Pick<Registry, "entries">, ids: ReadonlySet<string>): RegistryEntry[] {
    return registry.entries.filter((e) => ids.has(e.tenant.id));
}
