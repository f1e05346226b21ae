import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { multipartBoundary, peekFirstField } from "../files/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { isOurOrigin } from "./socket_origin.ts";
import type { AppEnv } from "./types.ts";
import { base64url, randomToken, timingSafeEqual } from "../tokens/mod.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Where a browser says a request comes from, judged by hono's `csrf()`: `Sec-Fetch-Site:
 * same-origin`, or an Origin that is ours. It judges the bodies a page on another site can
 * send without asking (forms, text/plain); any other type needs a CORS preflight, which we
 * never grant. hono throws its own 403; ours is the CSRF page.
 */
const fromOurSite = csrf({
  origin: (origin, c) => isOurOrigin(c, origin),
  secFetchSite: "same-origin",
});

/**
 * CSRF protection for every cookie-authenticated, state-changing request (forms and
 * htmx alike): a request that says where it comes from (Origin or Sec-Fetch-Site, as every
 * browser does) must come from our site (`fromOurSite`), and every request must carry a
 * token (form field `_csrf` or header `X-CSRF-Token`) that is the HMAC of a random
 * per-browser cookie. The JSON API under /api/ authenticates with bearer tokens and takes
 * no cookies, and the agent's `/agent/join` trades a PIN for a link without any cookie, and
 * its file-data connections (`/agent/file-data/:ticket`) carry a bearer token and a one-time
 * ticket, so they are exempt.
 */
export function csrfProtection(options: { secret: string; secure: boolean }): MiddlewareHandler<
  AppEnv
> {
  const keyPromise = crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(options.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const cookieName = options.secure ? "__Host-rs_csrf" : "rs_csrf";
  return async (c, next) => {
    if (
      c.req.path.startsWith("/api/") || c.req.path === "/agent/join" ||
      c.req.path.startsWith("/agent/file-data/") ||
      // The unattended device's own commands: no cookies, each proven by its device key.
      c.req.path.startsWith("/agent/device/") ||
      // The calling card's app submits a channel's form as JSON: no cookies (channels).
      c.req.path.startsWith("/agent/channel/")
    ) return await next();
    const key = await keyPromise;
    let seed = getCookie(c, cookieName);
    if (!seed || !/^[A-Za-z0-9_-]{32,64}$/.test(seed)) {
      seed = randomToken();
      setCookie(c, cookieName, seed, {
        path: "/",
        httpOnly: true,
        sameSite: "Lax",
        secure: options.secure,
      });
    }
    const expected = await sign(key, seed);
    c.set("csrf", expected);
    if (!SAFE_METHODS.has(c.req.method)) {
      if (c.req.header("origin") !== undefined || c.req.header("sec-fetch-site") !== undefined) {
        await fromOurSite(c, async () => {}).catch(() => {
          throw new Refusal(403, "errors.csrf");
        });
      }
      const given = c.req.header("x-csrf-token") ?? (await formToken(c));
      if (!given || !timingSafeEqual(given, expected)) throw new Refusal(403, "errors.csrf");
    }
    await next();
  };
}

/** The token to embed in forms and the htmx header for this request. */
export function csrfToken<E extends AppEnv>(c: Context<E>): string {
  return c.get("csrf");
}

async function formToken(c: Context): Promise<string | undefined> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("form")) return undefined;
  const boundary = multipartBoundary(type);
  if (boundary && c.req.raw.body && !c.req.raw.bodyUsed) {
    // Our forms send `_csrf` first: read just that, so a plain-form upload reaches its route
    // still streaming instead of parsed whole in memory here.
    try {
      const peeked = await peekFirstField(c.req.raw.body, boundary, "_csrf");
      c.req.raw = new Request(c.req.raw, { body: peeked.body, duplex: "half" } as RequestInit);
      if (peeked.value !== undefined) return peeked.value;
    } catch {
      return undefined; // the body failed (past its cap, or cut): refused either way
    }
  }
  // The body is already capped for this route (bodyLimit runs first): past the cap it fails.
  try {
    const body = await c.req.parseBody();
    return typeof body._csrf === "string" ? body._csrf : undefined;
  } catch {
    return undefined;
  }
}

async function sign(key: CryptoKey, value: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(value));
  return base64url(new Uint8Array(mac));
}
