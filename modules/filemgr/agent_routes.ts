/**
 * The agent's data connection for a transfer: a WebSocket on `GET /agent/file-data/:ticket`
 * (either direction, socket_leg.ts: what the agent uses), or plain HTTP — `POST` (a download:
 * the request body is the data) and `GET` (an upload: the answer is the data). The agent authenticates with its session token (`Authorization: Bearer`) and the
 * one-time ticket the server sent it in `files.send` / `files.receive`; anything else is a
 * 404 that tells nothing. In a cluster the request is relayed to the agent's home, where the
 * browser's request waits for it (hub.ts).
 */
import { type Context, Hono } from "hono";
import { type AppEnv, socketOrigin } from "../http/mod.ts";
import { findByToken, type SupportSession } from "../support/mod.ts";
import { relayToHome } from "../remote/mod.ts";
import { TICKET } from "../../protocol/files.ts";
import { fileManagerHub, type PullLeg, type PushLeg } from "./hub.ts";
import { pullLegOf, pushLegOf } from "./socket_leg.ts";

async function _session(c: Context<AppEnv>): Promise<SupportSession | null> {
  const header = c.req.header("authorization") ?? "";
  const token = /^Bearer ([A-Za-z0-9_-]{8,64})$/.exec(header)?.[1];
  if (!token) return null;
  const session = await findByToken(c.get("deps"), token);
  return session && !session.endedAt ? session : null;
}

function _refused(c: Context<AppEnv>) {
  return c.text("no such transfer", 404);
}

export const agentFileRoutes = new Hono<AppEnv>()
  .use("/agent/file-data/:ticket", relayToHome(_session))
  .post("/agent/file-data/:ticket", async (c) => {
    const ticket = c.req.param("ticket");
    const session = TICKET.test(ticket) ? await _session(c) : null;
    const found = session && fileManagerHub(c.get("deps")).take(ticket, session.id, "push");
    if (!found || !c.req.raw.body) return _refused(c);
    // Answered once the browser's side has taken all of it (or stopped).
    const reader = c.req.raw.body.getReader();
    const ok = await new Promise<boolean>((resolve) => {
      const leg: PushLeg = { read: () => reader.read(), finish: resolve };
      found.resolve(leg);
    });
    return ok ? c.text("ok") : c.text("stopped", 409);
  })
  .get("/agent/file-data/:ticket", async (c) => {
    const ticket = c.req.param("ticket");
    const session = TICKET.test(ticket) ? await _session(c) : null;
    const socket = c.req.header("upgrade")?.toLowerCase() === "websocket";
    // The agent sends no Origin; a page on another site that opens the socket sends its own.
    if (socket) await socketOrigin({ browser: false })(c, () => Promise.resolve());
    const hub = fileManagerHub(c.get("deps"));
    const found = session && hub.take(ticket, session.id, socket ? null : "pull");
    if (!found) return _refused(c);
    if (socket) {
      const { socket: ws, response } = Deno.upgradeWebSocket(c.req.raw);
      ws.binaryType = "arraybuffer";
      found.resolve(found.kind === "push" ? pushLegOf(ws) : pullLegOf(ws));
      return response;
    }
    const body = await new Promise<ReadableStream<Uint8Array>>((resolve) => {
      const leg: PullLeg = { respond: resolve };
      found.resolve(leg);
    });
    return new Response(body, {
      headers: { "content-type": "application/octet-stream", "cache-control": "no-store" },
    });
  });
