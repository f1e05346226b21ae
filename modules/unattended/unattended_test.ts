/**
 * The service surface over a real database: grants (replayed approvals, the two-week rule),
 * the device key proof (forged key, unknown and removed devices), Connect inside and outside
 * the window, the approval and ticket workflows, and removing access — each refusal audited,
 * nothing else changed.
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { makeGroup } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { auditLog } from "../audit/mod.ts";
import { defaultGroupSettings, technicianGroups } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { loadSession, supportSessions } from "../support/mod.ts";
import { liveRows } from "../support/test_support.ts";
import { deviceKey } from "../../agent/unattended/device_key.ts";
import { base64url } from "../../agent/consent.ts";
import { deviceProofText, type DeviceServerMessage } from "../../protocol/mod.ts";
import { decideApproval, requestApproval } from "./approvals.ts";
import { computersFor } from "./computers.ts";
import { connectUnattended } from "./connect.ts";
import { createGrant, removeAccess } from "./devices.ts";
import { deviceHub } from "./device_hub.ts";
import { newNonce, verifyDeviceHello } from "./device_proof.ts";
import { devices, unattendedConnections, unattendedGrants } from "./schema.ts";
import { deviceWithGrant } from "./test_fixtures.ts";

const withApp = (name: string, fn: (t: TestApp) => Promise<void>) =>
  Deno.test(name, async () => {
    const t = await startTestApp();
    try {
      await fn(t);
    } finally {
      await t.close();
    }
  });

const audits = async (t: TestApp, action: string) =>
  (await t.deps.db.select().from(auditLog).orderBy(auditLog.id)).filter((row) =>
    row.action === action
  );

async function refusal(work: Promise<unknown>): Promise<Refusal> {
  try {
    await work;
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

/** A fake device socket in this app's hub: what the server sends it. */
function onlineHere(t: TestApp, deviceRef: string): DeviceServerMessage[] {
  const sent: DeviceServerMessage[] = [];
  deviceHub(t.deps).attach(deviceRef, {
    send: (m) => sent.push(m),
    close: () => {},
    join: (m) => sent.push({ type: "join", ...m }),
  });
  return sent;
}

const ACCESS = ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"] as const;

/**
 * Everything a refusal must leave as it was (the audit log aside), each table in id order:
 * PostgreSQL returns rows in any order without one.
 */
const snapshot = async (t: TestApp) => ({
  devices: await t.deps.db.select().from(devices).orderBy(devices.id),
  grants: await t.deps.db.select().from(unattendedGrants).orderBy(unattendedGrants.id),
  connections: (await t.deps.db.select().from(unattendedConnections)).length,
  sessions: await t.deps.db.select().from(supportSessions).orderBy(supportSessions.id),
});

withApp(
  "connectUnattended() refuses a window that has ended: the reason, audited, nothing else changed",
  async (t) => {
    const ann = await technician(t, { permissions: [...ACCESS], name: "Ann" });
    // Three days, ended yesterday (the test clock: Tuesday 24 November 2026, 10:00 UTC).
    const { device, grant } = await deviceWithGrant(t, ann, {
      window: { kind: "days", fromAt: "2026-11-20T10:00:00Z", untilAt: "2026-11-23T10:00:00Z" },
    });
    const sent = onlineHere(t, device.id);
    const before = await snapshot(t);
    const expired = await refusal(connectUnattended(t.deps, ann, device.id, t.clock.now()));
    assert.equal(expired.status, 409);
    assert.equal(expired.key, "unattended.refused.expired");
    const [audit] = await audits(t, "unattended.refused");
    assert.deepEqual(audit.details, { reason: "expired", name: "reception-pc", grant: grant.id });
    assert.equal(audit.actorId, ann.id);
    assert.deepEqual(sent, [], "the device was not told to join");
    const after = await snapshot(t);
    assert.deepEqual(after.sessions, before.sessions, "no session");
    assert.deepEqual(after.grants, before.grants);
    assert.deepEqual(after.devices, before.devices);
    // The refusal itself is kept (Computers shows it): one row, with the reason.
    const rows = await t.deps.db.select().from(unattendedConnections);
    assert.deepEqual(rows.map((r) => [r.grantId, r.outcome, r.reason]), [
      [grant.id, "refused", "expired"],
    ]);
  },
);

