/**
 * The customer agent's control connection (`GET /agent/ws`, a WebSocket speaking
 * `protocol/`). The agent's first frame is `hello` with the session token; from then on the
 * connection counts as the customer being connected, exactly like an open Instant Chat page
 * (same registry, same grace before Reconnecting). A refused frame is answered with an
 * `error` frame and costs nothing else: the connection and the session stay as they were.
 * The media path and the consent flow build on this (issue #5).
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { WSContext } from "hono/ws";
import {
  type AgentMessage,
  AgentMessageSchema,
  Channel,
  type ServerMessage,
} from "../../protocol/mod.ts";
import type { AppDeps, AppEnv } from "../http/mod.ts";
import { customerConnected, customerLeft, findByToken } from "./customer.ts";
import { customerStreams } from "./customer_streams.ts";
import { loadSession, logEvent, type SupportSession } from "./engine.ts";

/** How long a new connection may take to say hello before it is closed. */
export const HELLO_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 15_000;

class AgentConnection {
  readonly channel = new Channel<AgentMessage, ServerMessage>(AgentMessageSchema);
  session: SupportSession | null = null;
  refused = 0;
  #helloTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private deps: AppDeps) {}

  opened(ws: WSContext) {
    this.#helloTimer = setTimeout(() => ws.close(4408, "hello expected"), HELLO_TIMEOUT_MS);
  }

  send(ws: WSContext, message: ServerMessage) {
    ws.send(this.channel.encode(message));
  }

  async received(ws: WSContext, data: unknown) {
    const decoded = this.channel.decode(typeof data === "string" ? data : null);
    if (!decoded.ok) {
      this.refused++;
      this.send(ws, { type: "error", code: decoded.code, reason: decoded.reason.slice(0, 300) });
      return;
    }
    const message = decoded.message;
    if (!this.session) {
      if (message.type !== "hello") {
        this.send(ws, { type: "error", code: "hello_first", reason: "Say hello first" });
        return;
      }
      await this.#attach(ws, message);
      return;
    }
    switch (message.type) {
      case "hello":
        this.send(ws, { type: "error", code: "already_attached", reason: "Hello was said" });
        return;
      case "bye":
        await customerLeft(this.deps, await loadSession(this.deps.db, this.session.id));
        this.send(ws, { type: "end", reason: "bye" });
        ws.close(1000, "bye");
        return;
      default:
        // consent, clipboard, pong and refused arrive with the remote-view work (#5).
        return;
    }
  }

  async #attach(ws: WSContext, hello: Extract<AgentMessage, { type: "hello" }>) {
    clearTimeout(this.#helloTimer);
    const session = await findByToken(this.deps, hello.token);
    if (!session || session.endedAt) {
      this.send(ws, { type: "end", reason: "unknown or ended session" });
      ws.close(4404, "no such session");
      return;
    }
    this.session = session;
    customerStreams(this.deps).opened(session.id);
    await logEvent(this.deps.db, session.id, "log.agentConnected", this.deps.clock.now(), {
      os: hello.os,
      deviceId: hello.deviceId,
    }, { author: "customer", name: session.customerName });
    await customerConnected(this.deps, session);
    this.send(ws, { type: "welcome", sessionId: session.id, heartbeatMs: HEARTBEAT_MS });
  }

  closed() {
    clearTimeout(this.#helloTimer);
    if (this.session) customerStreams(this.deps).closed(this.session.id);
  }
}

export const agentRoutes = new Hono<AppEnv>().get(
  "/agent/ws",
  upgradeWebSocket((c) => {
    const deps = c.get("deps");
    const connection = new AgentConnection(deps);
    // Frames are handled one at a time, in order, whatever each one awaits.
    let chain = Promise.resolve();
    return {
      onOpen: (_event, ws) => connection.opened(ws),
      onMessage: (event, ws) => {
        chain = chain.then(() => connection.received(ws, event.data)).catch((error) => {
          deps.log.error("agent frame failed", { error: String(error) });
        });
      },
      onClose: () => {
        chain = chain.then(() => connection.closed());
      },
    };
  }),
);
