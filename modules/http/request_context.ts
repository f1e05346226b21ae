import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { negotiateLanguage, translator } from "../i18n/mod.ts";
import type { AppDeps, AppEnv } from "./types.ts";

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * First middleware: request id (kept from X-Request-Id when sane), a per-request logger,
 * a provisional language from cookie/Accept-Language, and one JSON access-log line.
 */
export function requestContext(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header("x-request-id");
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    const log = deps.log.child({ requestId });
    c.set("deps", deps);
    c.set("requestId", requestId);
    c.set("log", log);
    c.set("user", undefined);
    setLanguage(c);
    const started = performance.now();
    await next();
    c.header("X-Request-Id", requestId);
    log.info("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}

/** (Re-)negotiates the language; called again once the signed-in user is known. */
// deno-lint-ignore no-explicit-any
export function setLanguage(c: any) {
  const lang = negotiateLanguage({
    user: c.get("user")?.language,
    cookie: getCookie(c, "rs_lang"),
    acceptLanguage: c.req.header("accept-language"),
  });
  c.set("lang", lang);
  c.set("t", translator(lang));
}
