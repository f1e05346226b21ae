// Home checks against this instance's own claim of the agent's home (home_watch.ts,
// agent_home.ts), on either engine. After a failover the row still names the dead instance
// (live for a few seconds more) while the agent attaches here, and the viewer's and customer's
// reconnecting sockets check the home meanwhile: a check that read the old row must not act
// after the claim — it dropped the `RemoteSession` the agent had just attached to, and the
// viewers that came next found a session without the agent ("reconnecting", no picture, for
// good: the agent's socket stayed open on the orphan).
import assert from "node:assert/strict";
import { registerInstance } from "../cluster/mod.ts";
import { findByToken, type SupportSession } from "../support/mod.ts";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import { agentHello, agentSocket, servedAppTest } from "../../tests/support/sockets.ts";
import { claimHome, homeOf } from "./agent_home.ts";
import { checkHome } from "./home_watch.ts";
import { remoteFor } from "./remote_for.ts";
import { remoteHub } from "./remote_hub.ts";
import { agentHomes } from "./schema.ts";

/** A session whose agent's home is another instance that still beats (it just died). */
async function homeOnDyingInstance(t: TestApp): Promise<SupportSession> {
  const tech = await technician(t);
  const created = await carolSession(t, tech);
  const session = (await findByToken(t.deps, created.token))!;
  const dying = { id: crypto.randomUUID(), internalUrl: "http://127.0.0.1:9" };
  await registerInstance(t.deps.db, dying, t.clock.now());
  await t.deps.db.insert(agentHomes)
    .values({ sessionId: session.id, instanceId: dying.id, since: t.clock.now() });
  assert.equal((await homeOf(t.deps, session.id)).kind, "elsewhere");
  return session;
}

Deno.test("checkHome() begun before this instance's claim does not drop the agent attached after it", async () => {
  const t = await startTestApp();
  try {
    const session = await homeOnDyingInstance(t);
    // A viewer's check starts (it reads the dying instance's row), then the agent claims
    // the home here and attaches, as agent_gateway.ts does.
    const check = checkHome(t.deps, session);
    await claimHome(t.deps, session);
    const remote = remoteFor(t.deps, session);
    remote.agentAttached({ send: () => {}, close: () => {} }, { width: 640, height: 480 });
    await check;
    assert.equal(remoteHub(t.deps).find(session.id), remote, "the agent's session is kept");
    assert.equal(remote.presence, "connected");
  } finally {
    await t.close();
  }
});

servedAppTest(
  "agent socket: hello while the home still names a dying instance and checks keep coming — the agent's session stays",
  async (t, port) => {
    const session = await homeOnDyingInstance(t);
    // Reconnecting viewers and customer streams check the home over and over meanwhile — and
    // at each step of the agent's attach that says something (the log line, Waiting).
    const unsubscribe = t.deps.live.subscribe(session.orgId, (event) => {
      if ("sessionId" in event && event.sessionId === session.id) checkHome(t.deps, session);
    });
    let checking = true;
    const checks = (async () => {
      while (checking) {
        await checkHome(t.deps, session);
        await new Promise((r) => setTimeout(r, 1)); // PGlite answers without yielding to I/O
      }
    })();
    const agent = await agentSocket(port);
    try {
      agent.send(agentHello(session.token));
      await agent.next((m) => m.type === "welcome");
      const until = Date.now() + 5_000;
      while ((await homeOf(t.deps, session.id)).kind !== "here") {
        assert.ok(Date.now() < until, "the home is claimed here");
        await new Promise((r) => setTimeout(r, 10));
      }
      // A few more checks, all reading the claim.
      for (let i = 0; i < 5; i++) await checkHome(t.deps, session);
      checking = false;
      await checks;
      const remote = remoteHub(t.deps).find(session.id);
      assert.ok(remote?.agent, "the hub's session of it has the agent attached");
      assert.equal(remote.presence, "connected");
    } finally {
      unsubscribe();
      checking = false;
      await checks;
      agent.ws.close();
    }
  },
);
