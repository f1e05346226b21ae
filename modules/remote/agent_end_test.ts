// The agent is told the moment its session is over for the customer, whoever or whatever
// ended it (issue 13): the customer's page, the waiting deadline (its row Removed), the
// inactivity deadline (Timed out) — `end`, then a 4404 close, so the agent stops sharing and
// exits, and the customer's page is not told the app is reconnecting. A change that leaves the
// session open (hold, a transfer to another technician) tells it no end. The technician's End is in agent_gateway_test.ts.
import assert from "node:assert/strict";
import {
  type AgentMessage,
  Channel,
  type ServerMessage,
  ServerMessageSchema,
} from "../../protocol/mod.ts";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { technician } from "../../tests/support/sessions.ts";
import type { CurrentUser } from "../http/mod.ts";
import {
  fireDueDeadlines,
  holdSession,
  loadSession,
  startSession,
  type SupportSession,
  transferSession,
} from "../support/mod.ts";
import { createPrivateSession, liveRows } from "../support/test_support.ts";
import { remoteHub } from "./hub.ts";

/** An attached test agent: every server frame it got, and how its socket closed. */
async function attachedAgent(port: number, token: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/agent/ws`);
  const channel = new Channel<ServerMessage, AgentMessage>(ServerMessageSchema);
  const got: ServerMessage[] = [];
  let notify = () => {};
  ws.onmessage = (event) => {
    const decoded = channel.decode(event.data);
    if (decoded.ok) got.push(decoded.message);
    notify();
  };
  const closed = new Promise<number>((resolve) =>
    ws.addEventListener("close", (event) => resolve(event.code))
  );
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const until = async (type: ServerMessage["type"], timeoutMs = 2_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = got.find((m) => m.type === type);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no ${type} in ${timeoutMs} ms; got ${got.map((m) => m.type)}`);
      }
      await new Promise<void>((r) => {
        notify = r;
        setTimeout(r, left);
      });
    }
  };
  ws.send(channel.encode({
    type: "hello",
    token,
    deviceId: "device-0001-abcdef",
    os: "linux",
    language: "en",
    agentVersion: "0.1.0",
    screen: { width: 1920, height: 1080 },
  }));
  await until("welcome");
  return { got, until, closed };
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
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
  try {
    const tech = await technician(t);
    const { session } = await createPrivateSession(t.deps, tech, {
      method: "link",
      customerName: "Carol",
      fields: {},
    });
    const agent = await attachedAgent(server.addr.port, session.token);
    if (options.started) await startSession(t.deps, tech, session.id);
    await fn(t, tech, session, agent);
  } finally {
    await server.shutdown();
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
    assert.equal(await agent.closed, 4404);
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
    assert.equal(await agent.closed, 4404);
  });
});

test("agent socket: an Active session times out for inactivity (Timed out) → end", async () => {
  await withAgent({ started: true }, async (t, _tech, session, agent) => {
    t.clock.advance(61 * 60_000);
    assert.ok(await fireDueDeadlines(t.deps) > 0, "the inactivity deadline fired");
    assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["timed_out"]);
    assert.equal((await agent.until("end", 1_000)).type, "end");
    assert.equal(await agent.closed, 4404);
  });
});

test("agent socket: a change that leaves the session open (hold) sends no end", async () => {
  await withAgent({ started: true }, async (t, tech, session, agent) => {
    await holdSession(t.deps, tech, session.id);
    assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["on_hold"]);
    await assert.rejects(agent.until("end", 500), /no end/);
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
    await assert.rejects(agent.until("end", 500), /no end/);
    const open = await Promise.race([agent.closed, new Promise((r) => setTimeout(r, 10, "open"))]);
    assert.equal(open, "open");
    assert.equal(remoteHub(t.deps).find(session.id)?.customerView().agent, "connected");
  });
});
