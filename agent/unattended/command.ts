/**
 * `agent --unattended status|revoke --config <file>`: the customer's own view of unattended
 * access on this computer, and the way to end it. Both prove the device key to the server
 * (a one-time challenge, signed); `revoke` makes the server revoke every grant and remove the
 * device (audited as the customer's act), then forgets the key here and wipes the customer's
 * stored OS credentials, so the computer can no longer be reached even if the service keeps
 * running. The service's window offers the same revoke (`revokeHere`).
 */
import {
  deviceProofText,
  type DevicePurpose,
  type DeviceStatus,
  DeviceStatusSchema,
} from "../../protocol/mod.ts";
import { base64url } from "../consent.ts";
import { deviceId, osLanguage } from "../identity.ts";
import { agentStrings, fill } from "../strings.ts";
import { loadDeviceKey, removeDeviceKey } from "./device_key.ts";
import { removeSealingKey } from "./sealing_key.ts";
import { readServiceConfig, SERVICE_NAME, type ServiceConfig } from "./installer.ts";
import { fileVault } from "./credentials.ts";

/** Who is connected now, while someone is (the service writes it; `status` reads it). */
export const ACTIVE_FILE = "unattended-active.json";
/** The service window's address (secret path), readable by the service's account only. */
export const WINDOW_FILE = "unattended-window.url";

async function _proven(server: string, dir: string, purpose: DevicePurpose, body?: object) {
  const key = await loadDeviceKey(dir);
  if (!key) return null;
  const id = await deviceId(dir);
  const post = (path: string, json: unknown) =>
    fetch(new URL(path, server), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(json),
    });
  const challenge = await post("/agent/device/challenge", { deviceId: id });
  if (!challenge.ok) throw new Error(`The server refused (${challenge.status})`);
  const { nonce } = await challenge.json() as { nonce: string };
  const signature = await key.sign(
    new TextEncoder().encode(deviceProofText(purpose, id, nonce)),
  );
  const response = await post(`/agent/device/${purpose}`, {
    deviceId: id,
    nonce,
    signature: base64url(signature),
    ...body,
  });
  if (!response.ok) throw new Error(`The server refused (${response.status})`);
  return await response.json();
}

/**
 * Revokes unattended access on this computer: the server revokes every grant and removes the
 * device (key-proven), then the keys and the stored credentials are wiped here. Null when it
 * was never set up here; the number of grants withdrawn otherwise.
 */
export async function revokeHere(config: ServiceConfig): Promise<number | null> {
  // The credentials go first: whatever the server answers, the customer wanted them gone.
  await fileVault(config.stateDir).clear();
  const answer = await _proven(config.server, config.stateDir, "revoke") as
    | { revoked: number }
    | null;
  if (!answer) return null;
  await removeDeviceKey(config.stateDir);
  await removeSealingKey(config.stateDir);
  return answer.revoked;
}

/** Runs the command; returns the exit code. `print` gets each line for the customer. */
export async function runUnattendedCommand(
  action: string,
  configPath: string,
  print: (line: string) => void = console.log,
): Promise<number> {
  const strings = agentStrings(osLanguage()).unattendedService;
  const config = await readServiceConfig(configPath);
  if (action === "status") {
    const answer = await _proven(config.server, config.stateDir, "status");
    if (!answer) {
      print(strings.notSetUp);
      return 0;
    }
    const status: DeviceStatus = DeviceStatusSchema.parse(answer);
    if (status.removed || status.grants.length === 0) print(strings.noAccess);
    for (const grant of status.grants) {
      print(fill(strings.grant, { technician: grant.technician, window: grant.window }));
    }
    const active = await Deno.readTextFile(`${config.stateDir}/${ACTIVE_FILE}`)
      .then((text) => JSON.parse(text) as { technician: string }).catch(() => null);
    print(
      active ? fill(strings.connectedNow, { technician: active.technician }) : strings.nobodyNow,
    );
    const window = await Deno.readTextFile(`${config.stateDir}/${WINDOW_FILE}`).catch(() => "");
    if (window.trim()) print(fill(strings.window, { url: window.trim() }));
    for (const connection of status.lastConnections) {
      print(fill(strings.lastConnection, connection));
    }
    return 0;
  }
  if (action === "revoke") {
    const revoked = await revokeHere(config);
    if (revoked === null) {
      print(strings.notSetUp);
      return 0;
    }
    print(fill(strings.revoked, { count: String(revoked) }));
    // The service itself stops once its device is removed; what stays is its registration.
    print(
      fill(Deno.build.os === "windows" ? strings.removeService : strings.removeUnit, {
        unit: SERVICE_NAME,
      }),
    );
    return 0;
  }
  print(strings.usage);
  return 2;
}
