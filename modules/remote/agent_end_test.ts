// The agent is told the moment its session is over for the customer, whoever or whatever
// ended it (issue 13): the customer's page, the waiting deadline (its row Removed), the
// inactivity deadline (Timed out) — `end`, then a 4404 close, so the agent stops sharing and
// exits, and the customer's page is not told the app is reconnecting. A change that leaves the
// session open (hold, a transfer to another technician) tells it no end. The technician's End is in agent_gateway_test.ts.
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import { agentHello, agentSocket, withServer } from "../../tests/support/sockets.ts";
import type { CurrentUser } from "../http/mod.ts";
import {
  fireDueDeadlines,
  holdSession,
  loadSession,
  startSession,
  type SupportSession,
  transferSession,
} from "../support/mod.ts";
import { liveRows } from "../support/test_support.ts";
import { remoteHub } from "./remote_hub.ts";

/** An agent attached to the session with `token` (its welcome taken). */
async function attachedAgent(port: number, token: string) {
  const agent = await agentSocket(port);
  agent.send(agentHello(token));
  await agent.next((m) => m.type === "welcome");
  return {
    ...agent,
    /** The next frame of `type`; throws after `ms` without one. */
    until: (type: string, ms?: number) => agent.next((m) => m.type === type, ms),
  };
}

/** A served app, a technician and a session the agent joined (Waiting, or Active if started). */
async function withAgent(
  options: { started: boolean },
  fn: (
    t: TestApp,
    tech: CurrentUser,
    session: SupportSession,
    agent: Awaited<ReturnType<typeof attachedAgent>>,
  ) => Promise<void>,
) {
  const t = await startTestApp();
  try {
    await withServer(t, async (port) => {
      const tech = await technician(t);
      const session = await carolSession(t, tech);
      const agent = await attachedAgent(port, session.token);
      if (options.started) await startSession(t.deps, tech, session.id);
      await fn(t, tech, session, agent);
    });
  } finally {
    await t.close();
  }
}

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });

test("agent socket: the customer ends the session on the page → end and a 4404 close", async () => {
  await withAgent({ started: true }, async (t, _tech, session, agent) => {
    const page = t.client();
    await page.get(`/s/${session.token}`);
    const ended = await page.post(`/s/${session.token}/end`);
    assert.equal(ended.status, 303);
    assert.ok((await loadSession(t.deps.db, session.id)).endedAt, "the session ended");
    const end = await agent.until("end", 1_000);
    assert.deepEqual(end, { type: "end", reason: "the session has ended" });
    assert.equal((await agent.closed).code, 4404);
    // The socket closing after `end` is no drop: the page must not say "reconnecting".
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(remoteHub(t.deps).find(session.id)?.customerView().agent, "absent");
  });
});

test("agent socket: nobody starts the session before the waiting deadline (Removed) → end", async () => {
  await withAgent({ started: false }, async (t, _tech, session, agent) => {
    assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["waiting"]);
    t.clock.advance(31 * 60_000);
    assert.ok(await fireDueDeadlines(t.deps) > 0, "the waiting deadline fired");
    assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), []);
    assert.equal((await agent.until("end", 1_000)).type, "end");
    assert.equal((await agent.closed).code, 4404);
  });
});

test("agent socket: an Active session times out for inactivity (Timed out) → end", async () => {
  await withAgent({ started: true }, async (t, _tech, session, agent) => {
    t.clock.advance(61 * 60_000);
    assert.ok(await fireDueDeadlines(t.deps) > 0, "the inactivity deadline fired");
    assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["timed_out"]);
    assert.equal((await agent.until("end", 1_000)).type, "end");
    assert.equal((await agent.closed).code, 4404);
  });
});

test("agent socket: a change that leaves the session open (hold) sends no end", async () => {
  await withAgent({ started: true }, async (t, tech, session, agent) => {
    await holdSession(t.deps, tech, session.id);
    assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["on_hold"]);
    await assert.rejects(agent.until("end", 500), /no matching frame/);
    const open = await Promise.race([agent.closed, new Promise((r) => setTimeout(r, 10, "open"))]);
    assert.equal(open, "open");
  });
});

test("agent socket: a transfer to another technician keeps the session → no end", async () => {
  await withAgent({ started: true }, async (t, tech, session, agent) => {
    const other = await technician(t, { name: "Bob" });
    await transferSession(
      t.deps,
      tech,
      session.id,
      { kind: "technician", id: other.id },
      "",
      () => Promise.resolve(true),
    );
    assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status).sort(), [
      "incoming",
      "outgoing",
    ]);
    await startSession(t.deps, other, session.id);
    await assert.rejects(agent.until("end", 500), /no matching frame/);
    const open = await Promise.race([agent.closed, new Promise((r) => setTimeout(r, 10, "open"))]);
    assert.equal(open, "open");
    assert.equal(remoteHub(t.deps).find(session.id)?.customerView().agent, "connected");
  });
});
