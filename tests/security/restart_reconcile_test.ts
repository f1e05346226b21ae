// Issue 11 item 9: after a crash, a customer who never came back stayed `connected` forever.
// The crash is played by building a second app over the same database — its process never
// saw the customer's stream. Starting its session timers puts every connected customer on
// the grace of a dropped stream: back in time keeps the session, silence makes it Reconnecting.
import assert from "node:assert/strict";
import { and, eq, isNull } from "drizzle-orm";
import { createApp } from "../../modules/app/mod.ts";
import type { AppDeps } from "../../modules/http/mod.ts";
import { LiveHub } from "../../modules/live/mod.ts";
import { newInstance, registerInstance } from "../../modules/cluster/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  customerStreams,
  findByToken,
  startSessionTimers,
  type SupportSession,
} from "../../modules/support/mod.ts";
import { queueEntries } from "../../modules/support/test_support.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { technician } from "../support/sessions.ts";

const GRACE_MS = 150;

/** A connected customer, as the crashed process left it: no stream anywhere. */
async function connectedCustomer(t: TestApp, name: string): Promise<SupportSession> {
  const tech = await technician(t);
  const { session } = await createPrivateSession(t.deps, tech, {
    method: "link",
    customerName: name,
    fields: {},
  });
  await customerConnected(t.deps, session);
  return (await findByToken(t.deps, session.token))!;
}

async function statuses(deps: AppDeps, sessionId: string): Promise<string[]> {
  const rows = await deps.db.select().from(queueEntries)
    .where(and(eq(queueEntries.sessionId, sessionId), isNull(queueEntries.removedAt)));
  return rows.map((r) => r.status);
}

Deno.test("startSessionTimers() after a crash: a silent customer goes Reconnecting; one back in time stays", async () => {
  const t = await startTestApp();
  try {
    const silent = await connectedCustomer(t, "Silent");
    const back = await connectedCustomer(t, "Back");
    assert.deepEqual(await statuses(t.deps, silent.id), ["waiting"]);

    // The restarted process: same database, nothing else — a new instance (the crashed one's
    // row stays until it expires; it held no stream of these customers).
    const deps: AppDeps = {
      ...t.deps,
      live: new LiveHub(),
      instance: newInstance("http://127.0.0.1:0"),
    };
    await registerInstance(deps.db, deps.instance, deps.clock.now());
    const app = createApp(deps);
    const streams = customerStreams(deps);
    streams.options.graceMs = GRACE_MS;
    const stop = startSessionTimers(deps, 60_000);
    try {
      // The returning customer's page reconnects within the grace.
      const res = await app.request(`http://localhost/s/${back.token}/events`);
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      await reader.read();
      await new Promise((r) => setTimeout(r, GRACE_MS * 3));
      await streams.idle();

      assert.equal((await findByToken(deps, silent.token))!.customerState, "lost");
      assert.deepEqual(await statuses(deps, silent.id), ["reconnecting"]);
      assert.equal((await findByToken(deps, back.token))!.customerState, "connected");
      assert.deepEqual(await statuses(deps, back.id), ["waiting"]);
      await reader.cancel();
      await streams.idle();
    } finally {
      stop();
    }
  } finally {
    await t.close();
  }
});
