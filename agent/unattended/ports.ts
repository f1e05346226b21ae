/**
 * The device's unattended layer as the request's install operation uses it
 * (`UnattendedPorts`, request_handlers.ts): the device key, the installer of this OS (its
 * root directory injectable, so tests install under a temporary root), the host name.
 */
import type { OpEnv } from "../ops/mod.ts";
import { deviceKey } from "./device_key.ts";
import { agentCommand, installerFor } from "./installer.ts";
import type { UnattendedPorts } from "./request_handlers.ts";

export function unattendedPorts(
  env: Pick<OpEnv, "os" | "dataDir">,
  options: { root?: string; command?: string[]; display?: string } = {},
): UnattendedPorts {
  const installer = installerFor(env.os, options.root ?? "/");
  return {
    deviceKey: () => deviceKey(env.dataDir),
    installService: ({ serverUrl, dataDir }) =>
      installer.install({
        server: serverUrl,
        stateDir: dataDir,
        command: options.command ?? agentCommand(),
        display: options.display ?? Deno.env.get("DISPLAY"),
      }),
    hostname: () => Deno.hostname(),
  };
}
