// A viewer or customer page served by an instance the agent never lived on (its home died,
// or this instance restarted) says "reconnecting" while the agent's last word in the log is a
// connection — it dropped and comes back — and "absent" once the customer quit it.
import assert from "node:assert/strict";
import { startTestApp } from "../../tests/support/app.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import { agentHello, agentSocket, withServer } from "../../tests/support/sockets.ts";
import { agentExpectedBack, customerLeft, loadSession } from "../support/mod.ts";
import { remoteFor } from "./remote_for.ts";
import { remoteHub } from "./remote_hub.ts";

Deno.test({
  name: "an agent that dropped elsewhere is reconnecting here; one the customer quit is absent",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    try {
      await withServer(t, async (port) => {
        const tech = await technician(t);
        const session = await carolSession(t, tech);
        assert.equal(await agentExpectedBack(t.deps.db, session.id), false, "never connected");
        const agent = await agentSocket(port);
        agent.send(agentHello(session.token));
        await agent.next((m) => m.type === "welcome");
        agent.ws.close();
        await agent.closed;
        // This instance forgets it ever held the agent (as one that never did would).
        await new Promise((r) => setTimeout(r, 100));
        remoteHub(t.deps).drop(session.id);
        assert.equal(await agentExpectedBack(t.deps.db, session.id), true);
        // The customer's page, served by this fresh state, says reconnecting.
        const page = await fetch(`http://127.0.0.1:${port}/s/${session.token}/remote/events`);
        const reader = page.body!.pipeThrough(new TextDecoderStream()).getReader();
        let text = "";
        while (!text.includes("event: remote")) {
          const { done, value } = await reader.read();
          if (done) break;
          text += value;
        }
        await reader.cancel();
        assert.equal(page.status, 200, text);
        assert.match(text, /"agent":"reconnecting"/);

        // The customer quits: nothing is expected back, a fresh state stays absent.
        await customerLeft(t.deps, await loadSession(t.deps.db, session.id));
        assert.equal(await agentExpectedBack(t.deps.db, session.id), false);
        remoteHub(t.deps).drop(session.id);
        const remote = remoteFor(t.deps, session);
        assert.equal(remote.customerView().agent, "absent");
      });
    } finally {
      await t.close();
    }
  },
});
