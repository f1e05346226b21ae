import assert from "node:assert/strict";
import { Hono } from "hono";
import type { Language } from "../i18n/mod.ts";
import { createLogger } from "./log.ts";
import { requestContext, setLanguage } from "./request_context.ts";
import type { AppDeps, AppEnv, CurrentUser } from "./types.ts";

/** The app's first middleware over a route that answers the language and request id. */
function appWith(lines: string[] = [], user?: Partial<CurrentUser>) {
  const deps = { log: createLogger({}, (line) => lines.push(line)) } as AppDeps;
  return new Hono<AppEnv>()
    .use("*", requestContext(deps))
    .get("/", (c) => {
      if (user) {
        c.set("user", user as CurrentUser);
        setLanguage(c);
      }
      return c.text(`${c.get("lang")} ${c.get("t")("nav.signOut")} ${c.get("requestId")}`);
    });
}

async function langFor(
  options: { cookie?: string; acceptLanguage?: string; user?: Language | null },
): Promise<string> {
  const headers: Record<string, string> = {};
  if (options.cookie !== undefined) headers.cookie = `rs_lang=${options.cookie}`;
  if (options.acceptLanguage !== undefined) headers["accept-language"] = options.acceptLanguage;
  const user = options.user === undefined ? undefined : { language: options.user };
  const res = await appWith([], user).request("/", { headers });
  return (await res.text()).split(" ")[0];
}

Deno.test("requestContext() keeps a sane X-Request-Id, replaces others, and sends it back and logs it", async () => {
  const lines: string[] = [];
  const app = appWith(lines);
  const kept = await app.request("/", { headers: { "x-request-id": "abc-123_XYZ" } });
  assert.equal(kept.headers.get("x-request-id"), "abc-123_XYZ");
  assert.match(await kept.text(), / abc-123_XYZ$/);
  for (const bad of ["a b", "x".repeat(65), "<script>", "a\u00e9"]) {
    const res = await app.request("/", { headers: { "x-request-id": bad } });
    const id = res.headers.get("x-request-id") ?? "";
    assert.match(id, /^[0-9a-f-]{36}$/, JSON.stringify(bad));
  }
  const logged = JSON.parse(lines[0]);
  assert.equal(logged.requestId, "abc-123_XYZ");
  assert.equal(logged.msg, "request");
  assert.equal(logged.status, 200);
});

Deno.test("requestContext() sets X-Request-Id on a 404 too", async () => {
  const res = await appWith().request("/nowhere");
  assert.equal(res.status, 404);
  assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
});

Deno.test("requestContext() translates in the negotiated language", async () => {
  const res = await appWith().request("/", { headers: { "accept-language": "nl" } });
  assert.match(await res.text(), /^nl Afmelden /);
});

Deno.test("setLanguage() prefers the user's setting over cookie and Accept-Language", async () => {
  assert.equal(await langFor({ user: "nl", cookie: "en", acceptLanguage: "en" }), "nl");
  assert.equal(await langFor({ user: "en", cookie: "nl", acceptLanguage: "nl" }), "en");
});

Deno.test("requestContext() ignores an unsupported or missing user setting and uses the cookie", async () => {
  assert.equal(await langFor({ user: "fr" as Language, cookie: "nl", acceptLanguage: "en" }), "nl");
  assert.equal(await langFor({ user: null, cookie: "nl", acceptLanguage: "en" }), "nl");
  assert.equal(await langFor({ cookie: "en", acceptLanguage: "nl" }), "en");
});

Deno.test("requestContext() ignores an unsupported cookie and uses Accept-Language", async () => {
  assert.equal(await langFor({ cookie: "xx", acceptLanguage: "nl" }), "nl");
  assert.equal(await langFor({ cookie: "", acceptLanguage: "nl-NL,nl;q=0.9" }), "nl");
});

Deno.test("requestContext() picks the supported Accept-Language entry with the highest q", async () => {
  assert.equal(await langFor({ acceptLanguage: "de;q=0.9, nl;q=0.8" }), "nl");
  assert.equal(await langFor({ acceptLanguage: "de;q=0.9, nl;q=0.8, en;q=0.7" }), "nl");
  assert.equal(await langFor({ acceptLanguage: "en;q=0.5, nl" }), "nl", "no q means 1");
  assert.equal(await langFor({ acceptLanguage: "nl;q=0.4, en;q=0.6" }), "en");
  assert.equal(await langFor({ acceptLanguage: "NL-be;q=0.8, fr" }), "nl", "region and case");
  assert.equal(await langFor({ acceptLanguage: "fr, nl;q=0, en;q=0.1" }), "en", "q=0 refuses");
});

Deno.test("requestContext() falls back to English", async () => {
  assert.equal(await langFor({}), "en");
  assert.equal(await langFor({ acceptLanguage: "" }), "en");
  assert.equal(await langFor({ acceptLanguage: "fr-FR, de;q=0.9" }), "en");
  assert.equal(await langFor({ acceptLanguage: "nl;q=0" }), "en");
  assert.equal(await langFor({ acceptLanguage: "*" }), "en");
  assert.equal(await langFor({ acceptLanguage: ";;, ,xx;q=abc" }), "en", "garbage");
  // hono's Accept parser reads a malformed q as 1 (the old hand-written one dropped the entry).
  assert.equal(await langFor({ acceptLanguage: ";;, ,nl;q=abc" }), "nl");
});
