/** The agent operations of system information (issue 17): specs in docs/agent_ops.md. */
import type { OpSpec } from "./op_spec.ts";

export const SYSTEM_OPS = [] as const satisfies readonly OpSpec[];
