// A hold takes view and control away (SPEC Q6, R1); the technician's remote view could still
// ask again while the session was on hold, and the customer's app put the question to them
// for a session nobody worked. The server now refuses it in words, and asks again after Start.
import assert from "node:assert/strict";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import {
  agentHello,
  agentSocket,
  servedAppTest,
  viewerSocket,
} from "../../tests/support/sockets.ts";
import { holdSession, startSession } from "../support/mod.ts";

servedAppTest(
  "viewer socket: desktop view and control are refused while the session is on hold, asked after Start",
  async (t, port) => {
    const tech = await technician(t);
    const session = await carolSession(t, tech, "pin");
    const agent = await agentSocket(port);
    agent.send(agentHello(session.token));
    assert.equal((await agent.next()).type, "welcome");
    await startSession(t.deps, tech, session.id);
    await holdSession(t.deps, tech, session.id);

    const client = t.client();
    await client.signIn(tech.email, TECH_PASSWORD);
    const viewer = await viewerSocket(port, client, session.id);
    await viewer.next((f) => f.type === "state" && f.agent === "connected");
    const words = "The session is on hold or being transferred: nobody works on it, so the " +
      "customer is not asked. Press Start to take it up again, then start desktop view.";
    for (
      const ask of [
        { type: "view", on: true },
        { type: "control", on: true },
        { type: "request_control" },
        { type: "take_control" },
      ]
    ) {
      viewer.send(ask);
      const refused = await viewer.next((f) => f.type === "error");
      assert.deepEqual(refused, { type: "error", code: "not_worked", reason: words }, ask.type);
    }
    await assert.rejects(agent.next((m) => m.type === "request", 300), /no matching frame/);

    // Taken up again: the customer's app is asked.
    await startSession(t.deps, tech, session.id);
    viewer.send({ type: "view", on: true });
    const request = await agent.next((m) => m.type === "request");
    assert.equal((request as { capability?: string }).capability, "view");
    viewer.ws.close();
    await viewer.closed;
    agent.ws.close();
    await agent.closed;
  },
);
