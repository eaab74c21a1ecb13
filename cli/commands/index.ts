export { parseFlags } from "./args";
export { planCommand } from "./plan";
export type { Flags, FlagSpec } from "./args";
export { schemaCommand } from "./schema";
export type { Command, CommandIO } from "./types";
export { UsageError } from "./types";
export { validateCommand } from "./validate";
