/**
 * The customer agent's control connection (`GET /agent/ws`, a WebSocket speaking
 * `protocol/`). The agent's first frame is `hello` with the session token; from then on the
 * connection counts as the customer being connected, exactly like an open Instant Chat page
 * (same registry, same grace before Reconnecting). A refused frame is answered with an
 * `error` frame and costs nothing else: the connection and the session stay as they were.
 *
 * After hello the agent also sends screen media as binary frames (`protocol/media.ts`),
 * which the session's `RemoteSession` relays to the technicians watching, and takes part
 * in the consent flow: the server passes a technician's `request`, the agent says when the
 * question is in front of the customer (`ask`, in the agent's own window) and what the
 * customer allowed (`consent`); no message from here can grant. When the session ends the
 * agent is told (`end`) and closed with 4404, so it stops sharing and exits instead of
 * reconnecting; when it is held or transferred, view and control stop (`revoke`). The server
 * pings every `HEARTBEAT_MS`; an agent silent for two beats is cut off (it reconnects).
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { WSContext } from "hono/ws";
import {
  type AgentMessage,
  AgentMessageSchema,
  ALL_OPS,
  Channel,
  decodeMediaFrame,
  type ServerMessage,
} from "../../protocol/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type AppDeps, type AppEnv, clientAddress, socketOrigin } from "../http/mod.ts";
import { matchLanguage } from "../i18n/mod.ts";
import {
  agentReturned,
  customerConnected,
  customerLeft,
  customerStreams,
  findByToken,
  isWorkedNow,
  loadSession,
  logSessionEvent,
  recordDevice,
  recordNoDesktop,
  setCustomerLanguage,
  type SupportSession,
} from "../support/mod.ts";
import type { AgentLink, RemoteSession } from "./hub.ts";
import { claimHome, releaseHome } from "./agent_home.ts";
import { watchHome } from "./home_watch.ts";
import { remoteFor } from "./remote_for.ts";
import { remoteHub } from "./remote_hub.ts";
import { agentOps, callAgent } from "./agent_ops.ts";
import { limitToApproval, TOOL_CAPABILITIES, toolConsent, toolOf } from "./tool_consent.ts";
import {
  agentSocketGuard,
  HELLO_TIMEOUT_MS,
  overFrameCap,
  type PendingTicket,
  TOO_BIG,
} from "./socket_guard.ts";

export { HELLO_TIMEOUT_MS };
export const HEARTBEAT_MS = 15_000;

class AgentConnection {
  readonly channel = new Channel<AgentMessage, ServerMessage>(AgentMessageSchema);
  session: SupportSession | null = null;
  remote: RemoteSession | null = null;
  link: AgentLink | null = null;
  refused = 0;
  #helloTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastHeard = Date.now();
  #unsubscribe = () => {};
  #unwatch = () => {};

  constructor(private deps: AppDeps, private ticket: PendingTicket | null) {}

  opened(ws: WSContext) {
    const timeout = agentSocketGuard(this.deps).options.helloTimeoutMs;
    this.#helloTimer = setTimeout(() => ws.close(4408, "hello expected"), timeout);
  }

  /** Before hello only a small frame is read; after it, the protocol's own caps. */
  tooBig(data: unknown): boolean {
    return overFrameCap(data, this.session !== null);
  }

  send(ws: WSContext, message: ServerMessage) {
    if (ws.readyState === 1) ws.send(this.channel.encode(message));
  }

  async received(ws: WSContext, data: unknown) {
    this.#lastHeard = Date.now();
    if (data instanceof Blob) data = new Uint8Array(await data.arrayBuffer());
    else if (data instanceof ArrayBuffer) data = new Uint8Array(data);
    if (data instanceof Uint8Array) {
      this.#media(ws, data);
      return;
    }
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
        this.remote?.close();
        this.send(ws, { type: "end", reason: "bye" });
        ws.close(1000, "bye");
        return;
      case "ask": {
        const tool = toolOf(message.capability);
        if (tool) toolConsent(this.deps, this.session).agentAsks(tool);
        else this.remote?.agentAsks(message.capability);
        return;
      }
      case "consent": {
        const tool = toolOf(message.capability);
        if (tool) toolConsent(this.deps, this.session).agentConsent(tool, message.granted);
        else this.remote?.agentConsent(message.capability, message.granted);
        return;
      }
      case "opEvent":
      case "opPart":
      case "opDone":
      case "opFailed":
        agentOps(this.deps).received(this.session.id, message);
        return;
      case "clipboard":
        this.remote?.agentClipboard(message.text);
        return;
      case "screens":
        this.remote?.agentScreens(message.list, message.current);
        return;
      case "cursor": {
        const { type: _type, ...state } = message;
        this.remote?.agentCursor(state);
        return;
      }
      case "refused":
        this.remote?.agentRefused(message.of, message.reason);
        return;
      case "whiteboard":
        this.remote?.agentWhiteboardOff();
        return;
      case "capture":
        this.remote?.agentCapture(
          message.paused ? message.reason ?? "failed" : null,
          message.detail,
        );
        return;
      case "pong":
        return;
    }
  }

  #media(ws: WSContext, bytes: Uint8Array) {
    if (!this.remote) {
      this.refused++;
      this.send(ws, { type: "error", code: "hello_first", reason: "Say hello first" });
      return;
    }
    const decoded = decodeMediaFrame(bytes);
    if (!decoded.ok) {
      this.refused++;
      this.send(ws, { type: "error", code: `media_${decoded.code}`, reason: decoded.reason });
      return;
    }
    this.remote.media(decoded.frame);
  }

  async #attach(ws: WSContext, hello: Extract<AgentMessage, { type: "hello" }>) {
    clearTimeout(this.#helloTimer);
    this.ticket?.release();
    const session = await findByToken(this.deps, hello.token);
    if (!session || session.endedAt) {
      this.send(ws, { type: "end", reason: "unknown or ended session" });
      ws.close(4404, "no such session");
      return;
    }
    this.session = session;
    await customerStreams(this.deps).opened(session.id);
    await logSessionEvent(this.deps, session, "log.agentConnected", {
      os: hello.os,
      deviceId: hello.deviceId,
    }, { author: "customer", name: session.customerName });
    await recordDevice(this.deps, session, hello.deviceId);
    await recordNoDesktop(this.deps, session, hello.noDesktop ?? null);
    // The agent follows the OS language: it tells technicians which language the customer
    // speaks when the customer's page has not said so already.
    const spoken = hello.language ? matchLanguage(hello.language) : undefined;
    if (!session.customerLanguage && spoken) {
      await setCustomerLanguage(this.deps, session, spoken);
    }
    // Back after a restart it announced: the rows return from Rebooting (or its Offline).
    await agentReturned(this.deps, session.id, hello.deviceId);
    await customerConnected(this.deps, session);
    // This instance is the agent's home from now: viewers and the customer's remote stream
    // that land on another instance are relayed here (home_relay.ts). Claimed before the agent
    // joins its `RemoteSession`: this instance's home checks run in order with its claims
    // (agent_home.ts), so a check that read the old home — after a failover the dead instance,
    // still counted live for a few seconds — is over before the agent is attached here and
    // cannot drop the session it attached to (viewers would then find one without it).
    await claimHome(this.deps, session);
    this.send(ws, { type: "welcome", sessionId: session.id, heartbeatMs: HEARTBEAT_MS });
    const link: AgentLink = {
      send: (message) => this.send(ws, message),
      close: (code, reason) => ws.close(code, reason),
      codecs: hello.codecs,
      noDesktop: hello.noDesktop !== undefined,
      separateCursor: hello.separateCursor,
      recordingNotice: hello.recordingNotice,
      recordingAsked: hello.recordingAsked,
      presentingNotice: hello.presentingNotice,
      whiteboard: hello.whiteboard,
      whiteboardUndo: hello.whiteboardUndo,
      laserRecorded: hello.laserRecorded,
      keyCodes: hello.keyCodes,
    };
    this.link = link;
    this.remote = remoteFor(this.deps, session);
    this.remote.agentAttached(link, hello.screen, hello.keyboard ?? null);
    this.#unwatch = watchHome(this.deps, session, {
      relayedTo: null,
      // The agent reconnected on another instance: this socket is a stale one.
      close: () => link.close(4409, "replaced by a newer connection"),
    });
    toolConsent(this.deps, session).attached(link, hello.os);
    // Unattended: only what the customer's approval carries may be asked for.
    // (The screen too: nothing is asked for until the approval is read.)
    this.remote.limitScreen(session.method !== "unattended");
    const approved = await limitToApproval(this.deps, session);
    this.remote?.limitScreen(approved === null || approved.includes("control"));
    this.#askAbout(session, link);
    // Ended by the technician, the customer's page or a deadline (published after commit):
    // tell the agent, which stops sharing and exits rather than reconnecting to nothing.
    // Held or transferred: view and control stop (the agent and the customer's page hear it).
    // "resync": session notices may have been missed (modules/live), so look again too.
    this.#unsubscribe = this.deps.live.subscribe(session.orgId, (event) => {
      const concerned = event.kind === "session"
        ? event.sessionId === session.id
        : event.kind === "resync";
      if (!concerned) return;
      this.#follow(ws).catch((error) =>
        this.deps.log.error("agent end check failed", { error: String(error) })
      );
    });
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#lastHeard > 2 * HEARTBEAT_MS) {
        ws.close(4408, "agent silent");
        return;
      }
      this.send(ws, { type: "ping", at: Date.now() });
    }, HEARTBEAT_MS);
  }

  /** What the agent can do beyond the picture (its operations), for the workspace's tabs. */
  #askAbout(session: SupportSession, link: AgentLink) {
    callAgent(this.deps, session.id, { kind: "agent.about" }).then((outcome) => {
      if (!outcome.ok) return;
      const kinds = new Set(outcome.result.ops);
      const offered = TOOL_CAPABILITIES.filter((capability) =>
        ALL_OPS.some((spec) => spec.capability === capability && kinds.has(spec.kind))
      );
      toolConsent(this.deps, session).offers(link, offered);
    });
  }

  async #follow(ws: WSContext) {
    if (!this.session || ws.readyState !== 1) return;
    const now = await loadSession(this.deps.db, this.session.id).catch(() => null);
    if (now && !now.endedAt) {
      if (!(await isWorkedNow(this.deps, now.id))) this.remote?.stopAll();
      return;
    }
    this.remote?.close();
    this.send(ws, { type: "end", reason: "the session has ended" });
    ws.close(4404, "session ended");
  }

  closed() {
    this.ticket?.release();
    this.#unsubscribe();
    this.#unwatch();
    clearTimeout(this.#helloTimer);
    clearInterval(this.#heartbeat);
    if (this.link) {
      this.remote?.agentDetached(this.link);
      agentOps(this.deps).linkClosed(this.link);
      if (this.session) toolConsent(this.deps, this.session).detached(this.link);
    }
    if (this.link && this.session) {
      const id = this.session.id;
      const deps = this.deps;
      releaseHome(deps, this.session, () => remoteHub(deps).find(id)?.agent != null).catch((
        error,
      ) => this.deps.log.error("agent home release failed", { error: String(error) }));
    }
    if (this.session) customerStreams(this.deps).closed(this.session.id);
  }
}

export const agentRoutes = new Hono<AppEnv>().get(
  "/agent/ws",
  // The agent sends no Origin; a page on another site would send its own: refuse that.
  socketOrigin({ browser: false }),
  async (c, next) => {
    // Few sockets may wait for hello; the rest are refused before the upgrade, unread.
    const ticket = agentSocketGuard(c.get("deps")).admit(clientAddress(c));
    if (!ticket) throw new Refusal(429, "errors.busy", { headers: { "retry-after": "5" } });
    c.set("agentTicket" as never, ticket as never);
    await next();
    if (c.res.status !== 101) ticket.release();
  },
  upgradeWebSocket((c) => {
    const deps = c.get("deps");
    const ticket = c.get("agentTicket" as never) as PendingTicket;
    const connection = new AgentConnection(deps, ticket);
    // Frames are handled one at a time, in order, whatever each one awaits.
    let chain = Promise.resolve();
    return {
      onOpen: (_event, ws) => connection.opened(ws),
      onMessage: (event, ws) => {
        if (connection.tooBig(event.data)) {
          ws.close(TOO_BIG, "message too big");
          return;
        }
        chain = chain.then(() => connection.received(ws, event.data)).catch((error) => {
          deps.log.error("agent frame failed", { error: String(error) });
        });
      },
      onClose: () => {
        ticket.release();
        chain = chain.then(() => connection.closed());
      },
    };
  }),
);
