// Issue 11, Low: control characters in `next` / `back`. Every route that redirects to a
// target taken from the request — sign-in (`next`, query and form), the second factor
// (`next` in the query) and the language picker (`back`) — sends a hostile target to its
// default instead, never answers 500, and still honours a plain local path.
import assert from "node:assert/strict";
import { currentTotp } from "../../modules/auth/mod.ts";
import { enrolTotp } from "../support/totp.ts";
import { ADMIN, type TestApp, type TestClient, withTestApp } from "../support/app.ts";

/** Targets a browser would read as another site, or that cannot go into a header. */
const HOSTILE = [
  "//evil.example",
  "///evil.example",
  "/\\evil.example",
  "\\/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "\n",
  "/\r\nSet-Cookie: rs_x=1",
  "/%09/evil.example",
  "/%0a/evil.example",
  "/%2F/evil.example",
  "/%5C/evil.example",
  "/\u0000/x",
  "/\u007f/evil.example",
  "/\u0085/evil.example",
  "/\u2028/evil.example",
  "/\u2029/evil.example",
  "/\u202e/evil.example",
  " //evil.example",
  "https://evil.example",
  "HTTPS://evil.example/",
  "http:evil.example",
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example",
];

function nextField(html: string): string | undefined {
  return /name="next" value="([^"]*)"/.exec(html)?.[1];
}

Deno.test("GET /signin?next= keeps a local path and drops every hostile one", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    const good = await browser.get(`/signin?next=${encodeURIComponent("/console/replies")}`);
    assert.equal(nextField(await good.text()), "/console/replies");
    for (const target of HOSTILE) {
      const res = await browser.get(`/signin?next=${encodeURIComponent(target)}`);
      assert.equal(res.status, 200, JSON.stringify(target));
      assert.equal(nextField(await res.text()), "", JSON.stringify(target));
    }
  });
});

Deno.test("POST /signin with a hostile next goes to /console, a local one is honoured", async () => {
  await withTestApp(async (t) => {
    const signIn = async (next: string) => {
      const browser = t.client();
      await browser.get("/signin");
      return await browser.post("/signin", { ...ADMIN, next });
    };
    assert.equal((await signIn("/console/replies")).headers.get("location"), "/console/replies");
    for (const target of HOSTILE) {
      const res = await signIn(target);
      assert.equal(res.status, 303, JSON.stringify(target));
      assert.equal(res.headers.get("location"), "/console", JSON.stringify(target));
    }
  });
});

Deno.test("POST /lang with a hostile back goes to /signin, a local one is honoured", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    await browser.get("/signin");
    const good = await browser.post("/lang", { lang: "nl", back: "/pin" });
    assert.equal(good.headers.get("location"), "/pin");
    for (const target of HOSTILE) {
      const res = await browser.post("/lang", { lang: "en", back: target });
      assert.equal(res.status, 303, JSON.stringify(target));
      assert.equal(res.headers.get("location"), "/signin", JSON.stringify(target));
    }
  });
});

async function enrolAdmin(t: TestApp): Promise<string> {
  const browser = t.client();
  await browser.signIn(ADMIN.email, ADMIN.password);
  const enrolled = await enrolTotp(browser, (secret) => currentTotp(secret, t.clock.now()));
  assert.equal(enrolled.confirmed.status, 200);
  return enrolled.secret;
}

Deno.test("the second factor carries only a local next, and ends at /console otherwise", async () => {
  await withTestApp(async (t) => {
    const secret = await enrolAdmin(t);
    const twoStep = async (next: string): Promise<[Response, Response]> => {
      t.clock.advance(30_000); // a fresh TOTP step: each code works once
      const browser: TestClient = t.client();
      await browser.get("/signin");
      const first = await browser.post("/signin", { ...ADMIN, next });
      await browser.get("/signin/2fa");
      const code = currentTotp(secret, t.clock.now());
      const second = await browser.post(`/signin/2fa?next=${encodeURIComponent(next)}`, { code });
      return [first, second];
    };
    const [goodFirst, goodSecond] = await twoStep("/console/replies");
    assert.equal(goodFirst.headers.get("location"), "/signin/2fa?next=%2Fconsole%2Freplies");
    assert.equal(goodSecond.headers.get("location"), "/console/replies");
    for (const target of HOSTILE) {
      const [first, second] = await twoStep(target);
      assert.equal(first.headers.get("location"), "/signin/2fa", JSON.stringify(target));
      assert.equal(second.status, 303, JSON.stringify(target));
      assert.equal(second.headers.get("location"), "/console", JSON.stringify(target));
    }
  });
});

Deno.test("a signed-out visit sends only a local path on to the sign-in page", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    const plain = await browser.get("/console/replies");
    assert.equal(plain.headers.get("location"), "/signin?next=%2Fconsole%2Freplies");
    for (const path of ["//evil.example/console", "/%09/evil.example"]) {
      const res = await browser.get(path);
      const location = res.headers.get("location");
      if (location === null) continue; // not a guarded page at all
      assert.ok(!/next=%2F%2F|next=%2F%09/i.test(location), `${path} → ${location}`);
    }
  });
});

Deno.test("a form sent after the session ended returns, once signed in, to the page it was on", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    await browser.get("/account");
    t.clock.advance(13 * 3_600_000); // idle past the session's 12 hours
    const late = await browser.post("/account/password", {}, {
      "hx-request": "true",
      "hx-current-url": `${t.deps.config.publicUrl}/account?tab=1`,
    });
    assert.equal(late.status, 401);
    assert.equal(late.headers.get("hx-redirect"), "/signin?next=%2Faccount%3Ftab%3D1");
    const plain = await browser.post("/account/language", { language: "nl" });
    assert.equal(
      plain.headers.get("location"),
      "/signin",
      "a form's address is no page to return to",
    );
    const hostile = await browser.post("/account/password", {}, {
      "hx-request": "true",
      "hx-current-url": `${t.deps.config.publicUrl}//evil.example/x`,
    });
    assert.equal(hostile.headers.get("hx-redirect"), "/signin");
  });
});
