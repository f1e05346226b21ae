/**
 * The device's unattended layer as the request's install operation uses it
 * (`UnattendedPorts`, request_handlers.ts): the device key, the installer of this OS (its
 * root directory injectable, so tests install under a temporary root), the host name, the
 * credential vault in the data folder and — when the agent has a window — the credentials
 * form in it.
 */
import type { OpEnv } from "../ops/mod.ts";
import { fileVault } from "./credentials.ts";
import { deviceKey } from "./device_key.ts";
import { agentCommand, installerFor, trustEnvironment } from "./installer.ts";
import type { UnattendedPorts } from "./request_handlers.ts";

export function unattendedPorts(
  env: Pick<OpEnv, "os" | "dataDir">,
  options: {
    root?: string;
    command?: string[];
    display?: string;
    askCredentials?: UnattendedPorts["askCredentials"];
  } = {},
): UnattendedPorts {
  const installer = installerFor(env.os, options.root ?? "/");
  return {
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
