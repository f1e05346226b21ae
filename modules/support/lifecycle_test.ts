import assert from "node:assert/strict";
import { and, eq, isNull } from "drizzle-orm";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { technician } from "../../tests/support/sessions.ts";
import { setGroupSettings } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { masterAdmin } from "../../tests/support/org.ts";
import {
  createPrivateSession,
  customerConnected,
  customerLeft,
  endSession,
  type Entry,
  findByToken,
  fireDueDeadlines,
  holdSession,
  readLog,
  returnTransfer,
  startSession,
  technicianChat,
  transferSession,
} from "./mod.ts";
import { customerLost, queueEntries } from "./test_support.ts";

async function rows(t: TestApp, sessionId: string): Promise<Entry[]> {
  return await t.deps.db.select().from(queueEntries).where(eq(queueEntries.sessionId, sessionId))
    .orderBy(queueEntries.createdAt);
}

const online = () => Promise.resolve(true);

Deno.test("a PIN session goes Connecting → Waiting → Active → transfer → Hold → Closed → Removed", async () => {
  const t = await startTestApp();
  try {
    const a = await technician(t, { name: "Ann" });
    const b = await technician(t, { groupId: a.groupId!, name: "Bob" });
    const events: string[] = [];
    t.deps.live.subscribe(a.orgId, (e) => events.push(e.kind));
    const created = await createPrivateSession(t.deps, a, {
      method: "pin",
      customerName: "Carol",
      fields: {},
    });
    assert.match(created.session.pin!, /^\d{6}$/);
    assert.match(created.link, /\/s\/[A-Za-z0-9_-]{32}$/);
    const session = (await findByToken(t.deps, created.session.token))!;
    await customerConnected(t.deps, session);
    assert.deepEqual((await rows(t, session.id)).map((r) => r.status), ["waiting"]);
    // The PIN stays with the session (the support app joins with it); it goes when it ends.
    assert.equal((await findByToken(t.deps, session.token))!.pin, created.session.pin);

    await startSession(t.deps, a, session.id);
    await technicianChat(t.deps, a, session.id, "Hello Carol");
    t.clock.advance(1_000); // the transfer's row is younger than the session's own
    await transferSession(
      t.deps,
      a,
      session.id,
      { kind: "technician", id: b.id },
      "printer",
      online,
    );
    let r = await rows(t, session.id);
    assert.deepEqual(r.map((x) => [x.userId, x.status]), [[a.id, "outgoing"], [b.id, "incoming"]]);
    assert.equal(r[1].note, "printer");
    await startSession(t.deps, b, session.id);
    r = await rows(t, session.id);
    assert.deepEqual(
      r.map((x) => [x.userId, x.status]).sort(),
      [[a.id, "removed"], [b.id, "active"]].sort(),
    );
    await holdSession(t.deps, b, session.id);
    await startSession(t.deps, b, session.id);
    await customerLeft(t.deps, (await findByToken(t.deps, session.token))!);
    assert.equal((await rows(t, session.id)).find((x) => x.userId === b.id)!.status, "closed");
    assert.equal((await findByToken(t.deps, session.token))!.pin, null, "PIN gone with it");
    await endSession(t.deps, b, session.id);
    assert.equal((await rows(t, session.id)).find((x) => x.userId === b.id)!.status, "removed");
    const log = await readLog(t.deps.db, session.id);
    assert.ok(log.some((l) => l.kind === "chat" && l.body === "Hello Carol"));
    assert.ok(log.filter((l) => l.kind === "status").length >= 8);
    assert.ok(events.length >= 8, "every change was announced");
  } finally {
    await t.close();
  }
});

Deno.test("the sender cancels a transfer by Start; the recipient can return one", async () => {
  const t = await startTestApp();
  try {
    const a = await technician(t);
    const b = await technician(t, { groupId: a.groupId! });
    const { session } = await createPrivateSession(t.deps, a, {
      method: "link",
      customerName: "Dan",
      fields: {},
    });
    await customerConnected(t.deps, session);
    await startSession(t.deps, a, session.id);
    t.clock.advance(1_000); // the transfer's row is younger than the session's own
    await transferSession(t.deps, a, session.id, { kind: "technician", id: b.id }, "", online);
    await startSession(t.deps, a, session.id);
    let r = await rows(t, session.id);
    assert.deepEqual(r.map((x) => x.status), ["active", "removed"]);
    t.clock.advance(1_000); // the transfer's row is younger than the session's own
    await transferSession(t.deps, a, session.id, { kind: "technician", id: b.id }, "", online);
    await returnTransfer(t.deps, b, session.id);
    r = (await rows(t, session.id)).filter((x) => !x.removedAt);
    assert.deepEqual(r.map((x) => [x.userId, x.status]), [[a.id, "incoming"]]);
    await assert.rejects(
      transferSession(
        t.deps,
        a,
        session.id,
        { kind: "technician", id: b.id },
        "",
        () => Promise.resolve(false),
      ),
      (e) => e instanceof Refusal && e.key === "sessions.targetUnavailable",
    );
    await assert.rejects(
      holdSession(t.deps, b, session.id),
      (e) => e instanceof Refusal && e.key === "sessions.notFound",
    );
  } finally {
    await t.close();
  }
});

Deno.test("persisted deadlines fire once with the injected clock, and network loss returns", async () => {
  const t = await startTestApp();
  try {
    const a = await technician(t);
    await setGroupSettings(t.deps.db, a.groupId!, {
      connectingTimeout: 2,
      waitingTimeout: 3,
      inactivityTimeout: 10,
    }, { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() });
    const first = await createPrivateSession(t.deps, a, {
      method: "pin",
      customerName: "Eve",
      fields: {},
    });
    t.clock.advance(119_000);
    assert.equal(await fireDueDeadlines(t.deps), 0);
    t.clock.advance(2_000);
    assert.equal(await fireDueDeadlines(t.deps), 1);
    assert.equal(await fireDueDeadlines(t.deps), 0, "never twice");
    assert.deepEqual((await rows(t, first.session.id)).map((r) => r.status), ["removed"]);
    assert.equal((await findByToken(t.deps, first.session.token))!.pin, null);

    const second = await createPrivateSession(t.deps, a, {
      method: "pin",
      customerName: "Fay",
      fields: {},
    });
    await customerConnected(t.deps, second.session);
    await startSession(t.deps, a, second.session.id);
    await customerLost(t.deps, second.session.id);
    assert.deepEqual((await rows(t, second.session.id)).map((r) => r.status), ["reconnecting"]);
    await customerConnected(t.deps, (await findByToken(t.deps, second.session.token))!);
    assert.deepEqual((await rows(t, second.session.id)).map((r) => r.status), ["active"]);
    t.clock.advance(9 * 60_000);
    await technicianChat(t.deps, a, second.session.id, "still there?");
    t.clock.advance(9 * 60_000);
    assert.equal(await fireDueDeadlines(t.deps), 0, "chat restarted the inactivity clock");
    t.clock.advance(2 * 60_000);
    assert.equal(await fireDueDeadlines(t.deps), 1);
    assert.deepEqual((await rows(t, second.session.id)).map((r) => r.status), ["timed_out"]);
    const pending = await t.deps.db.select().from(queueEntries).where(
      and(eq(queueEntries.orgId, a.orgId), isNull(queueEntries.removedAt)),
    );
    assert.equal(pending.length, 1, "the timed-out row stays until cleared");
  } finally {
    await t.close();
  }
});
