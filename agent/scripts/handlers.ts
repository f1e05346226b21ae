/** The agent's handlers for the scripts operations (protocol/scripts.ts, docs/agent_ops.md). */
import type { OpEnv, OpHandlers } from "../ops/mod.ts";

export function scriptHandlers(_env: OpEnv): OpHandlers {
  return {};
}
