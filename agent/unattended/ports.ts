/**
 * The device's unattended layer as the request's install operation uses it
 * (`UnattendedPorts`, request_handlers.ts): the device key, the installer of this OS (its
 * root directory injectable, so tests install under a temporary root), the host name, the
 * credential vault in the data folder and — when the agent has a window — the credentials
 * form in it. On Windows the device's files are the service's own, in `%ProgramData%\RemoteSupport`
 * (windows_installer.ts), locked to SYSTEM and the Administrators before anything is written.
 */
import type { OpEnv } from "../ops/mod.ts";
import { fileVault } from "./credentials.ts";
import { deviceKey } from "./device_key.ts";
import { agentCommand, installerFor, trustEnvironment } from "./installer.ts";
import type { UnattendedPorts } from "./request_handlers.ts";
import { WindowsServiceInstaller } from "./windows_installer.ts";

/** The Windows service's refusal of kept credentials (request_handlers.ts `noCredentials`). */
export const WINDOWS_NO_CREDENTIALS =
  "The Windows service does not sign in (it shows the desktop of the user signed in at the console), so it keeps no credentials";

export function unattendedPorts(
  env: Pick<OpEnv, "os" | "dataDir">,
  options: {
    root?: string;
    command?: string[];
    display?: string;
    askCredentials?: UnattendedPorts["askCredentials"];
    /** Who runs this app (tests; else `Deno.uid()`). */
    uid?: () => number | null;
  } = {},
): UnattendedPorts {
  if (env.os === "windows" && !options.root) return _windowsPorts(options);
  const installer = installerFor(env.os, options.root ?? "/");
  return {
    // A real install writes /etc/systemd/system, /opt and /usr/local/bin: root only. Said up
    // front (the technician reads to start the app with sudo), not as a failure at the end.
    ...(env.os === "linux" && !options.root
      ? {
        unavailable: () => ((options.uid ?? Deno.uid)() === 0 ? null : "not_elevated" as const),
      }
      : {}),
    deviceKey: () => deviceKey(env.dataDir),
    installService: ({ serverUrl, dataDir, tools }) =>
      installer.install({
        server: serverUrl,
        stateDir: dataDir,
        tools: [...tools],
        command: options.command ?? agentCommand(),
        display: options.display ?? Deno.env.get("DISPLAY"),
        trust: trustEnvironment(),
      }),
    askCredentials: options.askCredentials,
    vault: fileVault(env.dataDir),
    hostname: () => Deno.hostname(),
  };
}

function _windowsPorts(options: { command?: string[] }): UnattendedPorts {
  const installer = new WindowsServiceInstaller();
  const vault = fileVault(installer.dir);
  return {
    stateDir: installer.dir,
    unavailable: () => installer.available ? null : "not_elevated",
    deviceKey: async () => {
      await installer.prepareFolder();
      return await deviceKey(installer.dir);
    },
    installService: ({ serverUrl, tools }) =>
      installer.install({
        server: serverUrl,
        stateDir: installer.dir,
        tools: [...tools],
        command: options.command ?? agentCommand(),
        trust: trustEnvironment(),
      }),
    noCredentials: WINDOWS_NO_CREDENTIALS,
    vault: {
      ...vault,
      store: async (credentials, untilAt) => {
        await installer.prepareFolder();
        await vault.store(credentials, untilAt);
      },
    },
    hostname: () => Deno.hostname(),
  };
}
