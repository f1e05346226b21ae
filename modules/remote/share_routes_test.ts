// The technician's "ask for the support app" route (share_routes.ts) on a real app and
// database: refused without a browser share and for a technician not on the session; with
// one, the customer's page hears the request and the session log says who asked; the app may
// then join by the session's PIN although the share holds the session (a share is no app).
// The share here is a view-only link on the session's RemoteSession (the browser side is
// tests/e2e/browser_screen_share_test.ts). And the share's offer claims the session's home
// before the share takes the RemoteSession, as the agent does (home_watch_test.ts).
import assert from "node:assert/strict";
import { MediaStreamTrack, RTCPeerConnection, useVP8 } from "werift";
import { registerInstance } from "../cluster/mod.ts";
import { startTestApp } from "../../tests/support/app.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { readLog } from "../support/mod.ts";
import { remoteHub } from "./mod.ts";
import { homeOf } from "./agent_home.ts";
import { checkHome } from "./home_watch.ts";
import { agentHomes } from "./schema.ts";
import { browserShareOf } from "./share_routes.ts";

Deno.test("POST /console/sessions/:id/share/switch asks a browser-sharing customer for the app", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann, "pin");
    const lead = t.client();
    await lead.signIn(ann.email, TECH_PASSWORD);
    await lead.get(`/console/sessions/${session.id}/remote`);
    const path = `/console/sessions/${session.id}/share/switch`;

    const none = await lead.post(path, {});
    assert.equal(none.status, 409, "no browser share yet");

    const remote = remoteHub(t.deps).session(session.orgId, session.id);
    remote.agentAttached({ viewOnly: true, send: () => {}, close: () => {} }, {
      width: 800,
      height: 600,
    });
    const stranger = t.client();
    const bob = await technician(t, { name: "Bob" });
    await stranger.signIn(bob.email, TECH_PASSWORD);
    await stranger.get("/console");
    const refused = await stranger.post(path, {});
    assert.ok([403, 404, 409].includes(refused.status), `a stranger got ${refused.status}`);
    assert.equal(remote.customerView().switchAsked, false);

    const asked = await lead.post(path, {});
    assert.equal(asked.status, 204);
    assert.equal(remote.customerView().switchAsked, true);
    for (let i = 0; i < 50; i++) {
      const lines = await readLog(t.deps.db, session.id);
      if (lines.some((l) => l.body === "log.remote.switchAsked")) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const line = (await readLog(t.deps.db, session.id)).find((l) =>
      l.body === "log.remote.switchAsked"
    );
    assert.equal(line?.authorName, "Ann");

    // The app joins by the session's code while the share holds the session.
    const join = await t.app.request("/agent/join", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "10.0.0.9" },
      body: JSON.stringify({ pin: session.pin }),
    });
    assert.equal(join.status, 200, "a browser share does not block the app");
    remote.close();
  } finally {
    await t.close();
  }
});

/** A browser's complete offer of one video track (VP8), from a werift peer standing in. */
async function browserOffer(): Promise<{ sdp: string; close: () => Promise<void> }> {
  const browser = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
  browser.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
  await browser.setLocalDescription(await browser.createOffer());
  if (browser.iceGatheringState !== "complete") {
    await new Promise<void>((resolve) =>
      browser.iceGatheringStateChange.subscribe((state) => state === "complete" && resolve())
    );
  }
  return { sdp: browser.localDescription!.sdp, close: () => browser.close() };
}

Deno.test({
  name:
    "POST /s/:token/share/offer while the home still names a dying instance and checks keep coming — the share keeps the hub's session",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // After a failover the row names the dead instance (live a few seconds more) while the
    // customer's page offers its share here, and reconnecting viewers check the home
    // meanwhile. A check that read the dead row drops this instance's `RemoteSession`: the
    // share must take the session after its claim, or it holds an orphan no viewer sees (as
    // the agent's attach, home_watch_test.ts).
    const t = await startTestApp();
    const offer = await browserOffer();
    let checking = true;
    let checks = Promise.resolve();
    try {
      const ann = await technician(t, { name: "Ann" });
      const session = await workingSession(t, ann, "pin");
      const dying = { id: crypto.randomUUID(), internalUrl: "http://127.0.0.1:9" };
      await registerInstance(t.deps.db, dying, t.clock.now());
      await t.deps.db.insert(agentHomes)
        .values({ sessionId: session.id, instanceId: dying.id, since: t.clock.now() });
      assert.equal((await homeOf(t.deps, session.id)).kind, "elsewhere");

      const customer = t.client();
      await customer.get(`/s/${session.token}`);
      checks = (async () => {
        while (checking) {
          await checkHome(t.deps, session);
          await new Promise((r) => setTimeout(r, 1)); // PGlite answers without yielding to I/O
        }
      })();
      const res = await customer.send(`/s/${session.token}/share/offer`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": customer.csrf },
        body: JSON.stringify({ sdp: offer.sdp }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.match((await res.json()).sdp, /^v=0/);
      assert.equal((await homeOf(t.deps, session.id)).kind, "here", "the share's home is here");
      for (let i = 0; i < 5; i++) await checkHome(t.deps, session);
      checking = false;
      await checks;
      const share = browserShareOf(t.deps, session.id);
      assert.ok(share && !share.closed, "the share runs");
      assert.equal(share.remote, remoteHub(t.deps).find(session.id), "the hub's session");
      share.close();
    } finally {
      checking = false;
      await checks;
      await offer.close();
      await t.close();
    }
  },
});
