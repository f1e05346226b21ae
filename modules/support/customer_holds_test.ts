// The customer's connection as the database keeps it for several instances (issue 15): each
// instance's count of open streams per session in customer_stream_holds, the loss that is
// applied once, and the sweep that writes back holds the database lost.
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { beat, registerInstance } from "../cluster/mod.ts";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import { customerConnected, customerStreams, findByToken, readLog } from "./mod.ts";
import { customerLost, liveRows } from "./test_support.ts";
import { customerStreamHolds } from "./schema.ts";

async function connected(t: TestApp) {
  const session = await carolSession(t, await technician(t));
  await customerConnected(t.deps, session);
  return (await findByToken(t.deps, session.token))!;
}

async function holds(t: TestApp, sessionId: string) {
  return await t.deps.db.select({
    instanceId: customerStreamHolds.instanceId,
    streams: customerStreamHolds.streams,
  }).from(customerStreamHolds).where(eq(customerStreamHolds.sessionId, sessionId));
}

async function lines(t: TestApp, sessionId: string, body: string) {
  return (await readLog(t.deps.db, sessionId, 0)).filter((line) => line.body === body).length;
}

Deno.test("customerLost is idempotent: the second call changes nothing and logs nothing", async () => {
  const t = await startTestApp();
  try {
    const session = await connected(t);
    assert.equal(await customerLost(t.deps, session.id), true);
    const after = await findByToken(t.deps, session.token);
    assert.equal(await customerLost(t.deps, session.id), false);
    assert.deepEqual(await findByToken(t.deps, session.token), after);
    assert.equal(await lines(t, session.id, "log.customerLost"), 1);
    assert.equal(await lines(t, session.id, "status.reconnecting"), 1);
    assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["reconnecting"]);
  } finally {
    await t.close();
  }
});

Deno.test("customerLost leaves a customer connected while `held` finds a stream", async () => {
  const t = await startTestApp();
  try {
    const session = await connected(t);
    assert.equal(
      await customerLost(t.deps, session.id, { held: () => Promise.resolve(true) }),
      false,
    );
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "connected");
    assert.equal(await lines(t, session.id, "log.customerLost"), 0);
  } finally {
    await t.close();
  }
});

Deno.test("holds count this instance's open streams: +1 per open, -1 per close, no row at 0", async () => {
  const t = await startTestApp();
  const streams = customerStreams(t.deps);
  streams.options.graceMs = 5;
  try {
    const session = await connected(t);
    const me = t.deps.instance.id;
    await Promise.all([streams.opened(session.id), streams.opened(session.id)]);
    await streams.opened(session.id);
    assert.deepEqual(await holds(t, session.id), [{ instanceId: me, streams: 3 }]);
    await streams.closed(session.id);
    assert.deepEqual(await holds(t, session.id), [{ instanceId: me, streams: 2 }]);
    // Close and reopen without waiting: the writes land in order.
    streams.closed(session.id);
    streams.closed(session.id);
    await streams.opened(session.id);
    assert.deepEqual(await holds(t, session.id), [{ instanceId: me, streams: 1 }]);
    await streams.closed(session.id);
    assert.deepEqual(await holds(t, session.id), []);
    await streams.idle();
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "lost");
  } finally {
    await streams.idle();
    await t.close();
  }
});

Deno.test("a grace that ends while another instance holds a stream leaves the customer connected", async () => {
  const t = await startTestApp();
  const streams = customerStreams(t.deps);
  streams.options.graceMs = 5;
  try {
    const session = await connected(t);
    await streams.opened(session.id);
    // Another instance's hold: played by a second row under the same instance table.
    const other = crypto.randomUUID();
    await registerInstance(
      t.deps.db,
      { id: other, internalUrl: "http://127.0.0.1:1" },
      t.clock.now(),
    );
    await t.deps.db.insert(customerStreamHolds).values({
      sessionId: session.id,
      instanceId: other,
      streams: 1,
    });
    await streams.closed(session.id);
    await streams.idle();
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "connected");
    assert.equal(await streams.reconcile(), 0, "held elsewhere: nothing to arm");

    // The other instance goes (its row, and with it its hold): now the grace applies.
    t.clock.advance(60_000);
    assert.deepEqual(await beat(t.deps.db, t.deps.instance, t.clock.now()), [other]);
    assert.equal(await streams.reconcile(), 1);
    await streams.idle();
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "lost");
    assert.equal(await lines(t, session.id, "log.customerLost"), 1);
  } finally {
    await streams.idle();
    await t.close();
  }
});

Deno.test("sweep() writes back the holds this instance lost while taken for dead, and reconnects", async () => {
  const t = await startTestApp();
  const streams = customerStreams(t.deps);
  streams.options.graceMs = 5;
  try {
    const session = await connected(t);
    await streams.opened(session.id);
    await streams.opened(session.id);
    // Another instance removed this one's row (and holds) and called the customer lost.
    await t.deps.db.delete(customerStreamHolds).where(and(
      eq(customerStreamHolds.sessionId, session.id),
      eq(customerStreamHolds.instanceId, t.deps.instance.id),
    ));
    await customerLost(t.deps, session.id);
    assert.equal(await streams.sweep(), 0);
    assert.deepEqual(await holds(t, session.id), [{ instanceId: t.deps.instance.id, streams: 2 }]);
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "connected");
    assert.equal(await lines(t, session.id, "log.customerReconnected"), 1);
    assert.equal(await streams.sweep(), 0, "all well: nothing to do");
    assert.equal(await lines(t, session.id, "log.customerReconnected"), 1);
    await streams.closed(session.id);
    await streams.closed(session.id);
  } finally {
    await streams.idle();
    await t.close();
  }
});

Deno.test("sweep() removes a hold left by a close whose write failed, and the grace applies", async () => {
  const t = await startTestApp();
  const streams = customerStreams(t.deps);
  streams.options.graceMs = 5;
  try {
    const session = await connected(t);
    // The page's stream closed here, but the database never heard (its -1 failed).
    await t.deps.db.insert(customerStreamHolds)
      .values({ sessionId: session.id, instanceId: t.deps.instance.id, streams: 1 });
    assert.equal(await streams.reconcile(), 0, "looks held");
    assert.equal(await streams.sweep(), 1, "the stale hold goes; the session is put on notice");
    assert.deepEqual(await holds(t, session.id), []);
    await streams.idle();
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "lost");
  } finally {
    await streams.idle();
    await t.close();
  }
});
