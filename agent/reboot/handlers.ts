/** The agent's handlers for the reboot operations (protocol/reboot.ts, docs/agent_ops.md). */
import type { OpEnv, OpHandlers } from "../ops/mod.ts";

export function rebootHandlers(_env: OpEnv): OpHandlers {
  return {};
}
