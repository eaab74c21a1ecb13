import { z } from "zod";
import { planCatalogSchema, tenantSchema } from "./schema";

/** The JSON Schema documents committed beside the registry, keyed by file name, generated from the zod schemas. */
export function registryJsonSchemas(): Record<string, string> {
    const render = (schema: z.ZodType, title: string) =>
        `${JSON.stringify({ ...z.toJSONSchema(schema, { io: "input", target: "draft-7" }), title }, null, 2)}\n`;
    return {
        "schema.json": render(tenantSchema, "tenancy tenant entry (tenants/<slug>.yaml)"),
        "plans.schema.json": render(planCatalogSchema, "tenancy plan catalog (tenants/plans.yaml)"),
    };
}
