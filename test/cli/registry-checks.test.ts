import { describe, expect, it } from "vitest";
import { main } from "../../cli/main";
import { captureIO } from "../support/cli";
import { makeRegistry, tenantYaml } from "../support/registry-fixture";

// `tenancy validate` refuses, at the file's line, the egress the policy pack would block at plan time.
const RULE =
    "the policy pack refuses it (isolate-tenant-network-policies, limit-tenant-ip-blocks: tenant egress must stay outside the internet as a whole, " +
    "link-local and cloud metadata addresses, the cluster's pod range 10.244.0.0/16 and Service range 10.96.0.0/12); declare only the narrower ranges the agents need";

async function validate(files: Record<string, string>) {
    const dir = makeRegistry(files);
    const io = captureIO();
    const code = await main(["validate", "--tenants", dir], io);
    return { code, stdout: io.stdout().split(dir).join("tenants"), stderr: io.stderr().split(dir).join("tenants") };
}

const egress = (slug: string, cidrs: string[], id?: string) => tenantYaml(slug, `network:\n  egress:\n${cidrs.map((c) => `    - ${c}\n`).join("")}`, id);

describe("tenancy validate: the pack's egress arithmetic on the registry alone", () => {
    it("refuses a private range overlapping the cluster's pod and Service ranges, and link-local/metadata ranges, each at its line", async () => {
        const run = await validate({ "acme.yaml": egress("acme", ["10.0.0.0/8", "203.0.113.0/24", "169.254.0.0/16", "fe80::/64", "10.96.0.0/24"]) });
        expect(run.code).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr).toBe(
            [
                `tenants/acme.yaml:9:7 network.egress[0]: 10.0.0.0/8 reaches the cluster's pod range 10.244.0.0/16, which holds every tenant's pods, and the cluster's Service range 10.96.0.0/12, which holds every tenant's Services; ${RULE}`,
                `tenants/acme.yaml:11:7 network.egress[2]: 169.254.0.0/16 reaches the cloud metadata address 169.254.169.254; ${RULE}`,
                `tenants/acme.yaml:12:7 network.egress[3]: fe80::/64 reaches the link-local range fe80::/10; ${RULE}`,
                `tenants/acme.yaml:13:7 network.egress[4]: 10.96.0.0/24 reaches the cluster's Service range 10.96.0.0/12, which holds every tenant's Services; ${RULE}`,
                "tenancy validate: 4 problems in tenants; nothing was changed",
                "",
            ].join("\n"),
        );
    });

    it("refuses a single CIDR covering the internet, and a union of CIDRs that together covers it, naming them", async () => {
        const run = await validate({
            "acme.yaml": egress("acme", ["0.0.0.0/1", "128.0.0.0/1"]),
            "beta.yaml": egress("beta", ["11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2", "128.0.0.0/3"]),
            "gamma.yaml": egress("gamma", ["2000::/4", "3000::/4"]),
        });
        expect(run.code).toBe(2);
        expect(run.stderr.split("\n").map((l) => l.split("; the policy pack")[0])).toEqual([
            "tenants/acme.yaml:9:7 network.egress[0]: 0.0.0.0/1 reaches the whole IPv4 internet, and the cluster's pod range 10.244.0.0/16, which holds every tenant's pods, and the cluster's Service range 10.96.0.0/12, which holds every tenant's Services",
            "tenants/acme.yaml:10:7 network.egress[1]: 128.0.0.0/1 reaches the cloud metadata address 169.254.169.254",
            "tenants/beta.yaml:9:5 network.egress: 11.0.0.0/8 + 12.0.0.0/6 + 16.0.0.0/4 + 32.0.0.0/3 + 64.0.0.0/2 + 128.0.0.0/3 together cover the whole IPv4 internet",
            "tenants/gamma.yaml:9:5 network.egress: 2000::/4 + 3000::/4 together cover the whole IPv6 internet",
            "tenancy validate: 4 problems in tenants; nothing was changed",
            "",
        ]);
    });

    it("accepts narrow public ranges, and reports the pack's problems together with the schema's", async () => {
        const ok = await validate({ "acme.yaml": egress("acme", ["203.0.113.0/24", "198.51.100.0/24", "2001:db8:40::/48", "11.0.0.0/8"]) });
        expect([ok.code, ok.stderr, ok.stdout]).toEqual([0, "", "tenants: 1 tenant valid (1 standard), 3 plans\n"]);
        const both = await validate({ "acme.yaml": egress("acme", ["10.244.1.0/24"]).replace("plan: standard", "plan: platinum") });
        expect(both.code).toBe(2);
        expect(both.stderr.split("\n").map((l) => l.split("; the policy pack")[0])).toEqual([
            'tenants/acme.yaml:5:7 plan: unknown plan "platinum"; allowed: enterprise, free, standard',
            "tenants/acme.yaml:9:7 network.egress[0]: 10.244.1.0/24 reaches the cluster's pod range 10.244.0.0/16, which holds every tenant's pods",
            "tenancy validate: 2 problems in tenants; nothing was changed",
            "",
        ]);
    });
});