withApp(
  "createGrant() refuses a replayed approval nonce and a long grant with the customer's credentials",
  async (t) => {
    const ann = await technician(t, { permissions: [...ACCESS] });
    const { device, grant } = await deviceWithGrant(t, ann);
    const replay = await refusal(createGrant(t.deps, {
      orgId: ann.orgId,
      deviceRef: device.id,
      ownerUserId: ann.id,
      authMode: "ask_each_time",
      window: { kind: "unlimited" },
      timeZone: "Europe/Amsterdam",
      approvedAt: t.clock.now(),
      approvalSignature: "x",
      approvalNonce: grant.approvalNonce,
    }));
    assert.equal(replay.status, 409);
    assert.equal(replay.key, "unattended.replayedApproval");
    const tooLong = await refusal(createGrant(t.deps, {
      orgId: ann.orgId,
      deviceRef: device.id,
      ownerUserId: ann.id,
      authMode: "customer_credentials",
      window: {
        kind: "days",
        fromAt: t.clock.now().toISOString(),
        untilAt: "2026-12-24T10:00:00Z",
      },
      timeZone: "Europe/Amsterdam",
      approvedAt: t.clock.now(),
      approvalSignature: "x",
      approvalNonce: "another-nonce",
    }));
    assert.equal(tooLong.key, "unattended.credentialsTooLong");
    assert.equal((await t.deps.db.select().from(unattendedGrants)).length, 1);
  },
);

withApp(
  "verifyDeviceHello() accepts the device key and refuses a forged one, an unknown and a removed device, audited",
  async (t) => {
    const ann = await technician(t, { permissions: [...ACCESS] });
    const { device, key, deviceId } = await deviceWithGrant(t, ann);
    const sign = async (k: typeof key, nonce: string, id = deviceId) =>
      base64url(await k.sign(new TextEncoder().encode(deviceProofText("connect", id, nonce))));
    const nonce = newNonce();
    const good = await verifyDeviceHello(t.deps, {
      deviceId,
      signature: await sign(key, nonce),
      purpose: "connect",
    }, nonce);
    assert.equal(good.ok, true);
    // The right key over another challenge, or for another purpose: refused.
    const stale = await verifyDeviceHello(t.deps, {
      deviceId,
      signature: await sign(key, newNonce()),
      purpose: "connect",
    }, nonce);
    assert.deepEqual(stale.ok ? "ok" : stale.code, "bad_proof");
    // A key made elsewhere, claiming this device's id.
    const forger = await deviceKey(await Deno.makeTempDir({ prefix: "rescue-forger-" }));
    const before = await t.deps.db.select().from(devices).orderBy(devices.id);
    const beforeAll = await snapshot(t);
    const forged = await verifyDeviceHello(t.deps, {
      deviceId,
      signature: await sign(forger, nonce),
      purpose: "connect",
    }, nonce);
    assert.deepEqual(forged.ok ? "ok" : forged.code, "bad_proof");
    const unknown = await verifyDeviceHello(t.deps, {
      deviceId: "not-a-known-device",
      signature: await sign(forger, nonce, "not-a-known-device"),
      purpose: "connect",
    }, nonce);
    assert.deepEqual(unknown.ok ? "ok" : unknown.code, "unknown_device");
    assert.deepEqual(
      await t.deps.db.select().from(devices).orderBy(devices.id),
      before,
      "nothing else changed",
    );
    assert.deepEqual(await snapshot(t), beforeAll, "no grant, connection or session either");
    await removeAccess(t.deps, ann, device.id, "everyone");
    const afterRemoval = await snapshot(t);
    const removed = await verifyDeviceHello(t.deps, {
      deviceId,
      signature: await sign(key, nonce),
      purpose: "connect",
    }, nonce);
    assert.deepEqual(removed.ok ? "ok" : removed.code, "removed");
    assert.deepEqual(await snapshot(t), afterRemoval, "the removed device changes nothing");
    const codes = (await audits(t, "unattended.device_refused")).map((row) =>
      (row.details as { code: string }).code
    );
    // The stale and the forged proof share an address, code and device: one entry, counted
    // (device_flood_test.ts), the second in its count.
    assert.deepEqual(codes.sort(), ["bad_proof", "removed", "unknown_device"]);
  },
);

