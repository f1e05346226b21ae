// The remote routes' guards: the PIN exchange for the agent (same throttle and answers as
// the PIN page, no cookies needed), the viewer socket only for the technician working the
// session and only from our origin, no consent answer on the server at all (the customer
// answers in the agent's own window), and the support-app download page where no package can
// be made for the visitor's system.
import assert from "node:assert/strict";
import { startTestApp } from "../../tests/support/app.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { visitorOs } from "./mod.ts";

Deno.test("remote routes: PIN exchange, viewer socket guard, consent guard, download page", async () => {
  const t = await startTestApp();
  try {
    const tech = await technician(t);
    const session = await carolSession(t, tech, "pin");
    const pin = session.pin!;
    const join = (body: unknown) =>
      t.app.request("/agent/join", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "10.0.0.9" },
        body: JSON.stringify(body),
      });
    const ok = await join({ pin });
    assert.equal(ok.status, 200);
    assert.match((await ok.json()).link, new RegExp(`/s/${session.token}$`));
    const wrong = await join({ pin: pin === "000000" ? "111111" : "000000" });
    assert.equal(wrong.status, 422);
    assert.equal((await wrong.json()).error, "wrong");
    assert.equal((await (await join({ pin: "12ab" })).json()).error, "malformed");
    assert.equal((await join("not an object")).status, 422);

    // The viewer socket: signed out → sign-in; another technician → refused.
    const anonymous = await t.app.request(`/console/sessions/${session.id}/remote/ws`);
    assert.equal(anonymous.status, 303);
    const other = t.client();
    const stranger = await technician(t, { name: "Stranger" });
    await other.signIn(stranger.email, TECH_PASSWORD);
    const refused = await other.get(`/console/sessions/${session.id}/remote/ws`, {
      origin: "http://localhost",
    });
    assert.ok([404, 409].includes(refused.status), `got ${refused.status}`);

    // The server takes no consent answer: the old signed-answer route is gone.
    const customer = t.client();
    await customer.get(`/s/${session.token}`);
    const answer = await customer.post(`/s/${session.token}/remote/consent`, {
      capability: "control",
      nonce: "n".repeat(24),
      granted: "1",
      signature: "s".repeat(43),
    });
    assert.equal(answer.status, 404);

    // No runtime for Windows on this server (none fetched): the page says so in plain words and
    // shows no developer's command (the package itself: tests/e2e/agent_package_test.ts).
    const download = await customer.get(`/s/${session.token}/agent`, {
      "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
      accept: "text/html",
    });
    assert.equal(download.status, 200);
    const page = await download.text();
    assert.match(page, /There is no support app for your system on this server yet/);
    // …and where to go instead: the chat page's browser share, named as its button is.
    assert.match(
      page,
      /&quot;Share my screen&quot; on the chat page|"Share my screen" on the chat page/,
    );
    assert.doesNotMatch(page, /deno task/);
    assert.equal((await customer.get(`/s/${"z".repeat(32)}/agent`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("the visitor's OS from the user agent", () => {
  assert.equal(visitorOs("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"), "windows");
  assert.equal(visitorOs("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)"), "darwin");
  assert.equal(visitorOs("Mozilla/5.0 (X11; Linux x86_64)"), "linux");
});
