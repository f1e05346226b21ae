import assert from "node:assert/strict";
import { ADMIN, type TestApp, type TestClient, withTestApp } from "../../tests/support/app.ts";

const CSRF_MESSAGE = /did not come from this site/;

/** A client that has loaded the sign-in page, so it holds the CSRF cookie and token. */
async function browserOnSignIn(t: TestApp): Promise<TestClient> {
  const browser = t.client();
  const page = await browser.get("/signin");
  assert.equal(page.status, 200);
  assert.ok(browser.csrf, "the sign-in page carries a CSRF token");
  assert.ok([...browser.cookies.keys()].some((name) => name.endsWith("rs_csrf")));
  return browser;
}

/** Posts the sign-in form exactly as given: no `_csrf` is added. */
async function postRaw(
  browser: TestClient,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return await browser.send("/signin", {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });
}

const CREDENTIALS = { email: ADMIN.email, password: ADMIN.password };

Deno.test("csrfProtection() refuses POST /signin without a _csrf field with 403", async () => {
  await withTestApp(async (t) => {
    const browser = await browserOnSignIn(t);
    const res = await postRaw(browser, CREDENTIALS);
    assert.equal(res.status, 403);
    assert.match(await res.text(), CSRF_MESSAGE);
    assert.equal((await browser.get("/console")).status, 303, "not signed in");
  });
});

Deno.test("csrfProtection() refuses POST /signin with a wrong token with 403", async () => {
  await withTestApp(async (t) => {
    const browser = await browserOnSignIn(t);
    const wrong = browser.csrf.slice(0, -1) + (browser.csrf.endsWith("A") ? "B" : "A");
    for (const token of [wrong, "", "x", browser.csrf + "A"]) {
      const res = await browser.post("/signin", { ...CREDENTIALS, _csrf: token });
      assert.equal(res.status, 403, `token ${JSON.stringify(token)}`);
      assert.match(await res.text(), CSRF_MESSAGE);
    }
  });
});

Deno.test("csrfProtection() refuses another browser's token with 403", async () => {
  await withTestApp(async (t) => {
    const mine = await browserOnSignIn(t);
    const theirs = await browserOnSignIn(t);
    assert.notEqual(mine.csrf, theirs.csrf);
    const res = await mine.post("/signin", { ...CREDENTIALS, _csrf: theirs.csrf });
    assert.equal(res.status, 403);
  });
});

Deno.test("csrfProtection() lets POST /signin with the right token through", async () => {
  await withTestApp(async (t) => {
    const browser = await browserOnSignIn(t);
    const res = await browser.post("/signin", CREDENTIALS);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/console");
  });
});

Deno.test("csrfProtection() accepts the right token with the site's own Origin header", async () => {
  await withTestApp(async (t) => {
    const browser = await browserOnSignIn(t);
    const res = await browser.post("/signin", CREDENTIALS, { origin: "http://localhost" });
    assert.equal(res.status, 303);
  });
});

Deno.test("csrfProtection() refuses a foreign Origin with 403 even with the right token", async () => {
  await withTestApp(async (t) => {
    const browser = await browserOnSignIn(t);
    const res = await browser.post("/signin", CREDENTIALS, { origin: "http://evil.example" });
    assert.equal(res.status, 403);
    assert.match(await res.text(), CSRF_MESSAGE);
    assert.equal((await browser.get("/console")).status, 303, "not signed in");
  });
});

Deno.test("csrfProtection() refuses a cross-site or same-site Sec-Fetch-Site without our Origin, even with the right token", async () => {
  await withTestApp(async (t) => {
    const browser = await browserOnSignIn(t);
    for (const site of ["cross-site", "same-site", "none", "bogus"]) {
      const res = await browser.post("/signin", CREDENTIALS, { "sec-fetch-site": site });
      assert.equal(res.status, 403, site);
      assert.match(await res.text(), CSRF_MESSAGE);
    }
    const multipart = new FormData();
    for (const [name, value] of Object.entries({ ...CREDENTIALS, _csrf: browser.csrf })) {
      multipart.append(name, value);
    }
    const res = await browser.send("/signin", {
      method: "POST",
      body: multipart,
      headers: { "sec-fetch-site": "cross-site", origin: "http://evil.example" },
    });
    assert.equal(res.status, 403, "a cross-site multipart form");
    assert.equal((await browser.get("/console")).status, 303, "not signed in");
  });
});

Deno.test("csrfProtection() accepts the right token from Sec-Fetch-Site: same-origin", async () => {
  await withTestApp(async (t) => {
    const browser = await browserOnSignIn(t);
    const res = await browser.post("/signin", CREDENTIALS, { "sec-fetch-site": "same-origin" });
    assert.equal(res.status, 303);
  });
});

Deno.test("csrfProtection() refuses a same-origin Sec-Fetch-Site without the token", async () => {
  await withTestApp(async (t) => {
    const browser = await browserOnSignIn(t);
    const res = await postRaw(browser, CREDENTIALS, {
      "sec-fetch-site": "same-origin",
      origin: "http://localhost",
    });
    assert.equal(res.status, 403);
  });
});

Deno.test("csrfProtection() accepts an htmx request carrying the token in X-CSRF-Token", async () => {
  await withTestApp(async (t) => {
    const browser = await browserOnSignIn(t);
    const res = await postRaw(browser, CREDENTIALS, {
      "hx-request": "true",
      "x-csrf-token": browser.csrf,
    });
    assert.notEqual(res.status, 403);
    assert.equal(res.status, 303);
    assert.equal((await browser.get("/console")).status, 200, "signed in");
  });
});

Deno.test("csrfProtection() refuses an htmx request with a wrong X-CSRF-Token with 403", async () => {
  await withTestApp(async (t) => {
    const browser = await browserOnSignIn(t);
    const res = await postRaw(browser, CREDENTIALS, {
      "hx-request": "true",
      "x-csrf-token": "not-the-token",
    });
    assert.equal(res.status, 403);
  });
});

Deno.test("csrfProtection() exempts /api/v1: POST /api/v1/auth/token takes JSON without a token", async () => {
  await withTestApp(async (t) => {
    const client = t.client();
    const res = await client.send("/api/v1/auth/token", {
      method: "POST",
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
      headers: { "content-type": "application/json" },
    });
    assert.notEqual(res.status, 403);
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.equal(typeof body.token, "string");
    assert.equal(body.user.email, ADMIN.email);
  });
});
