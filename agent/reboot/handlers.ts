/**
 * The agent's handlers for the reboot operations (protocol/reboot.ts, docs/agent_ops.md).
 * `reboot.start`, once the customer allowed `reboot` in the agent's window: the customer
 * confirms this restart there, the agent writes its resume record and autostart entry
 * (resume.ts), says `restarting` (the session goes Rebooting), gives that a moment to reach
 * the server, and asks the OS to restart. If the OS refuses, both are removed again and the
 * operation fails with the OS's reason. No credentials are asked for or kept: after the
 * restart the customer signs in, and the autostart entry brings the agent back.
 */
import type { RebootMode } from "../../protocol/reboot.ts";
import { deviceId as readDeviceId, osLanguage } from "../identity.ts";
import { type OpEnv, OpFailure, type OpHandlers } from "../ops/mod.ts";
import { agentStrings } from "../strings.ts";
import { type RebootOs, rebootOsFor } from "./os.ts";
import {
  finishResume,
  type LaunchedAs,
  launchedAs,
  relaunchCommand,
  writeResume,
} from "./resume.ts";

export interface RebootOptions {
  /** The OS layer (tests inject one that records or exits instead of restarting). */
  os?: RebootOs;
  /** How this agent was started (for the command the autostart entry runs). */
  launched?: LaunchedAs;
  /** Pause between the `restarting` event and the restart, so the event leaves first. */
  settleMs?: number;
  language?: string;
}

const SETTLE_MS = 1_000;

export function rebootHandlers(env: OpEnv, options: RebootOptions = {}): OpHandlers {
  const os = options.os ?? rebootOsFor(env.os);
  const strings = agentStrings(options.language ?? osLanguage()).reboot;
  return {
    "reboot.modes": () => Promise.resolve({ modes: [...os.modes], resumes: "sign_in" as const }),
    "reboot.start": async (request, context) => {
      const mode: RebootMode = request.mode;
      const info = os.modes.find((m) => m.mode === mode);
      if (!info?.available) {
        throw new OpFailure(
          "mode_unavailable",
          info?.unavailable === "no_safe_mode"
            ? "This system has no safe mode with networking"
            : "Restarting is not built for this system yet",
        );
      }
      // Windows restarts into its Advanced startup menu for safe mode: the customer picks it.
      const asked = mode === "safe" && env.os === "windows"
        ? strings.confirm.safeWindows
        : strings.confirm[mode];
      if (!(await context.confirm(asked))) {
        throw new OpFailure("declined", "The customer did not confirm the restart");
      }
      if (context.signal.aborted) throw new OpFailure("cancelled", "The restart was cancelled");
      const device = await readDeviceId(env.dataDir);
      const launched = options.launched ?? launchedAs();
      const link = new URL(`/s/${env.token}`, env.serverUrl).href;
      let autostart: string;
      try {
        autostart = await os.installAutostart(
          relaunchCommand(link, env.dataDir, launched),
          launched.cwd,
        );
        await writeResume(env.dataDir, {
          token: env.token,
          mode,
          autostart,
          at: new Date().toISOString(),
        });
      } catch (error) {
        await finishResume(env.dataDir, env.token, os).catch(() => {});
        throw new OpFailure("autostart_failed", `Could not prepare the return: ${_message(error)}`);
      }
      context.log(`restarting (${mode}); the agent comes back through ${autostart}`);
      context.emit({ stage: "restarting", mode, deviceId: device });
      // The customer's terminal says what happens next (the window goes down with the agent).
      console.log(strings.restarting);
      await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? SETTLE_MS));
      try {
        await os.restart(mode);
      } catch (error) {
        await finishResume(env.dataDir, env.token, os).catch(() => {});
        throw new OpFailure("reboot_failed", _message(error));
      }
      return { mode, deviceId: device };
    },
  };
}

function _message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}
