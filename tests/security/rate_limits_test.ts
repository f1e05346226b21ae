// Issue 11, item 8 and the chat half of "a per-session quota": one limiter per action over
// the shared `rate_limits` table, so every door of an action and every instance of the
// server spend the same budget.
import assert from "node:assert/strict";
import { createApp } from "../../modules/app/mod.ts";
import { LiveHub } from "../../modules/live/mod.ts";
import { createPinSession, HTMX, signedInTechnician } from "../../modules/console/test_fixtures.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { TECH_PASSWORD } from "../support/org.ts";

type Requester = { request: (url: string, init?: RequestInit) => Response | Promise<Response> };

async function apiToken(app: Requester, email: string): Promise<string> {
  const res = await app.request("http://localhost/api/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: TECH_PASSWORD }),
  });
  assert.equal(res.status, 201);
  return (await res.json()).token;
}

function createByApi(app: Requester, token: string): Promise<Response> {
  return Promise.resolve(app.request("http://localhost/api/v1/sessions", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ method: "pin", customerName: "Batch" }),
  }));
}

Deno.test("session creation: the console dialog and the API spend one budget of 30 a minute", async () => {
  const t = await startTestApp();
  try {
    const { user, browser } = await signedInTechnician(t);
    const token = await apiToken(t.app, user.email);
    for (let i = 0; i < 15; i++) {
      await createPinSession(t, browser, `Console ${i}`);
      assert.equal((await createByApi(t.app, token)).status, 201, `API #${i + 1}`);
    }
    const console = await browser.post("/console/sessions", { method: "pin", name: "More" }, HTMX);
    assert.equal(console.status, 429, "the console door is limited too");
    assert.ok(Number(console.headers.get("retry-after")) > 0);
    assert.match(
      await console.text(),
      /Too many sessions were created with this account\. Wait \d+ seconds/,
    );
    const api = await createByApi(t.app, token);
    assert.equal(api.status, 429);
    assert.equal(api.headers.get("content-type"), "application/problem+json");

    const plain = await browser.post("/console/sessions", { method: "pin", name: "No htmx" });
    assert.equal(plain.status, 429, "a plain form gets the error page");
    assert.match(await plain.text(), /Too many sessions/);

    t.clock.advance(Number(console.headers.get("retry-after")) * 1000);
    assert.equal((await createByApi(t.app, token)).status, 201, "the budget comes back");
  } finally {
    await t.close();
  }
});

Deno.test("session creation: two instances over one database share the budget", async () => {
  const t = await startTestApp();
  try {
    // A second server process: its own app and hub, the same database.
    const second = createApp({ ...t.deps, live: new LiveHub() });
    const { user } = await signedInTechnician(t);
    const token = await apiToken(t.app, user.email);
    for (let i = 0; i < 20; i++) assert.equal((await createByApi(t.app, token)).status, 201);
    for (let i = 0; i < 10; i++) assert.equal((await createByApi(second, token)).status, 201);
    assert.equal((await createByApi(second, token)).status, 429, "the other instance knows");
    assert.equal((await createByApi(t.app, token)).status, 429);
  } finally {
    await t.close();
  }
});

async function customerOf(t: TestApp) {
  const { browser } = await signedInTechnician(t);
  const session = await createPinSession(t, browser);
  const customer = t.client();
  await customer.get(`/s/${session.token}`);
  return { session, customer };
}

Deno.test("customer chat: 60 messages a minute per session, then 429 with a clear message", async () => {
  const t = await startTestApp();
  try {
    const { session, customer } = await customerOf(t);
    for (let i = 0; i < 60; i++) {
      const res = await customer.post(`/s/${session.token}/chat`, { text: `line ${i}` });
      assert.equal(res.status, 303, `message ${i + 1}`);
    }
    const refused = await customer.post(`/s/${session.token}/chat`, { text: "one more" });
    assert.equal(refused.status, 429);
    const wait = Number(refused.headers.get("retry-after"));
    assert.ok(wait > 0 && wait <= 120);
    const page = await refused.text();
    assert.match(
      page,
      new RegExp(`You are sending messages too quickly\\. Please wait ${wait} seconds`),
    );
    assert.match(page, /one more/, "what the customer typed is kept in the form");
    const htmx = await customer.post(`/s/${session.token}/chat`, { text: "again" }, HTMX);
    assert.equal(htmx.status, 429);
    assert.match(await htmx.text(), /sending messages too quickly/);

    const other = await customerOf(t);
    const elsewhere = await other.customer.post(`/s/${other.session.token}/chat`, { text: "hi" });
    assert.equal(elsewhere.status, 303, "per session");

    t.clock.advance(wait * 1000);
    const later = await customer.post(`/s/${session.token}/chat`, { text: "later" });
    assert.equal(later.status, 303);
  } finally {
    await t.close();
  }
});
