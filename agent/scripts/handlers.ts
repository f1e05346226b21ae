/** The agent's handlers for the scripts operations (protocol/scripts.ts, docs/agent_ops.md). */
import type { OpEnv, OpHandler, OpHandlers } from "../ops/mod.ts";
import { OpFailure } from "../ops/mod.ts";
import { osLanguage } from "../identity.ts";
import { agentStrings, fill } from "../strings.ts";
import { checkRunRequest, runScript } from "./runner.ts";

/**
 * `scripts.run`: checked first (target OS, sizes), then the customer is asked about this very
 * script by name in the agent's window — only an Allow runs it.
 */
export interface ScriptHandlerOptions {
  /** Where the private folders are made (the system's temp folder by default). */
  tempRoot?: string;
  /** The customer's language for the question (the OS language by default). */
  language?: string;
}

export function scriptHandlers(env: OpEnv, options: ScriptHandlerOptions = {}): OpHandlers {
  return { "scripts.run": scriptRunHandler(env, options) } as OpHandlers;
}

/** The handler of `scripts.run` alone, typed by its kind. */
export function scriptRunHandler(
  env: OpEnv,
  options: ScriptHandlerOptions = {},
): OpHandler<"scripts.run"> {
  return async (request, ctx) => {
    const resource = checkRunRequest(request, env.os);
    const question = fill(agentStrings(options.language ?? osLanguage()).scripts.run, {
      name: request.name,
      seconds: String(request.timeoutSeconds),
    });
    if (!await ctx.confirm(question)) {
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
