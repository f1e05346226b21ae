// Issue 13: the customer typed the PIN on the page, then started the support app with the same
// PIN and was told "That PIN is not valid". A used code now stays with its session while that
// session waits or works: the support app joins with it (unless the session has its app
// already), the browser that used it gets back in; any other browser is told it is wrong.
import assert from "node:assert/strict";
import { remoteHub } from "../../modules/remote/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  customerLeft,
  findByToken,
} from "../../modules/support/mod.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { technician } from "../support/sessions.ts";

async function join(t: TestApp, pin: string, ip = "203.0.113.7") {
  const res = await t.app.request("http://localhost/agent/join", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pin }),
  }, { remoteAddr: { hostname: ip } });
  return { status: res.status, body: await res.json() };
}

async function joinedByPin(t: TestApp) {
  const tech = await technician(t);
  const { session } = await createPrivateSession(t.deps, tech, {
    method: "pin",
    customerName: "Carol",
    fields: {},
  });
  const browser = t.client();
  await browser.get("/pin");
  const page = await browser.post("/pin", { pin: session.pin! });
  assert.equal(page.status, 303);
  assert.equal(page.headers.get("location"), `/s/${session.token}`);
  // The customer's page is connected: the session waits for its technician.
  await customerConnected(t.deps, (await findByToken(t.deps, session.token))!);
  return { session, browser, pin: session.pin! };
}

Deno.test("a customer who joined by PIN on the page connects the support app with the same PIN", async () => {
  const t = await startTestApp();
  try {
    const { session, pin } = await joinedByPin(t);
    const agent = await join(t, pin);
    assert.equal(agent.status, 200, JSON.stringify(agent.body));
    assert.match(agent.body.link, new RegExp(`/s/${session.token}$`));

    // Once the session has its app, a second join (which would replace it) is a wrong PIN.
    const link = { send() {}, close() {} };
    remoteHub(t.deps).session(session.orgId, session.id)
      .agentAttached(link, { width: 800, height: 600 });
    assert.deepEqual(await join(t, pin), { status: 422, body: { error: "wrong" } });
    // The app went away (a restart): it may join again.
    remoteHub(t.deps).find(session.id)!.agentDetached(link);
    assert.equal((await join(t, pin)).status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("the browser that used a PIN gets back in with it; another browser is told it is wrong", async () => {
  const t = await startTestApp();
  try {
    const { session, browser, pin } = await joinedByPin(t);
    const again = await browser.post("/pin", { pin });
    assert.equal(again.status, 303, "the same browser");
    assert.equal(again.headers.get("location"), `/s/${session.token}`);

    const other = t.client();
    await other.get("/pin");
    const refused = await other.post("/pin", { pin });
    assert.equal(refused.status, 422, "another browser learns nothing about the used code");
    assert.match(await refused.text(), /not valid/i);

    // An hour on, the session still waits: the code still works for them.
    t.clock.advance(60 * 60_000);
    assert.equal((await browser.post("/pin", { pin })).status, 303, "past the connecting timeout");
  } finally {
    await t.close();
  }
});

Deno.test("a used PIN ends with its session (and is free for another)", async () => {
  const t = await startTestApp();
  try {
    const { session, browser, pin } = await joinedByPin(t);
    await customerLeft(t.deps, (await findByToken(t.deps, session.token))!);
    assert.equal((await findByToken(t.deps, session.token))!.pin, null, "the code is released");
    assert.equal((await join(t, pin)).status, 422);
    assert.equal((await browser.post("/pin", { pin })).status, 422);
  } finally {
    await t.close();
  }
});
