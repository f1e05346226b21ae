import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./types.ts";

/**
 * A strict CSP: scripts, styles and connections from our own origin only — no inline script
 * or style, so no nonce either — nothing may frame us, forms post only to us.
 */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/**
 * hono's `secureHeaders` with our CSP, no framing, same-origin referrers, no camera,
 * microphone or geolocation, HSTS when we are served over https (its other defaults, such
 * as `Cross-Origin-Resource-Policy: same-origin` and `X-Content-Type-Options: nosniff`,
 * stay on); and `Cache-Control: no-store` on every answer that does not set its own. A route
 * may widen the Permissions-Policy for its own page by setting one (Lens's phone page allows
 * its own origin the camera and microphone, `camera=(self)`): that one is kept.
 */
export function securityHeaders(options: { hsts: boolean }): MiddlewareHandler<AppEnv> {
  const headers = secureHeaders({
    contentSecurityPolicy: CSP,
    xFrameOptions: "DENY",
    referrerPolicy: "same-origin",
    crossOriginOpenerPolicy: "same-origin",
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    strictTransportSecurity: options.hsts ? "max-age=31536000" : false,
  });
  return async (c, next) => {
    let own: string | null = null;
    await headers(c, async () => {
      await next();
      own = c.res.headers.get("Permissions-Policy");
    });
    if (own) c.res.headers.set("Permissions-Policy", own);
    if (!c.res.headers.has("cache-control")) c.header("Cache-Control", "no-store");
  };
}
