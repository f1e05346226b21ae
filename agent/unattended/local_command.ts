/**
 * The customer's own command for unattended access (`--unattended status|revoke`, command.ts),
 * installed with the service so that the command the consent question names exists and works:
 * on Linux `remote-support` in /usr/local/bin (on every user's PATH), on Windows
 * `remote-support.cmd` in the service's folder (`%ProgramData%\RemoteSupport`, readable by the
 * Administrators only — so it is run as administrator, as the service's files need). Either runs
 * the installed agent with the service's config and the certificate trust the service has.
 */
import { commandLine } from "../reboot/windows.ts";

export const LOCAL_COMMAND = "remote-support";
export const LINUX_COMMAND_PATH = `/usr/local/bin/${LOCAL_COMMAND}`;
export const WINDOWS_COMMAND_FILE = `${LOCAL_COMMAND}.cmd`;

/** What the consent question tells the customer to run to revoke (`dir`: the Windows folder). */
export function revokeCommand(os: string, dir = ""): string {
  return os === "windows"
    ? `"${dir}\\${WINDOWS_COMMAND_FILE}" --unattended revoke`
    : `${LOCAL_COMMAND} --unattended revoke`;
}

function _sh(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The Linux command: a shell script running `command` with the customer's words and the config. */
export function linuxCommandScript(
  command: readonly string[],
  configPath: string,
  trust: Record<string, string> = {},
): string {
  return [
    "#!/bin/sh",
    "# Remote support: your own view of unattended access on this computer, and the way to end it.",
    `#   ${LOCAL_COMMAND} --unattended status    who may connect, who is connected`,
    `#   ${LOCAL_COMMAND} --unattended revoke    nobody may connect any more`,
    ...Object.entries(trust).map(([name, value]) => `export ${name}=${_sh(value)}`),
    `exec ${command.map(_sh).join(" ")} "$@" --config ${_sh(configPath)}`,
    "",
  ].join("\n");
}

/** cmd.exe expands %…% even inside quotes: a literal percent sign is written twice. */
function _cmd(text: string): string {
  return text.replaceAll("%", "%%");
}

/** The Windows command: a .cmd file doing the same (CRLF lines, as cmd.exe expects). */
export function windowsCommandScript(
  command: readonly string[],
  configPath: string,
  trust: Record<string, string> = {},
): string {
  return [
    "@echo off",
    "rem Remote support: your own view of unattended access on this computer, and the way to end it.",
    `rem Run as administrator:  ${WINDOWS_COMMAND_FILE} --unattended status   or   --unattended revoke`,
    "setlocal",
    "set DENO_NO_UPDATE_CHECK=1",
    ...Object.entries(trust).map(([name, value]) => `set "${name}=${_cmd(value)}"`),
    `${_cmd(commandLine([...command]))} %* --config ${_cmd(commandLine([configPath]))}`,
    "",
  ].join("\r\n");
}
