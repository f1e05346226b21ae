import type { MiddlewareHandler } from "hono";
import { clusterSecret, RELAY_HEADER, verifyRelay } from "../cluster/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import type { AppEnv } from "./types.ts";

// Only a relayed request with a valid signature (`RelayedRequest`, types.ts) may say who the
// client is (`X-Forwarded-For`) and which origin is ours (`X-Forwarded-Host`/`-Proto`).

/** Headers the relaying instance sets beside the signature. */
export const RELAY_FORWARDED = {
  for: "x-forwarded-for",
  host: "x-forwarded-host",
  proto: "x-forwarded-proto",
} as const;

/**
 * Early in the chain: a request with `X-Rescue-Relay` is believed (`c.get("relayed")`) only
 * with a valid, unexpired signature of its method, path and query under the cluster secret;
 * any other value is refused with 403 before anything else reads the request.
 */
export function relayedRequests(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header(RELAY_HEADER);
    if (header === undefined) return await next();
    const deps = c.get("deps");
    const url = new URL(c.req.url);
    const from = await verifyRelay(
      clusterSecret(deps.config),
      header,
      { method: c.req.method, path: url.pathname + url.search },
      deps.clock.now(),
    );
    if (!from) throw new Refusal(403, "errors.forbidden");
    const client = c.req.header(RELAY_FORWARDED.for)?.split(",")[0]?.trim() || null;
    const host = c.req.header(RELAY_FORWARDED.host);
    const proto = c.req.header(RELAY_FORWARDED.proto);
    const origin = host && (proto === "http" || proto === "https") ? `${proto}://${host}` : null;
    c.set("relayed", { from, client, origin });
    await next();
  };
}
