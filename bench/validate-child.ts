// Loads and validates one registry and exits: the benchmark's validation step, in a process of its own.
import { validateRegistry } from "../registry";

const { issues } = validateRegistry(process.argv[2]);
process.exitCode = issues.length === 0 ? 0 : 2;
