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
  assert.equal(await langFor({ user: "xx" as Language, cookie: "nl", acceptLanguage: "en" }), "nl");
  // A customer-only language is not a staff setting (the account page refuses it too).
  assert.equal(await langFor({ user: "ru" as Language, cookie: "nl", acceptLanguage: "en" }), "nl");
  assert.equal(await langFor({ user: null, cookie: "nl", acceptLanguage: "en" }), "nl");
  assert.equal(await langFor({ cookie: "en", acceptLanguage: "nl" }), "en");
});

Deno.test("requestContext() ignores an unsupported cookie and uses Accept-Language", async () => {
  assert.equal(await langFor({ cookie: "xx", acceptLanguage: "nl" }), "nl");
  assert.equal(await langFor({ cookie: "", acceptLanguage: "nl-NL,nl;q=0.9" }), "nl");
});

Deno.test("requestContext() picks the supported Accept-Language entry with the highest q", async () => {
  assert.equal(await langFor({ acceptLanguage: "xx;q=0.9, nl;q=0.8" }), "nl");
  assert.equal(await langFor({ acceptLanguage: "de;q=0.8, nl;q=0.9, en;q=0.7" }), "nl");
  assert.equal(await langFor({ acceptLanguage: "de;q=0.9, nl;q=0.8, en;q=0.7" }), "de");
  assert.equal(await langFor({ acceptLanguage: "en;q=0.5, nl" }), "nl", "no q means 1");
  assert.equal(await langFor({ acceptLanguage: "nl;q=0.4, en;q=0.6" }), "en");
  assert.equal(await langFor({ acceptLanguage: "NL-be;q=0.8, xx" }), "nl", "region and case");
  assert.equal(await langFor({ acceptLanguage: "xx, nl;q=0, en;q=0.1" }), "en", "q=0 refuses");
});

Deno.test("requestContext() falls back to English", async () => {
  assert.equal(await langFor({}), "en");
  assert.equal(await langFor({ acceptLanguage: "" }), "en");
  assert.equal(await langFor({ acceptLanguage: "sr-RS, eo;q=0.9" }), "en");
  assert.equal(await langFor({ acceptLanguage: "nl;q=0" }), "en");
  assert.equal(await langFor({ acceptLanguage: "*" }), "en");
  assert.equal(await langFor({ acceptLanguage: ";;, ,xx;q=abc" }), "en", "garbage");
  // hono's Accept parser reads a malformed q as 1 (the old hand-written one dropped the entry).
  assert.equal(await langFor({ acceptLanguage: ";;, ,nl;q=abc" }), "nl");
});

Deno.test("a staff page narrows to the staff languages; a customer's page speaks them all", async () => {
  const deps = { log: createLogger({}, () => {}) } as AppDeps;
  const app = new Hono<AppEnv>().use("*", requestContext(deps)).get(
    "*",
    (c) => c.text(c.get("lang")),
  );
  const on = async (path: string, acceptLanguage: string, cookie?: string) => {
    const headers: Record<string, string> = { "accept-language": acceptLanguage };
    if (cookie) headers.cookie = `rs_lang=${cookie}`;
    return (await (await app.request(path, { headers })).text()).split(" ")[0];
  };
  assert.equal(await on("/", "ru, de;q=0.5"), "de", "the next staff language asked for");
  assert.equal(await on("/", "ru"), "en");
  assert.equal(await on("/", "en", "ru"), "en", "a customer's cookie is not a staff language");
  for (const path of ["/pin", "/s/abc", "/c/desk", "/lens/abc"]) {
    assert.equal(await on(path, "ru, de;q=0.5"), "ru", path);
    assert.equal(await on(path, "en", "he"), "he", path);
  }
  assert.equal(await on("/signin", "pt-PT"), "pt-br", "Portuguese outside Brazil: the staff one");
  assert.equal(await on("/pin", "pt-PT"), "pt");
  assert.equal(await on("/pin", "zh-HK"), "zh-tw");
  assert.equal(await on("/pin", "nb-NO"), "no");
});

Deno.test("a customer language's page shows a staff-only key in English and logs it once", async () => {
  const lines: string[] = [];
  const deps = { log: createLogger({}, (line) => lines.push(line)) } as AppDeps;
  const app = new Hono<AppEnv>()
    .use("*", requestContext(deps))
    .get(
      "/s/:token",
      (c) => c.text(`${c.get("t")("customer.pin.title")}|${c.get("t")("signin.title")}`),
    );
  const headers = { "accept-language": "ru" };
  const [inScope, outside] = (await (await app.request("/s/x", { headers })).text()).split("|");
  assert.notEqual(inScope, "Join a support session", "the customer's key is in Russian");
  assert.equal(outside, "Sign in", "a staff key falls to English");
  await app.request("/s/y", { headers });
  const english = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "i18n.english");
  assert.deepEqual(english.map((l) => [l.lang, l.key]), [["ru", "signin.title"]]);
});
