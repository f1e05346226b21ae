/**
 * `agent --service --config <file>` on Windows: the service the Service Control Manager starts
 * (windows_installer.ts registers it). A service has no console, so what the Linux service
 * prints goes to `service.log` in its folder (beside service.json; the last 1 MiB kept, the
 * one before as `service.log.1`). Run from a console instead (not by the Service Control
 * Manager), the same command runs in that console as on Linux.
 */
import { dirname, join } from "node:path";
import { runService } from "./service_main.ts";
import { runAsWindowsService } from "./windows_service.ts";
import { EXIT_NOT_SET_UP, SERVICE_NAME } from "./installer.ts";
import { fileLog } from "./file_log.ts";

export const SERVICE_LOG = "service.log";

export async function runWindowsService(configPath: string, agentVersion: string) {
  const write = fileLog(join(dirname(configPath), SERVICE_LOG));
  const console_ = { log: console.log, error: console.error };
  const toFile = (...args: unknown[]) =>
    write(args.map((a) => typeof a === "string" ? a : Deno.inspect(a)).join(" "));
  console.log = toFile;
  console.error = toFile;
  const code = await runAsWindowsService(
    SERVICE_NAME,
    // Removed or never set up is systemd's EX_CONFIG; to the Service Control Manager a service
    // with nothing to do stops cleanly (its failure actions restart only a crash anyway).
    (signal) =>
      runService(configPath, agentVersion, { signal }).then((code) =>
        code === EXIT_NOT_SET_UP ? 0 : code
      ),
    (line) => write(`[windows service] ${line}`),
  );
  if (code !== null) return code;
  // Not started by the Service Control Manager: a console run, printed as on Linux.
  console.log = console_.log;
  console.error = console_.error;
  return await runService(configPath, agentVersion);
}
