/**
 * The agent's handlers for the system operations (protocol/system.ts, docs/agent_ops.md): each
 * reads through the OS layer (`SystemOs`: linux/, windows/) and answers what it found. The two
 * actions — ending a process, starting/stopping/restarting a service — are put to the
 * customer one by one in the agent's window (`ctx.confirm`) on top of the systemInfo consent,
 * and nothing runs before the answer is yes.
 */
import type { z } from "zod";
import { isUnitName, isWindowsServiceName, type SYSTEM_OPS } from "../../protocol/system.ts";
import { type OpContext, type OpEnv, OpFailure, type OpHandlers } from "../ops/mod.ts";
import { osLanguage } from "../identity.ts";
import { agentStrings, fill } from "../strings.ts";
import type { SystemOs } from "./os.ts";
import { linuxSystem } from "./linux/linux.ts";
import { windowsSystem } from "./windows/windows.ts";

/** How long an ended process may take to go (SIGTERM lets it save and close). */
const END_WAIT_MS = 3_000;

type Spec = typeof SYSTEM_OPS[number];
type Kind = Spec["kind"];
type Of<K extends Kind> = Extract<Spec, { kind: K }>;
/** Typed from this feature's own specs (a widened kind elsewhere cannot blur them). */
type SystemHandlers = {
  [K in Kind]: (
    request: z.infer<Of<K>["request"]>,
    ctx: OpContext,
  ) => Promise<z.infer<Of<K>["result"]>>;
};

export function systemHandlers(
  env: OpEnv,
  options: { os?: SystemOs; language?: string } = {},
): OpHandlers {
  const system = options.os ??
    (env.os === "linux" ? linuxSystem() : env.os === "windows" ? windowsSystem() : undefined);
  // A service's name as this system spells it: a systemd unit, or a Windows service's key name.
  const isServiceName = env.os === "windows" ? isWindowsServiceName : isUnitName;
  if (!system) return {}; // the agent answers not_available until the OS has its layer
  const strings = () => agentStrings(options.language ?? osLanguage()).system;
  const handlers: SystemHandlers = {
    "system.snapshot": (_request, ctx) => system.snapshot(ctx.signal),
    "system.processes": (_request, ctx) => system.processes(ctx.signal),
    "system.endProcess": async ({ pid, force }, ctx) => {
      if (pid === Deno.pid) {
        throw new OpFailure("refused", "The support app does not end itself");
      }
      const found = await system.process(pid);
      if (!found || found.state === "Z") {
        throw new OpFailure("no_such_process", `There is no process ${pid}`);
      }
      const detail = fill(force ? strings().endProcessForce : strings().endProcess, {
        pid: String(pid),
        name: found.name,
      });
      if (!await ctx.confirm(detail)) {
        throw new OpFailure("declined", `The customer declined: ${detail}`);
      }
      // The customer answered about this process: a new one that took its PID is left alone.
      const now = await system.process(pid);
      if (!now || now.startTicks !== found.startTicks || now.state === "Z") {
        return { pid, name: found.name, ended: true };
      }
      try {
        system.signalProcess(pid, force);
      } catch (error) {
        if (error instanceof Deno.errors.PermissionDenied) {
          throw new OpFailure("denied", `Not allowed to end process ${pid} (${found.name})`);
        }
        if (error instanceof Deno.errors.NotFound) return { pid, name: found.name, ended: true };
        throw error;
      }
      ctx.log(`ended process ${pid} (${found.name})${force ? " by force" : ""}`);
      const until = Date.now() + END_WAIT_MS;
      while (Date.now() < until) {
        const left = await system.process(pid);
        if (!left || left.startTicks !== found.startTicks || left.state === "Z") {
          return { pid, name: found.name, ended: true };
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return { pid, name: found.name, ended: false };
    },
    "system.services": (_request, ctx) => system.services(ctx.signal),
    "system.serviceAction": async ({ unit, action }, ctx) => {
      // The schema refused it already; checked again (for this system) before the OS sees it.
      if (!isServiceName(unit)) throw new OpFailure("invalid", "Not a service name");
      const detail = fill(strings()[`service_${action}`], { unit });
      if (!await ctx.confirm(detail)) {
        throw new OpFailure("declined", `The customer declined: ${detail}`);
      }
      const done = await system.serviceAction(unit, action, ctx.signal);
      if (!done.ok) throw new OpFailure("failed", done.reason);
      ctx.log(`${action} ${unit}: ${done.active}`);
      return { unit, action, active: done.active };
    },
    "system.applications": (_request, ctx) => system.applications(ctx.signal),
    "system.user": () => system.user(),
    "system.drivers": () => system.drivers(),
    "system.startup": (_request, ctx) => system.startup(ctx.signal),
    "system.events": ({ maxPriority, text, limit }, ctx) =>
      system.events({ maxPriority, text, limit }, ctx.signal),
  };
  return handlers as unknown as OpHandlers;
}
