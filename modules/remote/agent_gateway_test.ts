// The agent's control connection through a real socket: hello attaches to the session
// (Connecting → Waiting, like the Instant Chat page), thousands of damaged frames are each
// answered with an `error` frame while the connection and the session stay as they were,
// and closing the socket makes the session Reconnecting after the grace. When the session
// ends, the agent is told (`end`, then close 4404) instead of being left to reconnect.
import assert from "node:assert/strict";
import {
  type AgentMessage,
  Channel,
  PROTOCOL_VERSION,
  type ServerMessage,
  ServerMessageSchema,
} from "../../protocol/mod.ts";
import { startTestApp } from "../../tests/support/app.ts";
import { technician } from "../../tests/support/sessions.ts";
import { createPrivateSession, customerStreams, liveRows } from "../support/test_support.ts";
import { endSession, startSession } from "../support/mod.ts";

/** A test agent: a socket, its protocol channel, and a queue of decoded server frames. */
async function connect(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/agent/ws`);
  const channel = new Channel<ServerMessage, AgentMessage>(ServerMessageSchema);
  const inbox: ServerMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.onmessage = (event) => {
    const decoded = channel.decode(event.data);
    assert.ok(decoded.ok, `the server's frames decode: ${!decoded.ok && decoded.reason}`);
    inbox.push(decoded.message);
    waiters.splice(0).forEach((w) => w());
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const next = async (): Promise<ServerMessage> => {
    while (inbox.length === 0) await new Promise<void>((r) => waiters.push(r));
    return inbox.shift()!;
  };
  const closed = new Promise<void>((resolve) => ws.addEventListener("close", () => resolve()));
  return { ws, channel, next, closed, send: (m: AgentMessage) => ws.send(channel.encode(m)) };
}

Deno.test({
  name:
    "agent socket: hello attaches; 2,000 damaged frames are refused one by one; close → Reconnecting",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
    try {
      customerStreams(t.deps).options.graceMs = 50;
      const tech = await technician(t);
      const { session } = await createPrivateSession(t.deps, tech, {
        method: "link",
        customerName: "Carol",
        fields: {},
      });
      const agent = await connect(server.addr.port);
      agent.send({ type: "pong", at: 1 });
      assert.equal((await agent.next()).type, "error", "hello comes first");
      agent.send({
        type: "hello",
        token: session.token,
        deviceId: "device-0001-abcdef",
        os: "linux",
        language: "en",
        agentVersion: "0.1.0",
        screen: { width: 1920, height: 1080 },
      });
      const welcome = await agent.next();
      assert.deepEqual(welcome, { type: "welcome", sessionId: session.id, heartbeatMs: 15000 });
      assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["waiting"]);

      // Damaged frames: each gets an error frame; the good ones in between still count.
      const bad = [
        "{",
        "null",
        JSON.stringify({ v: PROTOCOL_VERSION + 1, seq: 1, msg: { type: "bye", reason: "" } }),
        JSON.stringify({ v: PROTOCOL_VERSION, seq: 999, msg: { type: "bye", reason: "" } }),
        JSON.stringify({ v: PROTOCOL_VERSION, seq: 3, msg: { type: "launch" } }),
        "x".repeat(70_000),
        "[".repeat(20_000),
      ];
      let errors = 0;
      for (let i = 0; i < 2000; i++) {
        agent.ws.send(bad[i % bad.length]);
        const answer = await agent.next();
        assert.equal(answer.type, "error", `frame ${i}`);
        errors++;
        if (i % 250 === 0) agent.send({ type: "pong", at: i });
      }
      assert.equal(errors, 2000);
      agent.send({ type: "pong", at: 2 });
      agent.send({
        type: "hello",
        token: session.token,
        deviceId: "device-0001-abcdef",
        os: "linux",
        language: "en",
        agentVersion: "0.1.0",
        screen: { width: 1, height: 1 },
      });
      const again = await agent.next();
      assert.ok(again.type === "error" && again.code === "already_attached", "still attached");
      assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["waiting"]);
      assert.equal(
        (await (await fetch(`http://127.0.0.1:${server.addr.port}/healthz`)).text()).length > 0,
        true,
      );

      agent.ws.close();
      await agent.closed;
      for (let i = 0; i < 100 && customerStreams(t.deps).openCount(session.id) > 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await customerStreams(t.deps).idle();
      assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["reconnecting"]);
    } finally {
      await server.shutdown();
      await t.close();
    }
  },
});

Deno.test({
  name: "agent socket: an unknown token gets an end frame and the socket closes",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
    try {
      const agent = await connect(server.addr.port);
      agent.send({
        type: "hello",
        token: "NoSuchToken00000000000",
        deviceId: "device-0001-abcdef",
        os: "linux",
        language: "en",
        agentVersion: "0.1.0",
        screen: { width: 1920, height: 1080 },
      });
      assert.equal((await agent.next()).type, "end");
      await agent.closed;
    } finally {
      await server.shutdown();
      await t.close();
    }
  },
});

Deno.test({
  name: "agent socket: the technician ends the session → the agent gets end and a 4404 close",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
    try {
      const tech = await technician(t);
      const { session } = await createPrivateSession(t.deps, tech, {
        method: "link",
        customerName: "Carol",
        fields: {},
      });
      const agent = await connect(server.addr.port);
      let code = 0;
      agent.ws.addEventListener("close", (event) => code = event.code);
      agent.send({
        type: "hello",
        token: session.token,
        deviceId: "device-0001-abcdef",
        os: "linux",
        language: "en",
        agentVersion: "0.1.0",
        screen: { width: 1920, height: 1080 },
      });
      assert.equal((await agent.next()).type, "welcome");
      await startSession(t.deps, tech, session.id);
      await endSession(t.deps, tech, session.id);
      let message = await agent.next();
      while (message.type !== "end") message = await agent.next();
      assert.equal(message.reason, "the session has ended");
      await agent.closed;
      assert.equal(code, 4404);
    } finally {
      await server.shutdown();
      await t.close();
    }
  },
});
