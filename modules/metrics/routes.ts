import { Hono } from "hono";
import { createHash, timingSafeEqual } from "node:crypto";
import type { AppEnv } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import type { AppMetrics } from "./registry.ts";

/**
 * `GET /metrics` in Prometheus' text format. With METRICS_TOKEN set, only a request that
 * sends it (`Authorization: Bearer <token>`) is answered. Without it, only a scraper on
 * this machine is: the socket peer must be a loopback address and the request must not have
 * come through a proxy (no Forwarded / X-Forwarded-For), since a reverse proxy on the same
 * host would otherwise make every visitor look local.
 */
export function metricsRoutes(metrics: AppMetrics): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/metrics", async (c) => {
    const token = c.get("deps").config.metricsToken;
    if (token) {
      const sent = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
      if (!sent || !_sameSecret(sent, token)) {
        throw new Refusal(401, "metrics.tokenRequired", {
          headers: { "WWW-Authenticate": 'Bearer realm="metrics"' },
        });
      }
    } else if (!_localAndDirect(c)) {
      throw new Refusal(403, "metrics.localOnly");
    }
    return c.body(await metrics.registry.metrics(), 200, {
      "content-type": metrics.registry.contentType,
      "cache-control": "no-store",
    });
  });
}

function _localAndDirect(c: { env: unknown; req: { header(name: string): string | undefined } }) {
  if (c.req.header("forwarded") || c.req.header("x-forwarded-for")) return false;
  const peer = (c.env as Partial<Deno.ServeHandlerInfo> | undefined)?.remoteAddr;
  if (!peer || peer.transport !== "tcp") return false;
  const host = peer.hostname.replace(/^::ffff:/, "");
  return host === "::1" || /^127\./.test(host);
}

/** Compares digests, so the time taken tells nothing about the token. */
function _sameSecret(sent: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(sent), digest(expected));
}
