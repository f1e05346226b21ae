// Issue 15: live notices cross instances over PostgreSQL LISTEN/NOTIFY. Two real apps on one
// database (tests/support/cluster.ts): a console on A hears what happens on B, a customer's
// stream on B hears the technician on A, and a LISTEN connection that dies costs nothing —
// the console gets the whole queue again (resync) and later notices still arrive.
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import {
  createPinSession,
  HTMX,
  signedInTechnician,
  SseReader,
} from "../modules/console/test_fixtures.ts";
import { customerStreams } from "../modules/support/mod.ts";
import type { TestApp, TestClient } from "./support/app.ts";
import { type ClusterTestApp, startClusterApps } from "./support/cluster.ts";

const ignore = !Deno.env.get("DATABASE_URL");
const METRICS_TOKEN = "live-bus-test-metrics-token";

/** `browser`'s sign-in, used on another instance (the cookie is valid on every one). */
async function sameBrowserOn(t: TestApp, browser: TestClient): Promise<TestClient> {
  const other = t.client();
  other.cookies = new Map(browser.cookies);
  await other.get("/console");
  return other;
}

/** An SSE stream over real HTTP to the instance's listener. */
async function openStream(app: ClusterTestApp, path: string, browser?: TestClient) {
  const res = await fetch(`${app.url}${path}`, {
    headers: browser ? { cookie: browser.cookieHeader() } : {},
  });
  assert.equal(res.status, 200, `${path} on ${app.url}`);
  return new SseReader(res);
}

const rowsOf = (sessionId: string, status?: string) => (e: { event: string; data: string }) =>
  e.event === "rows" && e.data.startsWith(`<template data-session="${sessionId}">`) &&
  (!status || e.data.includes(`data-status="${status}"`));

Deno.test({
  name:
    "two instances: a console on A hears B's new Waiting customer within 1 s; B's customer stream hears A's chat",
  ignore,
  async fn() {
    const cluster = await startClusterApps(2);
    const streams: SseReader[] = [];
    const [a, b] = cluster.apps;
    try {
      const ann = await signedInTechnician(a, { name: "Ann" });
      const console = await openStream(a, "/console/events", ann.browser);
      streams.push(console);
      assert.equal((await console.next()).event, "queue");

      // Ann makes the session through B; the customer's page connects to B.
      const annOnB = await sameBrowserOn(b, ann.browser);
      const session = await createPinSession(b, annOnB, "Carol");
      await console.until(rowsOf(session.id, "connecting"), 1_000);
      const connected = performance.now();
      const customer = await openStream(b, `/s/${session.token}/events`);
      streams.push(customer);
      await console.until(rowsOf(session.id, "waiting"), 1_000);
      const waitingMs = performance.now() - connected;
      assert.ok(waitingMs < 1_000, `Waiting reached A after ${waitingMs} ms`);

      // Ann starts it and chats on A; the customer's stream on B shows the line.
      const started = await ann.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX);
      assert.equal(started.status, 204);
      const said = await ann.browser.post(`/console/sessions/${session.id}/chat`, {
        text: "Hello from instance A",
      }, HTMX);
      assert.ok(said.status < 300, `chat answered ${said.status}`);
      const line = await customer.until((e) => e.event === "log" && e.data.includes("Hello"));
      assert.match(line.data, /Hello from instance A/);
      assert.ok((a.deps.live.bus?.sent ?? 0) > 0 && (b.deps.live.bus?.received ?? 0) > 0);
    } finally {
      for (const s of streams) await s.cancel().catch(() => {});
      for (const app of cluster.apps) await customerStreams(app.deps).idle();
      await cluster.close();
    }
  },
});

Deno.test({
  name:
    "two instances: after the LISTEN backends are terminated the console gets the whole queue again, and later notices still arrive",
  ignore,
  async fn() {
    const cluster = await startClusterApps(2, { env: { METRICS_TOKEN } });
    const streams: SseReader[] = [];
    const [a, b] = cluster.apps;
    try {
      const ann = await signedInTechnician(a, { name: "Ann" });
      const console = await openStream(a, "/console/events", ann.browser);
      streams.push(console);
      assert.equal((await console.next()).event, "queue");
      const annOnB = await sameBrowserOn(b, ann.browser);

      // Only this database's listeners: other databases on the server are not ours.
      const killed = await a.deps.db.execute(sql`
        select pg_terminate_backend(pid) as done from pg_stat_activity
        where datname = current_database() and query ilike 'listen%'`);
      const rows = Array.isArray(killed) ? killed : (killed as { rows: unknown[] }).rows;
      assert.equal(rows.length, 2, "one LISTEN connection per instance");

      const resent = await console.until((e) => e.event === "queue", 3_000);
      assert.match(resent.data, /^<tbody>.*<\/tbody>$/s);
      assert.equal(a.deps.live.bus?.resyncs, 1);
      assert.ok(a.logLines.some((l) => l.includes("LISTEN connection was lost")));
      assert.ok(a.logLines.some((l) => l.includes("LISTEN connection is back")));

      // B listens again too: a session made on B still reaches the console on A.
      await until(() => b.deps.live.bus?.resyncs === 1, "B listening again");
      const session = await createPinSession(b, annOnB, "Dave");
      await console.until(rowsOf(session.id, "connecting"), 1_000);

      // What Prometheus reads of it on A.
      const metrics = await (await fetch(`${a.url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      })).text();
      assert.match(metrics, /^rescue_live_bus_resyncs_total 1$/m);
      assert.match(metrics, /^rescue_live_bus_notices_total\{outcome="received"\} [1-9]/m);
    } finally {
      for (const s of streams) await s.cancel().catch(() => {});
      await cluster.close();
    }
  },
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
