/** The agent's handlers for the scripts operations (protocol/scripts.ts, docs/agent_ops.md). */
import type { OpEnv, OpHandler, OpHandlers } from "../ops/mod.ts";
import { OpFailure } from "../ops/mod.ts";
import { checkRunRequest, runScript } from "./runner.ts";

/**
 * `scripts.run`: checked first (target OS, sizes), then the customer is asked about this very
 * script by name in the agent's window — only an Allow runs it. `tempRoot` is for tests.
 */
export function scriptHandlers(env: OpEnv, options: { tempRoot?: string } = {}): OpHandlers {
  return { "scripts.run": scriptRunHandler(env, options) } as OpHandlers;
}

/** The handler of `scripts.run` alone, typed by its kind. */
export function scriptRunHandler(
  env: OpEnv,
  options: { tempRoot?: string } = {},
): OpHandler<"scripts.run"> {
  return async (request, ctx) => {
    const resource = checkRunRequest(request, env.os);
    if (!await ctx.confirm(request.name)) {
      throw new OpFailure("declined", "The customer did not allow this script to run");
    }
    if (ctx.signal.aborted) throw new OpFailure("cancelled", "Stopped before it started");
    ctx.log(`running script ${JSON.stringify(request.name)}`);
    return await runScript(request, resource, {
      os: env.os,
      signal: ctx.signal,
      emit: (output) => ctx.emit(output),
      tempRoot: options.tempRoot,
    });
  };
}
