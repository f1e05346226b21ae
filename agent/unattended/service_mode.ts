/**
 * Service mode (SPEC R9): the agent restarts itself as a system service in the same session,
 * so the session survives user switching and sign-out. The customer confirms in the agent's
 * window; the agent writes a systemd unit (under a root directory: `/` on a real computer, a
 * temporary one in tests) whose ExecStart starts this same agent on the session's link with
 * the same data folder — so the same device id, which is how the server recognises the
 * return (the Rebooting machinery of modules/support/reboot.ts) — says `restarting`, starts
 * the unit and leaves. Where there is no init system to start it (tests, containers), the
 * injected `start` runs the unit's command the way systemd would.
 */
import { join } from "node:path";
import { deviceId as readDeviceId, osLanguage } from "../identity.ts";
import { type OpEnv, OpFailure, type OpHandlers } from "../ops/mod.ts";
import { agentStrings } from "../strings.ts";
import { type LaunchedAs, launchedAs, relaunchCommand } from "../reboot/resume.ts";

export const SESSION_UNIT = "rescue-agent-session.service";

export interface ServiceModeOptions {
  /** Where the unit goes (`<root>/etc/systemd/system/`); `/` on a real computer. */
  root?: string;
  launched?: LaunchedAs;
  /** Starts the unit (systemctl on a real computer; tests run its command themselves). */
  start?: (unitPath: string, command: string[]) => Promise<void>;
  /** Leaves once the service runs (the process exits on a real computer). */
  leave?: () => void;
  settleMs?: number;
  language?: string;
}

/** The unit: the agent on the session's link, restarted by systemd if it stops. */
export function sessionUnit(command: readonly string[], display?: string): string {
  const word = (w: string) =>
    /^[A-Za-z0-9_@%+=:,./-]+$/.test(w)
      ? w
      : `"${w.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  return [
    "[Unit]",
    "Description=Remote support agent (this support session, as a service)",
    "After=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${command.map(word).join(" ")}`,
    ...(display ? [`Environment=DISPLAY=${word(display)}`] : []),
    // The agent's window then shows "… is connected to this computer (service mode)".
    "Environment=RESCUE_SERVICE_MODE=1",
    "Restart=on-failure",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

async function _systemctlStart(unitPath: string): Promise<void> {
  const name = unitPath.split("/").pop()!;
  for (const args of [["daemon-reload"], ["start", name]]) {
    const out = await new Deno.Command("systemctl", { args, stdout: "null", stderr: "piped" })
      .output();
    if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr).trim());
  }
}

export function serviceModeHandlers(env: OpEnv, options: ServiceModeOptions = {}): OpHandlers {
  const strings = agentStrings(options.language ?? osLanguage()).unattendedRequest;
  return {
    "service.restart": async (_request, context) => {
      if (env.os !== "linux") {
        throw new OpFailure("not_available", "Service mode is built for Linux (systemd) only");
      }
      if (!(await context.confirm(strings.serviceConfirm))) {
        throw new OpFailure("declined", "The customer did not confirm at the support app");
      }
      const root = options.root ?? "/";
      const dir = join(root, "etc", "systemd", "system");
      const unitPath = join(dir, SESSION_UNIT);
      const link = new URL(`/s/${env.token}`, env.serverUrl).href;
      const command = relaunchCommand(link, env.dataDir, options.launched ?? launchedAs());
      try {
        await Deno.mkdir(dir, { recursive: true });
        await Deno.writeTextFile(unitPath, sessionUnit(command, Deno.env.get("DISPLAY")), {
          mode: 0o644,
        });
      } catch (error) {
        throw new OpFailure("install_failed", `Could not write the service: ${_message(error)}`);
      }
      const device = await readDeviceId(env.dataDir);
      context.emit({ stage: "restarting", deviceId: device });
      console.log(strings.serviceRestarting);
      await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 500));
      try {
        await (options.start ?? _systemctlStart)(unitPath, command);
      } catch (error) {
        await Deno.remove(unitPath).catch(() => {});
        throw new OpFailure("start_failed", _message(error));
      }
      context.log(`handed over to the service ${unitPath}`);
      // The service joins with the same device id; this process goes once the answer left.
      setTimeout(() => (options.leave ?? (() => Deno.exit(0)))(), 300);
      return { deviceId: device, unit: unitPath.slice(0, 500) };
    },
  };
}

function _message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}
