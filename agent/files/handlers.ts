/** The agent's handlers for the files operations (protocol/files.ts, docs/agent_ops.md). */
import type { OpEnv, OpHandlers } from "../ops/mod.ts";

export function fileHandlers(_env: OpEnv): OpHandlers {
  return {};
}
