// The session columns the reports read, written by the support services as sessions live,
// and the hourly rollups the database triggers keep from them.
import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import {
  customerConnected,
  customerLeft,
  endSession,
  findByToken,
  fireDueDeadlines,
  returnTransfer,
  startSession,
  transferSession,
} from "../support/mod.ts";
import { supportSessions } from "../support/test_support.ts";

async function facts(t: TestApp, id: string) {
  const [row] = await t.deps.db.select().from(supportSessions).where(eq(supportSessions.id, id));
  return row;
}

const online = () => Promise.resolve(true);

Deno.test("a session records its arrival, first pick-up, transfers and how the technician ended it", async () => {
  const t = await startTestApp();
  try {
    const a = await technician(t);
    const b = await technician(t, { groupId: a.groupId! });
    const created = await carolSession(t, a);
    t.clock.advance(30_000);
    await customerConnected(t.deps, (await findByToken(t.deps, created.token))!);
    const connected = t.clock.now();
    t.clock.advance(45_000);
    await startSession(t.deps, a, created.id);
    const picked = t.clock.now();
    t.clock.advance(60_000);
    await transferSession(t.deps, a, created.id, { kind: "technician", id: b.id }, "", online);
    await startSession(t.deps, b, created.id);
    t.clock.advance(60_000);
    let row = await facts(t, created.id);
    assert.equal(row.connectedAt?.getTime(), connected.getTime());
    assert.equal(
      row.pickedUpAt?.getTime(),
      picked.getTime(),
      "accepting the transfer is no pick-up",
    );
    assert.equal(row.transfers, 1);
    assert.equal(row.outcome, null);
    await endSession(t.deps, b, created.id);
    row = await facts(t, created.id);
    assert.equal(row.outcome, "closed_by_technician");
    assert.equal(row.leadUserId, b.id);
    assert.equal(row.endedAt?.getTime(), t.clock.now().getTime());
    // The rollups followed every step: one session, now under b, transferred, ended.
    const result = await t.deps.db.execute(sql`select technician_id::text as tech,
      sum(sessions)::int as sessions, sum(open)::int as open, sum(transfers)::int as transfers,
      sum(closed_by_technician)::int as closed, sum(waited)::int as waited,
      sum(wait_sum)::float8 as wait from report_rollups
      where org_id = ${row.orgId} group by 1 having sum(sessions) <> 0`);
    const rolled = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
    assert.deepEqual(rolled.map((r) => ({ ...(r as object) })), [
      { tech: b.id, sessions: 1, open: 0, transfers: 1, closed: 1, waited: 1, wait: 45 },
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("a transfer counts once its recipient takes the session, not when it is cancelled or given back", async () => {
  const t = await startTestApp();
  try {
    const a = await technician(t);
    const b = await technician(t, { groupId: a.groupId! });
    const created = await carolSession(t, a);
    await customerConnected(t.deps, (await findByToken(t.deps, created.token))!);
    await startSession(t.deps, a, created.id);
    const toB = { kind: "technician", id: b.id } as const;
    // Sent, then cancelled by the sender (Start on the Outgoing row).
    await transferSession(t.deps, a, created.id, toB, "", online);
    await startSession(t.deps, a, created.id);
    assert.equal((await facts(t, created.id)).transfers, 0, "cancelled by the sender");
    // Sent, then given back by the recipient.
    await transferSession(t.deps, a, created.id, toB, "", online);
    await returnTransfer(t.deps, b, created.id);
    await startSession(t.deps, a, created.id);
    assert.equal((await facts(t, created.id)).transfers, 0, "given back by the recipient");
    // Sent and taken: one transfer, in the row and in the rollups.
    await transferSession(t.deps, a, created.id, toB, "", online);
    assert.equal((await facts(t, created.id)).transfers, 0, "pending: not a transfer yet");
    await startSession(t.deps, b, created.id);
    const row = await facts(t, created.id);
    assert.equal(row.transfers, 1);
    const result = await t.deps.db.execute(sql`select sum(transfers)::int as transfers
      from report_rollups where org_id = ${row.orgId}`);
    const rolled = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
    assert.deepEqual(rolled.map((r) => ({ ...(r as object) })), [{ transfers: 1 }]);
  } finally {
    await t.close();
  }
});

Deno.test("a customer leaving says whether anyone had picked the session up", async () => {
  const t = await startTestApp();
  try {
    const a = await technician(t);
    const waiting = await carolSession(t, a);
    await customerConnected(t.deps, (await findByToken(t.deps, waiting.token))!);
    await customerLeft(t.deps, (await findByToken(t.deps, waiting.token))!);
    assert.equal((await facts(t, waiting.id)).outcome, "closed_by_waiting_customer");
    assert.equal((await facts(t, waiting.id)).pickedUpAt, null);

    const helped = await carolSession(t, a);
    await customerConnected(t.deps, (await findByToken(t.deps, helped.token))!);
    await startSession(t.deps, a, helped.id);
    await customerLeft(t.deps, (await findByToken(t.deps, helped.token))!);
    assert.equal((await facts(t, helped.id)).outcome, "closed_by_customer");
    // The technician clearing the Closed row afterwards changes nothing.
    await endSession(t.deps, a, helped.id);
    assert.equal((await facts(t, helped.id)).outcome, "closed_by_customer");
  } finally {
    await t.close();
  }
});

Deno.test("a session nobody connected to ends as a connecting timeout", async () => {
  const t = await startTestApp();
  try {
    const a = await technician(t);
    const created = await carolSession(t, a);
    t.clock.advance(25 * 60_000);
    await fireDueDeadlines(t.deps);
    const row = await facts(t, created.id);
    assert.equal(row.outcome, "connecting_timeout");
    assert.equal(row.connectedAt, null);
    assert.ok(row.endedAt);
  } finally {
    await t.close();
  }
});
