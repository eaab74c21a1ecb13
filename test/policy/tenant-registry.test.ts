import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PLAN_PARSE_ENV, writeParsedTenants, type Tenant } from "../../registry";
import { planParse } from "../../policy/tenant-registry";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenancy-plan-parse-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("planParse: the plan's parse of the registry, for the pack the plan started", () => {
    const file = path.join(dir, "parsed-tenants");
    const parse = new Map([["id: org_abc\n", { id: "org_abc" } as Tenant]]);
    writeParsedTenants(file, parse);

    it("is read when the process that named the file is the pack's parent, the plan's policy host", () => {
        expect([...planParse({ [PLAN_PARSE_ENV]: file, TENANCY_POLICY_HOST_PID: "4242" }, 4242)!]).toEqual([...parse]);
    });

    it("is none under any other parent (the Pulumi CLI sets neither variable), or without the file", () => {
        expect(planParse({ [PLAN_PARSE_ENV]: file, TENANCY_POLICY_HOST_PID: "4242" }, 4243)).toBeUndefined();
        expect(planParse({ [PLAN_PARSE_ENV]: file }, 4242)).toBeUndefined();
        expect(planParse({ TENANCY_POLICY_HOST_PID: "4242" }, 4242)).toBeUndefined();
        expect(planParse({ [PLAN_PARSE_ENV]: path.join(dir, "missing"), TENANCY_POLICY_HOST_PID: "4242" }, 4242)).toBeUndefined();
    });
});
