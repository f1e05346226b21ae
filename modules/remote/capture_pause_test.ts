// The support app cannot capture the customer's screen for a while (Windows' secure desktop: a
// UAC prompt, the lock or sign-in screen; a grab the X server refuses): its `capture` message
// reaches every remote view of the session as the state's `capturePaused`, each change is one
// line of the session's log in words, a repeat changes nothing, and a new connection of the app
// starts unpaused (it says the pause again while it lasts).
import assert from "node:assert/strict";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import {
  agentHello,
  agentSocket,
  servedAppTest,
  viewerSocket,
} from "../../tests/support/sockets.ts";
import { readLog, startSession } from "../support/mod.ts";
import { eventually } from "../../tests/support/eventually.ts";
import type { AgentMessage } from "../../protocol/mod.ts";

const SECURE: AgentMessage = {
  type: "capture",
  paused: true,
  reason: "secure_desktop",
  detail: "SecureDesktopError: Windows shows the secure desktop",
};

servedAppTest(
  "agent socket: a capture pause and its end reach every remote view and the session log, once each",
  async (t, port) => {
    const tech = await technician(t);
    const session = await carolSession(t, tech, "pin");
    const agent = await agentSocket(port);
    agent.send(agentHello(session.token));
    assert.equal((await agent.next()).type, "welcome");
    const client = t.client();
    await client.signIn(tech.email, TECH_PASSWORD);
    await startSession(t.deps, tech, session.id);
    // Two windows on the session (a detached view, a collaborator's): each is told.
    const views = [
      await viewerSocket(port, client, session.id),
      await viewerSocket(port, client, session.id),
    ];
    for (const view of views) {
      const state = await view.next((f) => f.type === "state" && f.agent === "connected");
      assert.equal(state.capturePaused, null);
    }
    const logged = async () =>
      (await readLog(t.deps.db, session.id)).filter((l) => l.body.startsWith("log.remote.capture"));

    agent.send(SECURE);
    for (const view of views) {
      await view.next((f) => f.type === "state" && f.capturePaused === "secure_desktop");
    }
    agent.send(SECURE); // said again (a reconnection it did not notice): no second line
    agent.send({ type: "capture", paused: false });
    for (const view of views) {
      await view.next((f) => f.type === "state" && f.capturePaused === null);
    }
    agent.send({ type: "capture", paused: true, reason: "failed", detail: "Error: X refused" });
    await views[0].next((f) => f.type === "state" && f.capturePaused === "failed");
    // Written after the viewers are told: looked at until the third line is there.
    const lines = await eventually("three log lines", async () => {
      const lines = await logged();
      return lines.length >= 3 ? lines : null;
    });
    assert.deepEqual(lines.map((l) => [l.body, l.data]), [
      ["log.remote.captureSecureDesktop", {}],
      ["log.remote.captureResumed", {}],
      ["log.remote.captureFailed", { detail: "Error: X refused" }],
    ]);
    const log = await (await client.get(`/console/sessions/${session.id}/log`)).text();
    for (
      const words of [
        "The customer&#39;s computer showed a secure screen (a UAC prompt, the lock or sign-in " +
        "screen): the picture paused.",
        "The picture is live again.",
        "The support app could not capture the screen: the picture paused (Error: X refused).",
      ]
    ) assert.ok(log.includes(words), `the log says: ${words}`);

    // The app connects again: the server starts from "capturing" until it says otherwise.
    agent.ws.close();
    await agent.closed;
    const back = await agentSocket(port);
    back.send(agentHello(session.token));
    assert.equal((await back.next()).type, "welcome");
    await views[0].next((f) =>
      f.type === "state" && f.agent === "connected" &&
      f.capturePaused === null
    );
    for (const view of views) {
      view.ws.close();
      await view.closed;
    }
    back.ws.close();
    await back.closed;
  },
);
