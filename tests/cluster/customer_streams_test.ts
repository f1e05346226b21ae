// Issue 15: the customer's connection across two instances on one PostgreSQL database. A
// page's stream that moves from B to A within the grace keeps the customer connected; two
// graces ending together call the customer lost once; an instance that dies hands its
// customers to the living, who give them the grace of a dropped stream — once.
import assert from "node:assert/strict";
import { and, eq, isNull } from "drizzle-orm";
import { beat, HEARTBEAT } from "../../modules/cluster/mod.ts";
import {
  customerStreams,
  findByToken,
  readLog,
  type SupportSession,
} from "../../modules/support/mod.ts";
import { queueEntries } from "../../modules/support/test_support.ts";
import type { TestApp } from "../support/app.ts";
import { startClusterApps } from "../support/cluster.ts";
import { carolSession, technician } from "../support/sessions.ts";

const ignore = !Deno.env.get("DATABASE_URL");
const GRACE_MS = 200;

/** One customer page's stream on `t`, read until its first state event. */
async function openStream(t: TestApp, token: string) {
  const res = await t.app.request(`http://localhost/s/${token}/events`);
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("event: state")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return { close: () => reader.cancel() };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The lines that say the customer was lost: the event line and each row's status line. */
async function lossLines(t: TestApp, sessionId: string): Promise<string[]> {
  return (await readLog(t.deps.db, sessionId, 0))
    .map((line) => line.body)
    .filter((body) =>
      body === "log.customerLost" || body === "status.reconnecting" ||
      body === "log.customerReconnected"
    );
}

async function statuses(t: TestApp, sessionId: string): Promise<string[]> {
  return (await t.deps.db.select().from(queueEntries)
    .where(and(eq(queueEntries.sessionId, sessionId), isNull(queueEntries.removedAt))))
    .map((row) => row.status);
}

async function cluster() {
  const apps = await startClusterApps(2);
  const [a, b] = apps.apps;
  for (const t of apps.apps) customerStreams(t.deps).options.graceMs = GRACE_MS;
  const tech = await technician(a);
  const settle = async () => {
    for (const t of apps.apps) await customerStreams(t.deps).idle();
  };
  return { a, b, tech, settle, close: () => apps.close() };
}

Deno.test({
  name:
    "cluster: the page's stream closes on B and opens on A within the grace — B's timer leaves the customer connected",
  ignore,
  fn: async () => {
    const { a, b, tech, settle, close } = await cluster();
    try {
      const session = await carolSession(a, tech);
      const onB = await openStream(b, session.token);
      assert.equal((await findByToken(a.deps, session.token))!.customerState, "connected");
      await onB.close();
      await until(() => customerStreams(b.deps).openCount(session.id) === 0, "B's close");
      const onA = await openStream(a, session.token);
      await customerStreams(b.deps).idle(); // B's grace ended while A holds the stream

      assert.equal((await findByToken(a.deps, session.token))!.customerState, "connected");
      assert.deepEqual(await statuses(a, session.id), ["waiting"]);
      assert.deepEqual(await lossLines(a, session.id), [], "no lost/reconnecting line");

      await onA.close();
      await settle();
      assert.equal((await findByToken(a.deps, session.token))!.customerState, "lost");
    } finally {
      await settle();
      await close();
    }
  },
});

Deno.test({
  name: "cluster: both instances' graces end together — one Reconnecting and one line per session",
  ignore,
  fn: async () => {
    const { a, b, tech, settle, close } = await cluster();
    try {
      const sessions: SupportSession[] = [];
      for (let i = 0; i < 20; i++) sessions.push(await carolSession(a, tech));
      const streams = [];
      for (const s of sessions) {
        streams.push(await openStream(a, s.token), await openStream(b, s.token));
      }
      // All at once: each session's last stream closes on both instances in the same moment.
      await Promise.all(streams.map((s) => s.close()));
      await until(
        () =>
          sessions.every((s) =>
            customerStreams(a.deps).openCount(s.id) === 0 &&
            customerStreams(b.deps).openCount(s.id) === 0
          ),
        "every stream closed",
      );
      await settle();
      for (const s of sessions) {
        assert.equal((await findByToken(a.deps, s.token))!.customerState, "lost");
        assert.deepEqual(await statuses(a, s.id), ["reconnecting"]);
        assert.deepEqual(await lossLines(a, s.id), ["status.reconnecting", "log.customerLost"]);
      }
    } finally {
      await settle();
      await close();
    }
  },
});

Deno.test({
  name:
    "cluster: B dies — once A's beat removes it, the session B held goes Reconnecting after the grace, once",
  ignore,
  fn: async () => {
    const { a, b, tech, settle, close } = await cluster();
    try {
      const session = await carolSession(a, tech);
      // B holds the customer's page; then B stops beating (its stream never closes there).
      const onB = await openStream(b, session.token);
      a.clock.advance(HEARTBEAT.expiryMs + 1_000);
      assert.equal(await customerStreams(a.deps).reconcile(), 0, "B still counts as alive");

      const gone = await beat(a.deps.db, a.deps.instance, a.clock.now());
      assert.deepEqual(gone, [b.deps.instance.id]);
      // What main.ts's onGone does: the holds went with B's row, the living arm the grace.
      assert.equal(await customerStreams(a.deps).reconcile(), 1);
      assert.equal(await customerStreams(a.deps).reconcile(), 0, "armed once on A");
      await customerStreams(a.deps).idle();

      assert.equal((await findByToken(a.deps, session.token))!.customerState, "lost");
      assert.deepEqual(await statuses(a, session.id), ["reconnecting"]);
      assert.deepEqual(await lossLines(a, session.id), ["status.reconnecting", "log.customerLost"]);

      // B's own grace, had it lived to run it, changes nothing more.
      await onB.close();
      await settle();
      assert.deepEqual(await lossLines(a, session.id), ["status.reconnecting", "log.customerLost"]);
    } finally {
      await settle();
      await close();
    }
  },
});
