/**
 * Restarting the computer, one layer per OS (issue 17): which modes the OS has, how to start
 * the agent again once the customer is back, and the restart itself. Commands are argument
 * arrays (Deno.Command), never a shell line. Linux is built; Windows (windows.ts: shutdown.exe
 * and a RunOnce value, its commands unit-tested but never run on a real Windows here); macOS
 * says "not built" for every mode rather than guess at commands nobody has run.
 */
import { REBOOT_MODES } from "../../protocol/reboot.ts";
import { desktopEntry } from "./desktop_entry.ts";
import { windowsReboot } from "./windows.ts";

export { type ModeInfo, type RebootOs, type RunCommand, runCommand } from "./layer.ts";
import { type RebootOs, type RunCommand, runCommand } from "./layer.ts";

/** The entry's file name: one pending resume per user at a time. */
export const AUTOSTART_FILE = "rescue-agent-resume.desktop";

export interface LinuxRebootOptions {
  /** $XDG_CONFIG_HOME, else $HOME/.config (the autostart folder is under it). */
  configHome?: string;
  run?: RunCommand;
  /** Whether the agent runs as root (then the forced restart skips the service shutdown). */
  root?: boolean;
}

/**
 * Linux (systemd): `systemctl reboot` asks logind, which lets the signed-in user of the seat
 * restart; the forced restart ignores the programs that delay or block it (inhibitors) — as
 * root `systemctl reboot --force` goes further and skips stopping services. There is no safe
 * mode with networking: the rescue target has neither network nor desktop, so the agent could
 * not come back from it, and it is not offered. Resuming: an XDG autostart entry, run by the
 * desktop session when the customer signs in.
 */
export function linuxReboot(options: LinuxRebootOptions = {}): RebootOs {
  const run = options.run ?? runCommand;
  const configHome = options.configHome ?? _configHome();
  const root = options.root ?? _isRoot();
  return {
    modes: REBOOT_MODES.map((mode) =>
      mode === "safe"
        ? { mode, available: false, unavailable: "no_safe_mode" as const }
        : { mode, available: true, unavailable: null }
    ),
    async installAutostart(command, cwd) {
      const dir = `${configHome}/autostart`;
      await Deno.mkdir(dir, { recursive: true });
      const path = `${dir}/${AUTOSTART_FILE}`;
      // It holds the session link: readable by the customer's account only.
      await Deno.writeTextFile(
        path,
        desktopEntry({
          name: "Rescue support app",
          comment: "Resumes the support session after the restart",
          exec: command,
          path: cwd,
        }),
        { mode: 0o600 },
      );
      await Deno.chmod(path, 0o600);
      return path;
    },
    async removeAutostart(path) {
      await Deno.remove(path).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    },
    async restart(mode) {
      if (mode === "safe") throw new Error("Linux has no safe mode with networking");
      const args = mode === "normal"
        ? ["reboot"]
        : root
        ? ["reboot", "--force"]
        : ["reboot", "--ignore-inhibitors"];
      const { code, stderr } = await run("systemctl", args);
      if (code !== 0) {
        throw new Error(stderr || `systemctl ${args.join(" ")} exited with ${code}`);
      }
    },
  };
}

/** An OS whose reboot layer is not built: every mode says so, nothing is written or run. */
export function unbuiltReboot(): RebootOs {
  const refuse = () => Promise.reject(new Error("Restarting is not built for this system yet"));
  return {
    modes: REBOOT_MODES.map((mode) => ({ mode, available: false, unavailable: "not_built" })),
    installAutostart: refuse,
    removeAutostart: () => Promise.resolve(),
    restart: refuse,
  };
}

/**
 * The reboot layer of `os` (Windows: shutdown /r and a RunOnce value, windows.ts; macOS: a
 * LaunchAgent — not built yet). `RESCUE_AGENT_RESTART=exit` (tests and demonstrations) keeps everything of a
 * restart — the customer's confirmation, the autostart entry and record, the Rebooting
 * status — except the restart itself: the agent exits instead, as if it had gone down with
 * the computer; starting it the way the autostart entry says brings it back.
 */
export function rebootOsFor(
  os: "linux" | "windows" | "darwin",
  options: { restart?: string; exit?: (code: number) => void } = {},
): RebootOs {
  const layer = os === "linux"
    ? linuxReboot()
    : os === "windows"
    ? windowsReboot()
    : unbuiltReboot();
  const restart = options.restart ?? _env("RESCUE_AGENT_RESTART");
  if (restart !== "exit") return layer;
  const exit = options.exit ?? Deno.exit;
  return {
    ...layer,
    restart: () => {
      exit(0);
      return Promise.resolve();
    },
  };
}

function _env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function _configHome(): string {
  const env = (name: string) => Deno.env.get(name) ?? "";
  return env("XDG_CONFIG_HOME") || `${env("HOME")}/.config`;
}

function _isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}
