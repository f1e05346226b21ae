import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditActions, startTestApp, type TestApp } from "../../tests/support/app.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import {
  agentReturned,
  customerConnected,
  type Entry,
  findByToken,
  fireDueDeadlines,
  holdSession,
  readLog,
  rebootAnnounced,
  rebooting,
  rebootNotDone,
  rebootRequested,
  technicianChat,
} from "./mod.ts";
import { customerLost, queueEntries } from "./test_support.ts";

const DEVICE = "device-of-carol-1";

async function statuses(t: TestApp, sessionId: string): Promise<[string, string | null][]> {
  const rows: Entry[] = await t.deps.db.select().from(queueEntries)
    .where(eq(queueEntries.sessionId, sessionId));
  return rows.map((r) => [r.status, r.previous]);
}

async function events(t: TestApp, sessionId: string): Promise<string[]> {
  return (await readLog(t.deps.db, sessionId)).filter((l) => l.kind === "event")
    .map((l) => l.body);
}

Deno.test("rebootAnnounced() takes Active to Rebooting and agentReturned() of the same device back", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann);
    await technicianChat(t.deps, ann, session.id, "Restarting to apply the update");
    await rebootRequested(t.deps, session.id, ann, "normal");
    assert.deepEqual(await statuses(t, session.id), [["active", null]], "asking is not restarting");
    await rebootAnnounced(t.deps, session.id, { mode: "normal", deviceId: DEVICE, by: ann });
    assert.deepEqual(await statuses(t, session.id), [["rebooting", "active"]]);
    assert.equal(await rebooting(t.deps.db, session.id), true);

    // The agent and the page go away: the grace ends, but the session stays Rebooting.
    assert.equal(await customerLost(t.deps, session.id), false);
    assert.deepEqual(await statuses(t, session.id), [["rebooting", "active"]]);
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "connected");

    // Another device with the link does not end the restart; the same device does.
    assert.equal(await agentReturned(t.deps, session.id, "some-other-device"), false);
    assert.deepEqual(await statuses(t, session.id), [["rebooting", "active"]]);
    assert.equal(await agentReturned(t.deps, session.id, DEVICE), true);
    assert.deepEqual(await statuses(t, session.id), [["active", null]]);
    assert.equal(await agentReturned(t.deps, session.id, DEVICE), false, "only once");

    const log = await readLog(t.deps.db, session.id);
    assert.ok(log.some((l) => l.kind === "chat" && l.body === "Restarting to apply the update"));
    assert.deepEqual(
      log.filter((l) => l.kind === "status").slice(-2).map((l) => [l.data.from, l.data.to]),
      [["active", "rebooting"], ["rebooting", "active"]],
    );
    assert.deepEqual(
      (await events(t, session.id)).filter((b) => b.startsWith("log.reboot")),
      ["log.rebootRequested.normal", "log.rebootStarted", "log.rebootBack"],
    );
    const audit = await auditActions(t.deps);
    assert.ok(audit.includes("session.reboot_requested"));
    assert.ok(audit.includes("session.rebooted"));
  } finally {
    await t.close();
  }
});

Deno.test("a session Rebooting for 5 minutes goes Offline, and back to On hold when the device returns", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann);
    await holdSession(t.deps, ann, session.id);
    await rebootAnnounced(t.deps, session.id, { mode: "forced", deviceId: DEVICE, by: ann });
    assert.deepEqual(await statuses(t, session.id), [["rebooting", "on_hold"]]);
    t.clock.advance(5 * 60_000 - 1_000);
    assert.equal(await fireDueDeadlines(t.deps), 0, "not before 5 minutes");
    assert.deepEqual(await statuses(t, session.id), [["rebooting", "on_hold"]]);
    t.clock.advance(1_000);
    assert.equal(await fireDueDeadlines(t.deps), 1);
    assert.deepEqual(await statuses(t, session.id), [["offline", "on_hold"]]);
    // Offline now: the customer's missing connection may be called lost.
    assert.equal(await customerLost(t.deps, session.id), true);
    assert.deepEqual(await statuses(t, session.id), [["offline", "on_hold"]]);

    t.clock.advance(60_000);
    assert.equal(await agentReturned(t.deps, session.id, DEVICE), true);
    assert.deepEqual(await statuses(t, session.id), [["on_hold", null]]);
    await customerConnected(t.deps, (await findByToken(t.deps, session.token))!);
    assert.deepEqual(await statuses(t, session.id), [["on_hold", null]]);
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "connected");
  } finally {
    await t.close();
  }
});

Deno.test("rebootNotDone() logs a declined restart and puts back a session whose restart failed", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann);
    await rebootRequested(t.deps, session.id, ann, "normal");
    await rebootNotDone(t.deps, session.id, { code: "declined", reason: "not confirmed" });
    assert.deepEqual(await statuses(t, session.id), [["active", null]]);

    await rebootAnnounced(t.deps, session.id, { mode: "normal", deviceId: DEVICE, by: ann });
    await rebootNotDone(t.deps, session.id, { code: "reboot_failed", reason: "Access denied" });
    assert.deepEqual(await statuses(t, session.id), [["active", null]]);
    assert.equal(await rebooting(t.deps.db, session.id), false);
    assert.equal(await agentReturned(t.deps, session.id, DEVICE), false, "nothing pending");
    const log = await readLog(t.deps.db, session.id);
    const failed = log.find((l) => l.body === "log.rebootFailed")!;
    assert.equal(failed.data.reason, "Access denied");
    assert.deepEqual(
      (await events(t, session.id)).filter((b) => b.startsWith("log.reboot")),
      [
        "log.rebootRequested.normal",
        "log.rebootDeclined",
        "log.rebootStarted",
        "log.rebootFailed",
      ],
    );
  } finally {
    await t.close();
  }
});
