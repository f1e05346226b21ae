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
import { Refusal } from "../refusal/mod.ts";
import {
  type AppEnv,
  type AuthedEnv,
  clientAddress,
  type CurrentUser,
  liveStream,
  readForm,
  requireUser,
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
import type { CustomerView } from "./hub.ts";
import { remoteHub } from "./remote_hub.ts";
import { viewerSocket } from "./viewer_socket.ts";
import { remoteFor } from "./remote_for.ts";
import { readViewerRights, rightsOf } from "./viewer_rights.ts";
import { DetachedRemotePage } from "./views.tsx";
import { agentAttachedAnywhere } from "./agent_home.ts";
import { relayToHome } from "./home_relay.ts";
import { checkHome, watchHome } from "./home_watch.ts";
import { shareRoutes } from "./share_routes.ts";
import { presentRoutes } from "./present_routes.tsx";

type C = Context<AppEnv>;

async function _working(
  c: Context<AuthedEnv>,
): Promise<{ session: SupportSession; user: CurrentUser }> {
  const user = c.get("user");
  const { session, granted } = await sessionForTechnician(
    c.get("deps"),
    user,
    c.req.param("id") ?? "",
    "work",
  );
  // What the caller may do in this session: a collaborator's set narrows its group's.
  return { session, user: { ...user, permissions: granted.permissions } };
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

/** A technician working the session opens its viewer socket (viewer_socket.ts). */
const _technicianSocket = viewerSocket(async (c) => {
  const user = c.get("user");
  const { session, entry, granted } = await sessionForTechnician(
    c.get("deps"),
    user,
    c.req.param("id") ?? "",
    "work",
  );
  // A collaborator's session permission set narrows its group's (modules/collaboration).
  if (!can(granted, "desktopView") && !can(granted, "remoteControl")) {
    throw new Refusal(403, "errors.permissionMissing", {
      params: { permission: "desktopView" },
    });
  }
  const deps = c.get("deps");
  return {
    session,
    user,
    monitor: false,
    rights: rightsOf(granted),
    read: () => readViewerRights(deps, user, session.id),
    lead: entry.role === "lead",
    isLead: async () => {
      const now = await sessionForTechnician(deps, user, session.id, "work");
      return now.entry.role === "lead";
    },
  };
});

export const remoteRoutes = new Hono<AppEnv>()
  // The customer's browser screen share (share_routes.ts).
  .route("/", shareRoutes)
  // The technician's own screen shown to the customer (present_routes.tsx).
  .route("/", presentRoutes)
  .post("/agent/join", async (c) => {
    const deps = c.get("deps");
    const body = await c.req.json().catch(() => null) as { pin?: unknown } | null;
    const guess = typeof body?.pin === "string" ? body.pin.replace(/[\s-]/g, "").slice(0, 32) : "";
    const ip = clientAddress(c);
    // A code the customer already used on the page still lets the support app join, unless
    // the session has its app already (a second join would replace it).
    const verdict = await checkPin(deps.db, guess, ip, deps.clock.now(), {
      by: "agent",
      // Here, or on any other live instance (agent_homes). A browser share here is no app:
      // the app may join and take its place (hub.ts agentAttached); one elsewhere still blocks.
      agentAttached: async (sessionId) => {
        const here = remoteHub(deps).find(sessionId)?.agent;
        if (here) return !here.viewOnly;
        return await agentAttachedAnywhere(deps, sessionId);
      },
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
    // No agent here: if it dropped on another instance it is reconnecting, not absent.
    const away = !remoteFor(deps, session).agent && await agentExpectedBack(deps.db, session.id);
    return await liveStream(c, (stream) => {
      // Taken again once the stream is watched: a home check during the wait may have dropped
      // the one above, and the agent attaches to its successor (viewer_socket.ts says more).
      const remote = remoteFor(deps, session);
      if (away) remote.agentAway();
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
  // The technician's viewer socket (viewer_socket.ts): the session's lead or a collaborator.
  .get("/console/sessions/:id/remote/ws", ..._technicianSocket);
