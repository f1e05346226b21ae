/**
 * LAN connect in a cluster: a scan, its streamed hosts and the pushes aimed at them live on the
 * instance that holds the computer's device socket (the agent answers there, lan.ts). A LAN
 * request that lands on another instance is relayed to that one (`relayTo`, the signed relay
 * between instances: the technician's cookie, form and CSRF token go with it), which checks
 * the permissions and the grant itself and answers as if the browser were there — so Scan on
 * one instance and the scan's page, Stop, a host's key or Connect on another meet the same
 * scan. A relayed request, a computer held here or by no live instance, or a holder that does
 * not answer (it just died) is handled here (the computer then reads as not connected).
 */
import { and, eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { liveInstanceUrl } from "../cluster/mod.ts";
import type { AppEnv } from "../http/mod.ts";
import { relayTo } from "../remote/mod.ts";
import { devices } from "./schema.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Middleware for `/:id/lan…`: to the instance holding computer `:id`'s socket, if another. */
export function relayToComputerHolder(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get("relayed")) return await next();
    const id = c.req.param("id") ?? "";
    const user = c.get("user");
    if (!UUID.test(id) || !user) return await next();
    const deps = c.get("deps");
    const [row] = await deps.db.select({ instance: devices.onlineInstance }).from(devices)
      .where(and(eq(devices.id, id), eq(devices.orgId, user.orgId)));
    const instanceId = row?.instance;
    if (!instanceId || instanceId === deps.instance.id) return await next();
    const url = await liveInstanceUrl(deps.db, instanceId, deps.clock.now());
    if (!url) return await next();
    return await relayTo(c, { instanceId, url }) ?? await next();
  };
}
