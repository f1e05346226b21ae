// The agent's control connection through a real socket: hello attaches to the session
// (Connecting → Waiting, like the Instant Chat page), thousands of damaged frames are each
// answered with an `error` frame while the connection and the session stay as they were,
// and closing the socket makes the session Reconnecting after the grace. When the session
// ends, the agent is told (`end`, then close 4404) instead of being left to reconnect.
import assert from "node:assert/strict";
import { PROTOCOL_VERSION } from "../../protocol/mod.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import { agentHello, agentSocket, servedAppTest } from "../../tests/support/sockets.ts";
import { customerStreams, liveRows } from "../support/test_support.ts";
import { endSession, startSession } from "../support/mod.ts";

servedAppTest(
  "agent socket: hello attaches; 2,000 damaged frames are refused one by one; close → Reconnecting",
  async (t, port) => {
    customerStreams(t.deps).options.graceMs = 50;
    const tech = await technician(t);
    const session = await carolSession(t, tech);
    const agent = await agentSocket(port);
    agent.send({ type: "pong", at: 1 });
    assert.equal((await agent.next()).type, "error", "hello comes first");
    agent.send(agentHello(session.token));
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
      // A heartbeat ping may come in between on a slow machine (the loop can take over 15 s),
      // and the server's attach-time question (`agent.about`, docs/agent_ops.md).
      const answer = await agent.next((m) => m.type !== "ping" && m.type !== "op");
      assert.equal(answer.type, "error", `frame ${i}`);
      errors++;
      if (i % 250 === 0) agent.send({ type: "pong", at: i });
    }
    assert.equal(errors, 2000);
    agent.send({ type: "pong", at: 2 });
    agent.send(agentHello(session.token, { width: 1, height: 1 }));
    const again = await agent.next((m) => m.type !== "ping" && m.type !== "op");
    assert.ok(again.type === "error" && again.code === "already_attached", "still attached");
    assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["waiting"]);
    assert.equal(
      (await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).length > 0,
      true,
    );

    agent.ws.close();
    await agent.closed;
    for (let i = 0; i < 100 && customerStreams(t.deps).openCount(session.id) > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await customerStreams(t.deps).idle();
    assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["reconnecting"]);
  },
);

servedAppTest(
  "agent socket: an unknown token gets an end frame and the socket closes",
  async (_t, port) => {
    const agent = await agentSocket(port);
    agent.send(agentHello("NoSuchToken00000000000"));
    assert.equal((await agent.next()).type, "end");
    await agent.closed;
  },
);

servedAppTest(
  "agent socket: the technician ends the session → the agent gets end and a 4404 close",
  async (t, port) => {
    const tech = await technician(t);
    const session = await carolSession(t, tech);
    const agent = await agentSocket(port);
    agent.send(agentHello(session.token));
    assert.equal((await agent.next()).type, "welcome");
    await startSession(t.deps, tech, session.id);
    await endSession(t.deps, tech, session.id);
    let message = await agent.next();
    while (message.type !== "end") message = await agent.next();
    assert.equal(message.reason, "the session has ended");
    assert.equal((await agent.closed).code, 4404);
  },
);
