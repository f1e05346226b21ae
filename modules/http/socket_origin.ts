import type { Context, MiddlewareHandler } from "hono";
import { Refusal } from "../refusal/mod.ts";
import type { AppEnv } from "./types.ts";

/**
 * The Origin check in front of every WebSocket upgrade (a 403 before the upgrade).
 * WebSockets are not covered by CORS or by our CSRF token, and a browser sends cookies on a
 * cross-site upgrade, so the Origin header is the only thing that tells our pages from
 * another site's. Browsers always send it on an upgrade, so on a browser socket
 * (`{ browser: true }`, e.g. the viewer) a missing Origin is refused too. A non-browser
 * client such as the agent sends none, so there it may be missing — but if one is sent it
 * must be ours: a page on another site that opens the socket carries its own.
 * "Ours" is the origin the request was addressed to, or PUBLIC_URL's.
 */
export function socketOrigin(options: { browser: boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin === undefined ? options.browser : !isOurOrigin(c, origin)) {
      throw new Refusal(403, "errors.csrf");
    }
    await next();
  };
}

/** The origin the request was addressed to, or PUBLIC_URL's (behind a reverse proxy). */
export function isOurOrigin(c: Context<AppEnv>, origin: string): boolean {
  return origin === new URL(c.req.url).origin ||
    origin === new URL(c.get("deps").config.publicUrl).origin ||
    // Relayed with a valid signature: the origin the browser addressed at the other instance.
    origin === c.get("relayed")?.origin;
}
