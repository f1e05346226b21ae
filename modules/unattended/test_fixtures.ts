/**
 * Test fixtures: a device with a real Ed25519 key made the way the agent makes it
 * (agent/unattended/device_key.ts, in a temporary config folder), registered and given a
 * grant through the service functions — as the request flow would after the customer's
 * approval.
 */
import type { TestApp } from "../../tests/support/app.ts";
import type { CurrentUser } from "../http/mod.ts";
import { randomToken } from "../tokens/mod.ts";
import { type DeviceKey, deviceKey } from "../../agent/unattended/device_key.ts";
import { deviceId as agentDeviceId } from "../../agent/identity.ts";
import { createGrant, type Device, type Grant, registerDevice } from "./devices.ts";
import type { AccessWindow } from "./schema.ts";
import type { ApprovalTool } from "../../protocol/unattended_request.ts";

/** Monday to Friday 09:00–17:00 in Amsterdam. */
export const OFFICE_HOURS: { window: AccessWindow; timeZone: string } = {
  window: { kind: "daily", startMinute: 9 * 60, endMinute: 17 * 60, weekdays: [1, 2, 3, 4, 5] },
  timeZone: "Europe/Amsterdam",
};

export async function deviceWithGrant(
  t: TestApp,
  owner: CurrentUser,
  options: {
    dir?: string;
    name?: string;
    window?: AccessWindow;
    timeZone?: string;
    sharedUserIds?: string[];
    /** The tools the customer left ticked (default: all). */
    tools?: ApprovalTool[];
    os?: "linux" | "windows";
  } = {},
): Promise<{ device: Device; grant: Grant; key: DeviceKey; dir: string; deviceId: string }> {
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "rescue-device-" });
  const key = await deviceKey(dir);
  const deviceId = await agentDeviceId(dir);
  const device = await registerDevice(t.deps, {
    orgId: owner.orgId,
    deviceId,
    name: options.name ?? "reception-pc",
    os: options.os ?? "linux",
    publicKey: key.publicKey,
  }, { userId: owner.id });
  const grant = await createGrant(t.deps, {
    orgId: owner.orgId,
    deviceRef: device.id,
    ownerUserId: owner.id,
    sharedUserIds: options.sharedUserIds ?? [],
    authMode: "ask_each_time",
    window: options.window ?? OFFICE_HOURS.window,
    timeZone: options.timeZone ?? OFFICE_HOURS.timeZone,
    approvedAt: t.clock.now(),
    approvalSignature: "test-signature",
    approvalNonce: randomToken(16),
    tools: options.tools,
  });
  return { device, grant, key, dir, deviceId };
}
