/** The agent's handlers for the system operations (protocol/system.ts, docs/agent_ops.md). */
import type { OpEnv, OpHandlers } from "../ops/mod.ts";

export function systemHandlers(_env: OpEnv): OpHandlers {
  return {};
}
