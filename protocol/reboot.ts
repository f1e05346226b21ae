/** The agent operations of reboot and reconnect (issue 17): specs in docs/agent_ops.md. */
import type { OpSpec } from "./op_spec.ts";

export const REBOOT_OPS = [] as const satisfies readonly OpSpec[];
