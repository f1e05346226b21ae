// A flood of forged device proofs on the real `/agent/device` socket (issue 19): every attempt
// is refused, but the audit log gets a bounded handful of entries per address, each with the
// window's count so far, and the next window's first entry the exact count of the flood.
// Nothing else changes: no device, grant or challenge row appears or moves.
import assert from "node:assert/strict";
import { servedAppTest } from "../../tests/support/sockets.ts";
import { technician } from "../../tests/support/sessions.ts";
import { auditLog } from "../audit/mod.ts";
import {
  Channel,
  type DeviceAgentMessage,
  type DeviceServerMessage,
  DeviceServerMessageSchema,
} from "../../protocol/mod.ts";
import { base64url } from "../../agent/consent.ts";
import { deviceChallenges, devices, unattendedGrants } from "./schema.ts";
import { deviceWithGrant } from "./test_fixtures.ts";

/** One forged attempt: hello as `deviceId`, a random signature over the challenge. */
async function forgedAttempt(port: number, deviceId: string): Promise<string> {
  const channel = new Channel<DeviceServerMessage, DeviceAgentMessage>(DeviceServerMessageSchema);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/agent/device`);
  const refused = Promise.withResolvers<string>();
  ws.onmessage = (event) => {
    const decoded = channel.decode(event.data);
    if (!decoded.ok) return refused.reject(new Error(decoded.reason));
    const message = decoded.message;
    if (message.type === "challenge") {
      const signature = base64url(crypto.getRandomValues(new Uint8Array(64)));
      ws.send(channel.encode({ type: "deviceProof", signature }));
    } else if (message.type === "deviceRefused") refused.resolve(message.code);
    else refused.reject(new Error(`not refused: ${message.type}`));
  };
  ws.onopen = () =>
    ws.send(channel.encode({
      type: "deviceHello",
      deviceId,
      os: "linux",
      name: "attacker",
      agentVersion: "x",
    }));
  ws.onerror = () => refused.reject(new Error("socket error"));
  const closed = new Promise((resolve) => ws.addEventListener("close", resolve));
  try {
    return await refused.promise;
  } finally {
    await closed;
  }
}

servedAppTest(
  "/agent/device: 200 forged proofs are all refused, audited as a few rows with the count",
  async (t, port) => {
    const ann = await technician(t, {
      permissions: ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"],
    });
    await deviceWithGrant(t, ann);
    // In key order: PostgreSQL returns rows in any order without one.
    const snapshot = async () => ({
      devices: await t.deps.db.select().from(devices).orderBy(devices.id),
      grants: await t.deps.db.select().from(unattendedGrants).orderBy(unattendedGrants.id),
      challenges: await t.deps.db.select().from(deviceChallenges).orderBy(deviceChallenges.nonce),
    });
    const before = await snapshot();
    const refusals = async () =>
      (await t.deps.db.select().from(auditLog))
        .filter((row) => row.action === "unattended.device_refused")
        .map((row) => ({ orgId: row.orgId, ip: row.ip, ...(row.details as object) })) as {
          orgId: string | null;
          ip: string | null;
          code: string;
          count: number;
          previousWindowCount?: number;
        }[];

    // 200 attempts, 20 at a time, each claiming another unknown device id.
    const codes: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      codes.push(
        ...await Promise.all(
          Array.from({ length: 20 }, () => forgedAttempt(port, `forged-${crypto.randomUUID()}`)),
        ),
      );
    }
    assert.equal(codes.length, 200);
    assert.deepEqual([...new Set(codes)], ["unknown_device"], "every attempt refused");
    const rows = await refusals();
    assert.deepEqual(rows.map((r) => r.count).sort((a, b) => a - b), [1, 10, 100]);
    assert.ok(rows.every((r) => r.orgId === null && r.ip === "127.0.0.1"));

    // The next window: its first refusal is audited again, with the flood's exact count.
    t.clock.advance(10 * 60_000);
    assert.equal(await forgedAttempt(port, "forged-after-the-window"), "unknown_device");
    const after = await refusals();
    assert.equal(after.length, 4);
    const latest = after.find((r) => r.previousWindowCount !== undefined);
    assert.equal(latest?.count, 1);
    assert.equal(latest?.previousWindowCount, 200);
    assert.deepEqual(await snapshot(), before, "nothing else changed");
  },
);
