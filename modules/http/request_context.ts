import type { Context, MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { getCookie } from "hono/cookie";
import { requestId } from "hono/request-id";
import {
  isCustomerKey,
  isLanguage,
  isStaffLanguage,
  type Language,
  LANGUAGES,
  matchLanguage,
  STAFF_LANGUAGES,
  type TranslationKey,
  type Translator,
  translator,
} from "../i18n/mod.ts";
import type { AppDeps, AppEnv } from "./types.ts";

/**
 * First middleware: hono's `requestId` (an `X-Request-Id` of word characters, `-` and `=`
 * up to 64 long is kept, anything else replaced by a UUID; sent back either way), the
 * language the browser asks for (`detectLanguage`), then the context the routes read —
 * deps, a per-request logger, the translator — and one JSON access-log line.
 */
export function requestContext(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return every(requestId({ limitLength: 64 }), _context(deps));
}

/**
 * The language this browser asks for among `among`: the `rs_lang` cookie (set by a language
 * menu), else Accept-Language by q-value (`matchLanguage`: "nb" is Norwegian, "zh-HK"
 * traditional Chinese), else English.
 */
export function detectLanguage(c: Context, among: readonly Language[] = LANGUAGES): Language {
  const cookie = getCookie(c, "rs_lang");
  const chosen = cookie ? matchLanguage(cookie, among) : undefined;
  if (chosen) return chosen;
  const asked = (c.req.header("accept-language") ?? "").split(",").map((part, index) => {
    const [tag, ...params] = part.trim().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    return { tag, q: q === undefined ? 1 : Number(q), index };
  }).filter((a) => a.tag && a.q > 0 && a.tag !== "*")
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of asked) {
    const match = matchLanguage(tag, among);
    if (match) return match;
  }
  return "en";
}

/**
 * The customer's pages (SPEC L2): the PIN page, a session's page and what hangs off it, a
 * channel's form, Lens on the phone. They speak every language; the rest of the product
 * speaks the staff languages.
 */
export function isCustomerPath(path: string): boolean {
  return /^\/(pin$|s\/|c\/|lens\/)/.test(path);
}

function _context(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const log = deps.log.child({ requestId: c.get("requestId") });
    c.set("deps", deps);
    c.set("log", log);
    c.set("user", undefined);
    c.set("language", detectLanguage(c));
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
 * The page's language: the signed-in user's setting, else what the browser asks for — any
 * language on a customer's page, a staff language elsewhere. Called again once the user is
 * known (the session middleware).
 */
export function setLanguage(c: Context<AppEnv>): void {
  const setting = c.get("user")?.language;
  const customerPage = isCustomerPath(c.req.path);
  const asked = c.get("language");
  const lang = (customerPage ? isLanguage(setting) : isStaffLanguage(setting))
    ? setting as Language
    : customerPage || isStaffLanguage(asked)
    ? asked
    : detectLanguage(c, STAFF_LANGUAGES);
  c.set("lang", lang);
  c.set("t", isStaffLanguage(lang) ? translator(lang) : _customerTranslator(c, lang));
}

const _reported = new Set<string>();

/**
 * A customer language's translator: a key outside the customer's side shows in English, and
 * is logged once per key and language, so a page that grew one is found.
 */
function _customerTranslator(c: Context<AppEnv>, lang: Language): Translator {
  const inner = translator(lang);
  const t = ((key: TranslationKey, params?: Record<string, unknown>) => {
    if (!isCustomerKey(key) && !_reported.has(`${lang}:${key}`)) {
      _reported.add(`${lang}:${key}`);
      c.get("log").warn("i18n.english", { lang, key, path: c.req.path });
    }
    return inner(key, params);
  }) as Translator;
  t.lang = lang;
  return t;
}