withApp(
  "connectUnattended() starts an Active session inside the window and refuses outside it, with the reason",
  async (t) => {
    const ann = await technician(t, { permissions: [...ACCESS], name: "Ann" });
    const { device } = await deviceWithGrant(t, ann);
    // Offline: refused, audited.
    const offline = await refusal(connectUnattended(t.deps, ann, device.id, t.clock.now()));
    assert.equal(offline.key, "unattended.refused.offline");
    const sent = onlineHere(t, device.id);
    // Tuesday 24 November 2026, 10:00 UTC = 11:00 in Amsterdam: inside.
    const { session } = await connectUnattended(t.deps, ann, device.id, t.clock.now());
    const stored = await loadSession(t.deps.db, session.id);
    assert.equal(stored.method, "unattended");
    assert.equal(stored.customerState, "connected");
    const rows = await liveRows(t, session.id);
    assert.deepEqual(rows.map((r) => [r.userId, r.status]), [[ann.id, "active"]]);
    assert.deepEqual(sent.map((m) => m.type), ["join"]);
    assert.equal((sent[0] as { token: string }).token, stored.token);
    // 18:30 in Amsterdam: outside the hours; a Saturday: not today.
    const evening = new Date("2026-11-24T17:30:00Z");
    const late = await refusal(connectUnattended(t.deps, ann, device.id, evening));
    assert.equal(late.key, "unattended.refused.outside_hours");
    assert.equal(late.status, 409);
    const saturday = await refusal(
      connectUnattended(t.deps, ann, device.id, new Date("2026-11-28T10:00:00Z")),
    );
    assert.equal(saturday.key, "unattended.refused.not_today");
    assert.equal(sent.length, 1, "no join for a refusal");
    const outcomes = (await t.deps.db.select().from(unattendedConnections)).map((r) =>
      `${r.outcome}:${r.reason}`
    );
    assert.deepEqual(outcomes.sort(), [
      "connected:",
      "refused:not_today",
      "refused:offline",
      "refused:outside_hours",
    ]);
    assert.equal((await audits(t, "unattended.connected")).length, 1);
    assert.equal((await audits(t, "unattended.refused")).length, 3);
  },
);

withApp(
  "connectUnattended() asks for a ticket or another's approval when the group says so",
  async (t) => {
    const group = await makeGroup(t, { permissions: [...ACCESS] });
    const ann = await technician(t, { groupId: group.id, permissions: [...ACCESS], name: "Ann" });
    const bob = await technician(t, { groupId: group.id, permissions: [...ACCESS], name: "Bob" });
    const { device } = await deviceWithGrant(t, ann);
    onlineHere(t, device.id);
    const setMode = (mode: "none" | "approval" | "ticket") =>
      t.deps.db.update(technicianGroups).set({
        settings: { ...defaultGroupSettings(), unattendedApproval: mode },
      })
        .where(eq(technicianGroups.id, group.id));
    await setMode("ticket");
    const noTicket = await refusal(connectUnattended(t.deps, ann, device.id, t.clock.now()));
    assert.equal(noTicket.key, "unattended.refused.ticket_needed");
    const { session } = await connectUnattended(t.deps, ann, device.id, t.clock.now(), {
      ticket: "INC-4711",
    });
    const connected = (await audits(t, "unattended.connected"))[0];
    assert.equal((connected.details as { ticket: string }).ticket, "INC-4711");
    assert.equal(connected.target, session.id);

    await setMode("approval");
    const noApproval = await refusal(connectUnattended(t.deps, ann, device.id, t.clock.now()));
    assert.equal(noApproval.key, "unattended.refused.approval_needed");
    const asked = await requestApproval(t.deps, ann, device.id, "disk full");
    const own = await refusal(decideApproval(t.deps, ann, asked.id, true));
    assert.equal(own.status, 403, "nobody approves their own request");
    await decideApproval(t.deps, bob, asked.id, true);
    await connectUnattended(t.deps, ann, device.id, t.clock.now());
    const again = await refusal(connectUnattended(t.deps, ann, device.id, t.clock.now()));
    assert.equal(again.key, "unattended.refused.approval_needed", "an approval is good once");
  },
);

withApp(
  "removeAccess() just for me keeps the device for the others; for everyone removes it",
  async (t) => {
    const ann = await technician(t, { permissions: [...ACCESS], name: "Ann" });
    const bob = await technician(t, { permissions: [...ACCESS], name: "Bob" });
    const { device } = await deviceWithGrant(t, ann, { sharedUserIds: [bob.id] });
    assert.equal((await computersFor(t.deps, bob)).length, 1);
    const notOwner = await refusal(removeAccess(t.deps, bob, device.id, "everyone"));
    assert.equal(notOwner.status, 403);
    await removeAccess(t.deps, bob, device.id, "me");
    assert.equal((await computersFor(t.deps, bob)).length, 0);
    const [annRow] = await computersFor(t.deps, ann);
    assert.equal(annRow.device.id, device.id);
    assert.equal(annRow.shared, true);
    onlineHere(t, device.id);
    const bobTries = await refusal(connectUnattended(t.deps, bob, device.id, t.clock.now()));
    assert.equal(bobTries.key, "unattended.refused.no_access");
    await removeAccess(t.deps, ann, device.id, "everyone");
    assert.equal((await computersFor(t.deps, ann)).length, 0);
    const [row] = await t.deps.db.select().from(devices).where(and(eq(devices.id, device.id)));
    assert.ok(row.removedAt);
    const next = await refusal(connectUnattended(t.deps, ann, device.id, t.clock.now()));
    assert.equal(next.key, "unattended.refused.revoked");
    assert.equal((await audits(t, "unattended.access_removed")).length, 2);
  },
);
