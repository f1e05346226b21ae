/** The agent operations of scripts (issue 17): specs in docs/agent_ops.md. */
import type { OpSpec } from "./op_spec.ts";

export const SCRIPT_OPS = [] as const satisfies readonly OpSpec[];
