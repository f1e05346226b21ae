/**
 * The customer's page (`/s/:token`): `GET /s/:token/file-manager/events` — server-sent `files` events
 * saying whether the technician has the file manager open and what is being copied to or from
 * the customer's computer (each transfer's direction, path, size, bytes so far and state), on
 * every change. Read-only: the customer takes the access back in the support app's window. In a
 * cluster it is relayed to the agent's home, where the transfers are.
 */
import { type Context, Hono } from "hono";
import { type AppEnv, liveStream } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { findByToken } from "../support/mod.ts";
import { relayToHome, toolConsent } from "../remote/mod.ts";
import { fileManagerHub } from "./hub.ts";

async function _live(c: Context<AppEnv>) {
  const session = await findByToken(c.get("deps"), c.req.param("token") ?? "");
  return session && !session.endedAt ? session : null;
}

export const customerFileRoutes = new Hono<AppEnv>()
  .get("/s/:token/file-manager/events", relayToHome(_live), async (c) => {
    const session = await _live(c);
    if (!session) throw new Refusal(404, "customer.notFound");
    const hub = fileManagerHub(c.get("deps"));
    const consent = toolConsent(c.get("deps"), session);
    return await liveStream(c, (stream) => {
      let sent = "";
      const send = () => {
        const data = JSON.stringify({
          // Open: a technician's file manager is following the session and may act (a stream
          // the browser already left is noticed only at the next heartbeat; the consent at once).
          open: hub.isOpen(session.id) && consent.allows("files"),
          transfers: hub.ofSession(session.id).map((t) => ({
            id: t.id,
            direction: t.direction,
            path: t.path,
            size: t.size,
            bytes: t.bytes,
            state: t.state,
          })),
        });
        if (data === sent) return;
        sent = data;
        stream.send({ event: "files", data });
      };
      const listener = (sessionId: string) => sessionId === session.id && send();
      hub.activity.add(listener);
      consent.listeners.add(send);
      stream.onClose(() => {
        hub.activity.delete(listener);
        consent.listeners.delete(send);
      });
      send();
    });
  });
