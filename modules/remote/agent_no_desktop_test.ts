// A support app that shares no screen says why in its hello (`noDesktop`; LAN connect's pushed
// app when its SSH user has no desktop): the session keeps it, its log says it in words, the
// queue row shows "No screen" with the reason, and the workspace says it above the view. An
// app that attaches again with a screen clears it. Its remote view is told there is no screen,
// and view and control are refused by the server in words (the app is never asked).
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import {
  agentHello,
  agentSocket,
  servedAppTest,
  viewerSocket,
} from "../../tests/support/sockets.ts";
import { readLog, startSession, supportSessions } from "../support/mod.ts";
import type { AgentMessage } from "../../protocol/mod.ts";

/** The hello of an app that found no desktop of its user ("dave"). */
function blindHello(token: string): AgentMessage {
  const hello = agentHello(token, { width: 1, height: 1 }) as Extract<
    AgentMessage,
    { type: "hello" }
  >;
  return { ...hello, noDesktop: { reason: "noUserDisplay", user: "dave" } };
}

servedAppTest(
  "agent socket: a hello with noDesktop is kept on the session, logged in words, shown in the queue and the workspace; the server refuses view and control",
  async (t, port) => {
    const tech = await technician(t);
    const session = await carolSession(t, tech, "pin");
    const agent = await agentSocket(port);
    agent.send(
      {
        ...agentHello(session.token, { width: 1, height: 1 }),
        noDesktop: { reason: "noUserDisplay", user: "dave" },
      } as Parameters<typeof agent.send>[0],
    );
    assert.equal((await agent.next()).type, "welcome");
    const stored = async () =>
      (await t.deps.db.select().from(supportSessions).where(eq(supportSessions.id, session.id)))[
        0
      ];
    assert.deepEqual((await stored()).noDesktop, { reason: "noUserDisplay", user: "dave" });
    const line = (await readLog(t.deps.db, session.id)).find((l) =>
      l.body === "log.noDesktop.noUserDisplay"
    );
    assert.equal(line?.data.user, "dave");

    const client = t.client();
    await client.signIn(tech.email, TECH_PASSWORD);
    const words = "The support app found no desktop of the user dave on this computer: chat, " +
      "files and system information work, but the screen cannot be shown.";
    const queue = await (await client.get("/console")).text();
    assert.match(queue, /<span class="no-desktop" data-no-desktop="noUserDisplay"/);
    assert.ok(queue.includes(`title="${words}"`), "the queue row's reason in words");
    assert.match(queue, />No screen</);
    await startSession(t.deps, tech, session.id);
    const workspace = await (await client.get(`/console/sessions/${session.id}`)).text();
    assert.match(workspace, /class="flash warn rv-no-desktop" role="note"/);
    assert.ok(workspace.includes(words), "the workspace says it above the view");
    const log = await (await client.get(`/console/sessions/${session.id}/log`)).text();
    assert.ok(log.includes(words), "the session log says it");

    // The technician's remote view hears that the app shares no screen, and the server refuses
    // view and control in words — the customer's app is never asked.
    const viewer = await viewerSocket(port, client, session.id);
    const state = await viewer.next((f) => f.type === "state" && f.agent === "connected");
    assert.equal(state.noDesktop, true);
    const refusedWords = "The customer's support app cannot show this computer's screen: " +
      "desktop view and remote control are not available. Chat, files and system information " +
      "still work.";
    for (const ask of [{ type: "view", on: true }, { type: "control", on: true }]) {
      viewer.send(ask);
      const refused = await viewer.next((f) => f.type === "error");
      assert.deepEqual(refused, { type: "error", code: "no_desktop", reason: refusedWords });
    }
    await assert.rejects(agent.next((m) => m.type === "request", 300), /no matching frame/);
    viewer.ws.close();
    await viewer.closed;

    // The same app reconnecting says the same: one line in the log, not one per reconnection.
    agent.ws.close();
    await agent.closed;
    const back = await agentSocket(port);
    back.send(blindHello(session.token));
    assert.equal((await back.next()).type, "welcome");
    assert.equal(
      (await readLog(t.deps.db, session.id)).filter((l) => l.body.startsWith("log.noDesktop"))
        .length,
      1,
    );
    back.ws.close();
    await back.closed;

    // Back with a screen (another start of the app): nothing is said any more.
    const again = await agentSocket(port);
    again.send(agentHello(session.token));
    assert.equal((await again.next()).type, "welcome");
    assert.equal((await stored()).noDesktop, null);
    const after = await (await client.get(`/console/sessions/${session.id}`)).text();
    assert.doesNotMatch(after, /rv-no-desktop/);
    // With a screen, view is asked of the customer as usual.
    const seeing = await viewerSocket(port, client, session.id);
    const shared = await seeing.next((f) => f.type === "state" && f.agent === "connected");
    assert.equal(shared.noDesktop, false);
    seeing.send({ type: "view", on: true });
    assert.deepEqual(await again.next((m) => m.type === "request"), {
      type: "request",
      capability: "view",
    });
    seeing.ws.close();
    await seeing.closed;
    again.ws.close();
    await again.closed;
  },
);

servedAppTest(
  "agent socket: a missing library, a system without a backend (macOS) or Windows codecs is no screen too — the viewer is told, view is refused",
  async (t, port) => {
    const tech = await technician(t);
    const client = t.client();
    await client.signIn(tech.email, TECH_PASSWORD);
    for (
      const noDesktop of [
        { reason: "library", detail: "libXtst.so" },
        { reason: "other", detail: "The macOS desktop backend (CoreGraphics) is not built yet" },
        // A Windows package built without vpx.dll and yuv.dll: the admin's task is named.
        { reason: "codecs", detail: "vpx.dll, yuv.dll" },
      ] as const
    ) {
      const session = await carolSession(t, tech, "pin");
      const agent = await agentSocket(port);
      agent.send({ ...agentHello(session.token, { width: 1, height: 1 }), noDesktop } as never);
      assert.equal((await agent.next()).type, "welcome");
      await startSession(t.deps, tech, session.id);
      const workspace = await (await client.get(`/console/sessions/${session.id}`)).text();
      assert.match(workspace, new RegExp(`data-no-desktop="${noDesktop.reason}"`));
      if (noDesktop.reason === "codecs") {
        assert.ok(
          workspace.includes(
            "this server&#39;s Windows package lacks the video codecs (vpx.dll, yuv.dll). An " +
              "admin adds them with deno task build:windows-codecs",
          ),
          workspace,
        );
      }
      const viewer = await viewerSocket(port, client, session.id);
      const state = await viewer.next((f) => f.type === "state" && f.agent === "connected");
      assert.equal(state.noDesktop, true, noDesktop.reason);
      viewer.send({ type: "view", on: true });
      assert.equal((await viewer.next((f) => f.type === "error")).code, "no_desktop");
      await assert.rejects(agent.next((m) => m.type === "request", 300), /no matching frame/);
      viewer.ws.close();
      await viewer.closed;
      agent.ws.close();
      await agent.closed;
    }
  },
);
