/**
 * The remote view's HTTP side:
 *
 * - `POST /agent/join` — the agent trades a PIN for the session link (same throttle and
 *   audit as the PIN page);
 * - `GET /console/sessions/:id/remote/ws` — a technician's viewer socket (state, WebRTC
 *   offer/answer, input), only for the technician working the session, only from our origin;
 * - `POST /console/sessions/:id/remote/screenshot` — a screenshot into the session's files;
 * - `GET /console/sessions/:id/remote` — the detached viewer window;
 * - `GET /s/:token/remote/events`, `POST /s/:token/remote/revoke` — the customer's page: the
 *   technician's open requests and what is shared, as the agent reports them, and taking
 *   back. There is no way to answer (grant) here: the customer answers in the agent's own
 *   window, which the server neither serves nor reaches (see agent/consent_page.ts).
 */
import { type Context, Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { WSContext } from "hono/ws";
import { Refusal } from "../refusal/mod.ts";
import {
  type AppEnv,
  type AuthedEnv,
  clientAddress,
  type CurrentUser,
  liveStream,
  readForm,
  requireUser,
  socketOrigin,
} from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import {
  agentExpectedBack,
  checkPin,
  fileLimit,
  findByToken,
  logSessionEvent,
  pinRefused,
  sessionForTechnician,
  storeFile,
  type SupportSession,
} from "../support/mod.ts";
import type { LiveEvent } from "../live/mod.ts";
import { type ViewerInput, ViewerInputSchema } from "../../protocol/mod.ts";
import type { CustomerView, RemoteSession, ViewerLink } from "./hub.ts";
import { remoteHub } from "./remote_hub.ts";
import { allows, ViewerAuthority, type ViewerRights } from "./authority.ts";
import { remoteFor } from "./remote_for.ts";
import { readViewerRights, rightsOf } from "./viewer_rights.ts";
import { DetachedRemotePage } from "./views.tsx";
import { frameSize, TOO_BIG } from "./socket_guard.ts";
import { agentAttachedAnywhere } from "./agent_home.ts";
import { relayToHome } from "./home_relay.ts";
import { checkHome, MOVED, watchHome } from "./home_watch.ts";
import { shareRoutes } from "./share_routes.ts";

type C = Context<AppEnv>;

const MAX_VIEWER_FRAME = 64 * 1024;

async function _working(
  c: Context<AuthedEnv>,
): Promise<{ session: SupportSession; user: CurrentUser }> {
  const user = c.get("user");
  const { session } = await sessionForTechnician(
    c.get("deps"),
    user,
    c.req.param("id") ?? "",
    "work",
  );
  return { session, user };
}

/** The customer's session for the relay (null: handled here, which refuses it). */
async function _customerTarget(c: C): Promise<SupportSession | null> {
  const session = await findByToken(c.get("deps"), c.req.param("token") ?? "");
  return session && !session.endedAt ? session : null;
}

async function _customerSession(c: C): Promise<SupportSession> {
  const session = await findByToken(c.get("deps"), c.req.param("token") ?? "");
  if (!session || session.endedAt) throw new Refusal(404, "customer.notFound");
  return session;
}

export const remoteRoutes = new Hono<AppEnv>()
  // The customer's browser screen share (share_routes.ts).
  .route("/", shareRoutes)
  .post("/agent/join", async (c) => {
    const deps = c.get("deps");
    const body = await c.req.json().catch(() => null) as { pin?: unknown } | null;
    const guess = typeof body?.pin === "string" ? body.pin.replace(/[\s-]/g, "").slice(0, 32) : "";
    const ip = clientAddress(c);
    // A code the customer already used on the page still lets the support app join, unless
    // the session has its app already (a second join would replace it).
    const verdict = await checkPin(deps.db, guess, ip, deps.clock.now(), {
      by: "agent",
      // Here, or on any other live instance (agent_homes).
      agentAttached: async (sessionId) =>
        remoteHub(deps).find(sessionId)?.agent != null ||
        await agentAttachedAnywhere(deps, sessionId),
    });
    if (verdict.kind === "ok") {
      return c.json({ link: new URL(`/s/${verdict.token}`, deps.config.publicUrl).href });
    }
    await pinRefused(deps, verdict, guess, ip);
    if (verdict.kind === "throttled") {
      c.header("Retry-After", String(verdict.retryAfterSeconds));
      return c.json({ error: "throttled", retryAfterSeconds: verdict.retryAfterSeconds }, 429);
    }
    return c.json({ error: /^\d{6}$/.test(guess) ? "wrong" : "malformed" }, 422);
  })
  .get("/s/:token/remote/events", relayToHome(_customerTarget), async (c) => {
    const session = await _customerSession(c);
    const deps = c.get("deps");
    const remote = remoteFor(deps, session);
    // No agent here: if it dropped on another instance it is reconnecting, not absent.
    if (!remote.agent && await agentExpectedBack(deps.db, session.id)) remote.agentAway();
    return await liveStream(c, (stream) => {
      // The agent attached on another instance since: the page reconnects and is relayed.
      stream.onClose(watchHome(deps, session, {
        relayedTo: null,
        close: () => (stream.send({ event: "moved", data: "1" }), stream.close()),
      }));
      checkHome(deps, session);
      let sent = "";
      const listener = (view: CustomerView) => {
        const data = JSON.stringify(view);
        if (data === sent) return;
        sent = data;
        stream.send({ event: "remote", data });
      };
      remote.customerListeners.add(listener);
      stream.onClose(() => void remote.customerListeners.delete(listener));
      listener(remote.customerView());
    });
  })
  .post("/s/:token/remote/revoke", relayToHome(_customerTarget), async (c) => {
    const session = await _customerSession(c);
    const form = await readForm(c);
    const capability = form.capability === "view" ? "view" : "control";
    remoteFor(c.get("deps"), session).customerRevoke(capability);
    return c.body(null, 204);
  })
  // Everything below is the technician's and behind the guard (typed AuthedEnv from here).
  .use("/console/sessions/:id/remote", requireUser())
  .use("/console/sessions/:id/remote/*", requireUser())
  .get("/console/sessions/:id/remote", async (c) => {
    const { session, user } = await _working(c);
    return c.html(<DetachedRemotePage c={c} session={session} user={user} />);
  })
  .post("/console/sessions/:id/remote/screenshot", async (c) => {
    const { session, user } = await _working(c);
    if (!can(user, "screenshots")) {
      throw new Refusal(403, "errors.permissionMissing", { params: { permission: "screenshots" } });
    }
    const deps = c.get("deps");
    const limit = fileLimit(deps);
    if (Number(c.req.header("content-length") ?? 0) > limit + 64 * 1024) {
      throw new Refusal(413, "files.tooLarge");
    }
    const form = await c.req.parseBody();
    const file = form.file;
    if (!(file instanceof File)) throw new Refusal(422, "remote.screenshotMissing");
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (bytes.length < 8 || bytes[0] !== 0x89 || bytes[1] !== 0x50) {
      throw new Refusal(422, "remote.screenshotNotPng");
    }
    const stored = await storeFile(
      deps,
      session,
      {
        name: file.name.endsWith(".png") ? file.name : "screenshot.png",
        type: "image/png",
        bytes,
      },
      { direction: "to_technician", user },
      limit,
    );
    await logSessionEvent(deps, session, "log.remote.screenshot", { name: user.name }, {
      author: "technician",
      userId: user.id,
      name: user.name,
    }, {
      action: "session.screenshot_taken",
      actor: user,
      details: { fileId: stored.id, sha256: stored.sha256 },
    });
    return c.json({ id: stored.id, name: stored.name, sha256: stored.sha256 });
  })
  .get(
    "/console/sessions/:id/remote/ws",
    // Cookies ride along on cross-site WebSocket requests: only our own pages may open it.
    socketOrigin({ browser: true }),
    async (c, next) => {
      const { session, user } = await _working(c);
      if (!can(user, "desktopView") && !can(user, "remoteControl")) {
        throw new Refusal(403, "errors.permissionMissing", {
          params: { permission: "desktopView" },
        });
      }
      c.set("remoteSession" as never, { session, user } as never);
      await next();
    },
    // The agent lives on another instance: the socket is piped there (home_relay.ts).
    relayToHome((c) => {
      const { session } = c.get("remoteSession" as never) as { session: SupportSession };
      return Promise.resolve(session);
    }),
    upgradeWebSocket((c) => {
      const deps = c.get("deps");
      const { session, user } = c.get("remoteSession" as never) as {
        session: SupportSession;
        user: CurrentUser;
      };
      const remote = remoteFor(deps, session);
      let viewer: ViewerLink | null = null;
      let authority: ViewerAuthority | null = null;
      let unsubscribe = () => {};
      let unwatch = () => {};
      let chain = Promise.resolve();
      return {
        onOpen: (_event, ws) => {
          const link: ViewerLink = {
            userId: user.id,
            name: user.name,
            watching: false,
            peer: null,
            send: (message) => {
              if (ws.readyState === 1) ws.send(JSON.stringify(message));
            },
          };
          viewer = link;
          remote.join(link);
          // No agent here: if it dropped on another instance it is reconnecting, not absent.
          if (!remote.agent) {
            agentExpectedBack(deps.db, session.id).then((away) => {
              if (away) remote.agentAway();
            }).catch((error) => deps.log.error("agent presence", { error: String(error) }));
          }
          // The agent attached on another instance since: the island reconnects there.
          unwatch = watchHome(deps, session, {
            relayedTo: null,
            close: () => ws.close(MOVED, "moved"),
          });
          checkHome(deps, session);
          // Rights are read again while the socket lives (authority.ts): an admin taking
          // remoteControl away ends control and keeps the picture; losing the picture, the
          // sign-in (deactivated, signed out) or the session (hold, transfer, end) closes it.
          authority = new ViewerAuthority({
            initial: rightsOf(user),
            read: () => readViewerRights(deps, user, session.id),
            onChange: (rights) => {
              if (rights === "none") {
                remote.setWatching(link, false);
                ws.close(4403, "no longer allowed to view this session");
              } else if (rights === "view") {
                remote.setControl(link, false);
                const reason = c.get("t")("remote.refused.permission");
                link.send({ type: "error", code: "permission", reason });
              }
            },
          });
          const rights = authority;
          unsubscribe = deps.live.subscribe(session.orgId, (event: LiveEvent) => {
            // "resync": notices may have been missed (modules/live), so anything may have.
            const concerned = event.kind === "session"
              ? event.sessionId === session.id
              : event.kind === "resync" ||
                event.kind === "access" && (event.userId ?? user.id) === user.id;
            if (concerned) rights.invalidate();
          });
        },
        onMessage: (event, ws) => {
          // Deno has read it whole already; a socket sending more than it may is closed.
          if (frameSize(event.data) > MAX_VIEWER_FRAME) return ws.close(TOO_BIG, "too big");
          chain = chain.then(async () => {
            const rights = await authority?.current() ?? "none";
            return _viewerMessage(c, remote, viewer!, rights, event.data, ws);
          }).catch((error) => deps.log.error("viewer frame failed", { error: String(error) }));
        },
        onClose: () => {
          unsubscribe();
          unwatch();
          authority?.close();
          if (viewer) remote.leave(viewer);
        },
      };
    }),
  );

function _viewerMessage(
  c: C,
  remote: RemoteSession,
  viewer: ViewerLink,
  rights: ViewerRights,
  data: unknown,
  _ws: WSContext,
): Promise<void> | void {
  const refuse = (code: string, reason: string) => viewer.send({ type: "error", code, reason });
  const t = c.get("t");
  if (typeof data !== "string" || data.length > MAX_VIEWER_FRAME) {
    return refuse("malformed", "Text frames of at most 64 KiB");
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return refuse("malformed", "Not JSON");
  }
  // What a technician's viewer may send (protocol/viewer_schema.ts); anything else is refused.
  const parsed = ViewerInputSchema.safeParse(json);
  if (!parsed.success) return refuse("invalid", parsed.error.issues[0]?.message ?? "invalid");
  const message: ViewerInput = parsed.data;
  const refusal = (code: string | null) => {
    if (code) refuse(code, t(`remote.refused.${code}` as never));
  };
  switch (message.type) {
    case "ping":
      viewer.send({ type: "pong", at: message.at });
      return;
    case "answer":
      return remote.answer(viewer, message.sdp);
    case "keyframe":
      remote.wantKeyframe();
      return;
    case "take_control":
      if (!allows(rights, "control")) return refusal("permission");
      return refusal(remote.takeControl(viewer));
    case "quality":
      remote.setQuality(message.preset);
      return;
    case "view":
      if (message.on && !allows(rights, "view")) return refusal("permission");
      return refusal(remote.setWatching(viewer, message.on));
    case "control":
      if (message.on && !allows(rights, "control")) return refusal("permission");
      return refusal(remote.setControl(viewer, message.on));
    default:
      // Checked against rights at most half a second old (or read after a notice).
      if (!allows(rights, "control")) return refusal("permission");
      return refusal(remote.input(message, viewer));
  }
}
