/**
 * Restarting a Windows computer (SPEC R8): `shutdown /r /t 0` (forced: `/f`, which closes
 * programs without waiting for them to save; safe: `/o`, which restarts into the Advanced
 * startup menu, where the customer picks Startup Settings → 5 "Safe Mode with Networking" —
 * Windows has no command that picks it for one boot without an administrator's bcdedit). The
 * session resumes from a RunOnce value of the customer's own HKCU (named with a leading "*" so
 * Windows runs it in safe mode too), written and removed with reg.exe (argument arrays, never
 * a shell); Windows deletes a RunOnce value as it runs it. The commands are checked by
 * windows_reboot_test; no Windows computer has been restarted by them here (Wine has no
 * restart).
 */
import { REBOOT_MODES } from "../../protocol/reboot.ts";
import { type RebootOs, type RunCommand, runCommand } from "./layer.ts";

export const RUN_ONCE = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce";
/** The value's name: "*" runs it in safe mode as well. */
export const RUN_ONCE_VALUE = "*RescueAgentResume";

/**
 * One argument as CommandLineToArgvW and the C runtime read it back: quoted when it holds a
 * space, a tab or a quote (or is empty), its quotes escaped and the backslashes before them and
 * before the closing quote doubled.
 */
export function quoteArgument(arg: string): string {
  if (arg !== "" && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const char of arg) {
    if (char === "\\") {
      slashes++;
      continue;
    }
    if (char === '"') {
      out += "\\".repeat(slashes * 2 + 1) + '"';
    } else {
      out += "\\".repeat(slashes) + char;
    }
    slashes = 0;
  }
  return out + "\\".repeat(slashes * 2) + '"';
}

/** A program and its arguments as one Windows command line (what a RunOnce value holds). */
export function commandLine(command: readonly string[]): string {
  return command.map(quoteArgument).join(" ");
}

export function windowsReboot(options: { run?: RunCommand } = {}): RebootOs {
  const run = options.run ?? runCommand;
  const reg = async (args: string[]) => {
    const { code, stderr } = await run("reg.exe", args);
    return { code, stderr };
  };
  return {
    modes: REBOOT_MODES.map((mode) => ({ mode, available: true, unavailable: null })),
    async installAutostart(command) {
      // The command's paths are absolute (relaunchCommand), so the folder it starts in (a
      // RunOnce value has none of its own) does not matter.
      const { code, stderr } = await reg([
        "add",
        RUN_ONCE,
        "/v",
        RUN_ONCE_VALUE,
        "/t",
        "REG_SZ",
        "/d",
        commandLine(command),
        "/f",
      ]);
      if (code !== 0) throw new Error(stderr || `reg add ${RUN_ONCE} exited with ${code}`);
      return `${RUN_ONCE}\\${RUN_ONCE_VALUE}`;
    },
    async removeAutostart(path) {
      const at = path.lastIndexOf("\\");
      // Gone already (Windows removes it as it runs it): reg answers 1, which is fine.
      await reg(["delete", path.slice(0, at), "/v", path.slice(at + 1), "/f"]);
    },
    async restart(mode) {
      const args = mode === "normal"
        ? ["/r", "/t", "0"]
        : mode === "forced"
        ? ["/r", "/f", "/t", "0"]
        : ["/r", "/o", "/t", "0"];
      const { code, stderr } = await run("shutdown.exe", args);
      if (code !== 0) {
        throw new Error(stderr || `shutdown ${args.join(" ")} exited with ${code}`);
      }
    },
  };
}
