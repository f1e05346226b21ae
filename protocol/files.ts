/** The agent operations of the file manager (issue 16): specs in docs/agent_ops.md. */
import type { OpSpec } from "./op_spec.ts";

export const FILE_OPS = [] as const satisfies readonly OpSpec[];
