// The technician's "ask for the support app" route (share_routes.ts) on a real app and
// database: refused without a browser share and for a technician not on the session; with
// one, the customer's page hears the request and the session log says who asked; the app may
// then join by the session's PIN although the share holds the session (a share is no app).
// The share here is a view-only link on the session's RemoteSession (the browser side is
// tests/e2e/browser_screen_share_test.ts).
import assert from "node:assert/strict";
import { startTestApp } from "../../tests/support/app.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { readLog } from "../support/mod.ts";
import { remoteHub } from "./mod.ts";

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
