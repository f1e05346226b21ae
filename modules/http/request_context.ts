import type { Context, MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { languageDetector } from "hono/language";
import { requestId } from "hono/request-id";
import { isLanguage, LANGUAGES, translator } from "../i18n/mod.ts";
import type { AppDeps, AppEnv } from "./types.ts";

/**
 * First middleware: hono's `requestId` (an `X-Request-Id` of word characters, `-` and `=`
 * up to 64 long is kept, anything else replaced by a UUID; sent back either way), hono's
 * `languageDetector` (the `rs_lang` cookie, else Accept-Language by q-value, else English),
 * then the context the routes read — deps, a per-request logger, the translator — and one
 * JSON access-log line.
 */
export function requestContext(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return every(
    requestId({ limitLength: 64 }),
    languageDetector({
      order: ["cookie", "header"],
      lookupCookie: "rs_lang",
      supportedLanguages: [...LANGUAGES],
      fallbackLanguage: "en",
      caches: false, // the language selector sets the cookie itself
    }),
    _context(deps),
  );
}

function _context(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const log = deps.log.child({ requestId: c.get("requestId") });
    c.set("deps", deps);
    c.set("log", log);
    c.set("user", undefined);
    setLanguage(c);
    const started = performance.now();
    await next();
    log.info("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}

/**
 * The page's language: the signed-in user's setting, else what the detector found. Called
 * again once the user is known (the session middleware).
 */
export function setLanguage(c: Context<AppEnv>): void {
  const setting = c.get("user")?.language;
  const lang = isLanguage(setting) ? setting : c.get("language");
  c.set("lang", lang);
  c.set("t", translator(lang));
}
