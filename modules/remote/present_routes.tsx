/**
 * The technician shows their own screen to the customer (SPEC R11, presentation.ts):
 *
 * - `GET /console/sessions/:id/present` — the workspace's "Show screen" tab (present_views.tsx);
 * - `POST /console/sessions/:id/present/offer` — the technician's complete WebRTC offer
 *   (`{ sdp }`) → our answer; needs `shareScreen` and a customer whose page is connected;
 *   a technician's second offer replaces their first (a new capture); another technician's
 *   presentation in the session is refused (409);
 * - `POST /console/sessions/:id/present/stop` — the technician stops;
 * - `GET /console/sessions/:id/present/events` — what the technician's tab says, as it is;
 * - `POST /s/:token/present/view` · `…/answer` · `…/decline` · `…/end` — the customer's page:
 *   View (our offer towards their browser), its answer, Not now, End. What is offered shows in
 *   the page's remote stream (`CustomerView.presenting`, hub.ts), which needs no new stream.
 *
 * In a cluster every one of these runs where the session's agent (or browser share) lives
 * (`relayToHome`), as the customer's remote stream does. With neither, the technician's offer
 * makes the instance it lands on the session's home (`claimPresentationHome`, a home
 * `/agent/join` does not count as an app): the customer's remote stream elsewhere is moved
 * there (home_watch.ts) and their View, answer and End are relayed there; the home goes when
 * nothing is shown any more.
 *
 * When the home moves to another instance while something is shown — the customer's support
 * app attaches there — the presentation here ends as `moved` rather than silently stop being
 * offered: the technician's capture and its peer live in their browser and on this instance,
 * and the customer's View is a consent to that peer, so carrying it over would need a new
 * offer from the browser and a new View anyway. A log line both sides read says the screen
 * stopped and why, the technician's tab says it too (its stream follows the home, and on the
 * new home reads how the last presentation ended from the log), and Show my screen starts one
 * on the new home.
 */
import { type Context, Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppDeps, type AppEnv, type AuthedEnv, liveStream, requireUser } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import {
  findByToken,
  loadSession,
  type LogLine,
  logSessionEvent,
  readLog,
  readLogLine,
  sessionForTechnician,
  type SupportSession,
} from "../support/mod.ts";
import { claimPresentationHome, releasePresentationHome } from "./agent_home.ts";
import { relayToHome } from "./home_relay.ts";
import { watchHome } from "./home_watch.ts";
import { relayToAgentHome } from "./tool_routes.ts";
import { remoteFor } from "./remote_for.ts";
import { whileWorked } from "./worked_watch.ts";
import { Presentation, type PresentationEnd, type PresenterState } from "./presentation.ts";
import { PresentPanel } from "./present_views.tsx";

const MAX_SDP = 64 * 1024;

/** One app's presentations: the current one per session, and who listens to its state. */
interface Registry {
  current: Map<string, Presentation>;
  /** How the last one of a session ended, for a tab that opens (or reconnects) after it. */
  last: Map<string, PresenterState>;
  listeners: Map<string, Set<(state: PresenterState) => void>>;
}
const registries = new WeakMap<AppDeps, Registry>();

function _registry(deps: AppDeps): Registry {
  let registry = registries.get(deps);
  if (!registry) {
    registry = { current: new Map(), last: new Map(), listeners: new Map() };
    registries.set(deps, registry);
  }
  return registry;
}

/** The session's presentation on this instance, if one runs (tests and the metrics). */
export function presentationOf(deps: AppDeps, sessionId: string): Presentation | undefined {
  return registries.get(deps)?.current.get(sessionId);
}

function _stateOf(registry: Registry, sessionId: string): PresenterState {
  return registry.current.get(sessionId)?.presenterState() ?? registry.last.get(sessionId) ??
    { phase: "none", ended: null, size: null };
}

function _tell(registry: Registry, sessionId: string) {
  const state = _stateOf(registry, sessionId);
  for (const listener of registry.listeners.get(sessionId) ?? []) listener(state);
}

async function _presenter(c: Context<AuthedEnv>) {
  const user = c.get("user");
  const { session, granted } = await sessionForTechnician(
    c.get("deps"),
    user,
    c.req.param("id") ?? "",
    "work",
  );
  if (!can(granted, "shareScreen")) {
    throw new Refusal(403, "errors.permissionMissing", { params: { permission: "shareScreen" } });
  }
  return { session, user };
}

async function _customerTarget(c: Context<AppEnv>): Promise<SupportSession | null> {
  const session = await findByToken(c.get("deps"), c.req.param("token") ?? "");
  return session && !session.endedAt ? session : null;
}

/** The customer's session and what its technician shows now (409 when nothing). */
async function _shown(c: Context<AppEnv>) {
  const session = await _customerTarget(c);
  if (!session) throw new Refusal(404, "customer.notFound");
  const shown = presentationOf(c.get("deps"), session.id);
  if (!shown || shown.ended) throw new Refusal(409, "customerPresent.nothingShown");
  return { session, shown };
}

/** The log line and audit entry of each end, by who ended it. */
const ENDED_LOG: Record<PresentationEnd, string> = {
  technician: "log.present.stopped",
  customer: "log.present.endedByCustomer",
  declined: "log.present.declined",
  lost: "log.present.lost",
  session: "log.present.ended",
  moved: "log.present.moved",
};

/** The end a log line tells of, null for a start, undefined for any other line. */
function _endOfLine(line: LogLine): PresentationEnd | null | undefined {
  if (line.kind !== "event") return undefined;
  if (line.body === "log.present.started") return null;
  const end = Object.entries(ENDED_LOG).find(([, key]) => key === line.body)?.[0];
  return end as PresentationEnd | undefined;
}

/**
 * How the session's last presentation ended, from its log: for a tab whose stream opens on an
 * instance that did not run it (the home moved), so it still says why it stopped.
 */
async function _lastEndFromLog(deps: AppDeps, sessionId: string): Promise<PresenterState> {
  const lines = await readLog(deps.db, sessionId);
  for (let i = lines.length - 1; i >= 0; i--) {
    const end = _endOfLine(lines[i]);
    if (end !== undefined) return { phase: "none", ended: end, size: null };
  }
  return { phase: "none", ended: null, size: null };
}

function _log(
  deps: AppDeps,
  session: SupportSession,
  key: string,
  by: { userId: string; name: string } | null,
  action: "session.present_started" | "session.present_ended" | null,
  details: Record<string, string> = {},
) {
  const author = by
    ? { author: "technician" as const, userId: by.userId, name: by.name }
    : { author: "customer" as const, name: session.customerName };
  const audit = action ? { action, actor: by ? { id: by.userId } : undefined, details } : undefined;
  logSessionEvent(deps, session, key, { name: by?.name ?? "" }, author, audit).catch((error) =>
    deps.log.error("present log failed", { error: String(error) })
  );
}

/**
 * A new presentation in `session` by `user`, wired to the customer's page, the log and the tab;
 * the session's own only once `register` is called (after its offer was answered).
 */
function _create(deps: AppDeps, session: SupportSession, user: { id: string; name: string }) {
  const registry = _registry(deps);
  const remote = remoteFor(deps, session);
  const by = { userId: user.id, name: user.name };
  let stopFollowing = () => {};
  let watched = false;
  const shown: Presentation = new Presentation(by, {
    hostAddresses: ["127.0.0.1"],
    onChange: () => {
      if (registry.current.get(session.id) !== shown) return;
      remote.presentingChanged(shown.customerView());
      _tell(registry, session.id);
      if (shown.phase === "watching" && !watched) {
        watched = true;
        _log(deps, session, "log.present.watching", null, null);
      }
    },
    onEnded: (why) => {
      stopFollowing();
      if (registry.current.get(session.id) === shown) {
        registry.current.delete(session.id);
        registry.last.set(session.id, shown.presenterState());
        remote.presentingChanged(null);
        _tell(registry, session.id);
      }
      // Nothing shown here any more (a replaced capture leaves its successor's home alone).
      if (!registry.current.has(session.id)) {
        releasePresentationHome(deps, session).catch((error) =>
          deps.log.error("present home release failed", { error: String(error) })
        );
      }
      // An offer refused before it was answered started nothing: no line, no audit entry.
      if (!shown.answered) return stopFollowing();
      if (why === "moved") {
        // Neither side's doing: a system line naming whose screen it was, for both to read.
        const audit = { action: "session.present_ended" as const, details: { by: why } };
        logSessionEvent(deps, session, ENDED_LOG.moved, { name: by.name }, {
          author: "system",
          name: by.name,
        }, audit).catch((error) => deps.log.error("present log failed", { error: String(error) }));
        return;
      }
      const actor = why === "technician" ? by : null;
      _log(deps, session, ENDED_LOG[why], actor, "session.present_ended", { by: why });
    },
  });
  const register = () => {
    registry.current.set(session.id, shown);
    registry.last.delete(session.id);
    // Held, transferred or ended: the technician no longer works it, and shows nothing.
    const unworked = whileWorked(deps, session, () => shown.end("session"));
    // The home went to another instance (the customer's app attached there): the customer's
    // page follows it, this presentation cannot — it ends, and says so (see the top).
    const unwatched = watchHome(deps, session, {
      relayedTo: null,
      close: () => shown.end("moved"),
    });
    stopFollowing = () => (unworked(), unwatched());
    _tell(registry, session.id);
  };
  return { shown, register };
}

function _sdp(body: { sdp?: unknown } | null): string | null {
  const sdp = body?.sdp;
  return typeof sdp === "string" && sdp.startsWith("v=0") && sdp.length <= MAX_SDP ? sdp : null;
}

const _customerRoutes = new Hono<AppEnv>()
  .use("/s/:token/present/*", relayToHome(_customerTarget))
  .post("/s/:token/present/view", async (c) => {
    const { session, shown } = await _shown(c);
    const offer = await shown.view();
    if (!offer) throw new Refusal(409, "customerPresent.nothingShown");
    _log(c.get("deps"), session, "log.present.accepted", null, null);
    return c.json(offer);
  })
  .post("/s/:token/present/answer", async (c) => {
    const { shown } = await _shown(c);
    const body = await c.req.json().catch(() => null) as { sdp?: unknown; id?: unknown } | null;
    const sdp = _sdp(body);
    if (!sdp || typeof body?.id !== "number") throw new Refusal(422, "customerPresent.badAnswer");
    const taken = await shown.customerAnswer(sdp, body.id).catch(() => null);
    if (taken === null) throw new Refusal(422, "customerPresent.badAnswer");
    if (!taken) throw new Refusal(409, "customerPresent.nothingShown");
    return c.body(null, 204);
  })
  .post("/s/:token/present/decline", async (c) => {
    const { shown } = await _shown(c);
    shown.end("declined");
    return c.body(null, 204);
  })
  .post("/s/:token/present/end", async (c) => {
    const { shown } = await _shown(c);
    shown.end("customer");
    return c.body(null, 204);
  });

const _technicianRoutes = new Hono<AppEnv>()
  .use("/console/sessions/:id/present", requireUser(), relayToAgentHome)
  .use("/console/sessions/:id/present/*", requireUser(), relayToAgentHome)
  .get("/console/sessions/:id/present", async (c) => {
    const { session } = await _presenter(c);
    return c.html(<PresentPanel c={c} sessionId={session.id} />);
  })
  .post("/console/sessions/:id/present/offer", async (c) => {
    const deps = c.get("deps");
    const { session, user } = await _presenter(c);
    const sdp = _sdp(await c.req.json().catch(() => null));
    if (!sdp) throw new Refusal(422, "present.badOffer");
    if (session.customerState !== "connected") throw new Refusal(409, "present.customerAway");
    const current = presentationOf(deps, session.id);
    if (current && current.by.userId !== user.id) {
      throw new Refusal(409, "present.busy", { params: { name: current.by.name } });
    }
    // With no agent or share, this instance becomes the session's home (agent_home.ts), so the
    // customer's remote stream, wherever it landed, moves here and meets the presentation.
    await claimPresentationHome(deps, session);
    const { shown, register } = _create(deps, session, user);
    let answer: string;
    try {
      answer = await shown.answer(sdp);
    } catch (error) {
      // Refused before anything started: a presentation already running goes on.
      deps.log.error("present offer refused", { error: String(error) });
      shown.end("lost");
      throw new Refusal(422, "present.badOffer");
    }
    // Another technician's started while this offer was answered: theirs stays.
    const now = presentationOf(deps, session.id);
    if (now && now !== current && now.by.userId !== user.id) {
      shown.end("lost");
      throw new Refusal(409, "present.busy", { params: { name: now.by.name } });
    }
    // The technician's own earlier capture (a reload, a second Show): replaced, not doubled —
    // the new one is the session's first, so the old one's end is no news to the pages.
    register();
    now?.end("technician");
    _log(deps, session, "log.present.started", shown.by, "session.present_started");
    return c.json({ sdp: answer });
  })
  .post("/console/sessions/:id/present/stop", async (c) => {
    const { session } = await _presenter(c);
    presentationOf(c.get("deps"), session.id)?.end("technician");
    return c.body(null, 204);
  })
  .get("/console/sessions/:id/present/events", async (c) => {
    const deps = c.get("deps");
    const { session } = await _presenter(c);
    const registry = _registry(deps);
    return await liveStream(c, async (stream) => {
      // Whether the customer's page is connected: Show my screen waits for it.
      let customer = session.customerState === "connected";
      let sent = "";
      const listener = (state: PresenterState) => {
        const data = JSON.stringify({ ...state, customer });
        if (data === sent) return;
        sent = data;
        stream.send({ event: "present", data });
      };
      let set = registry.listeners.get(session.id);
      if (!set) registry.listeners.set(session.id, set = new Set());
      const listeners = set;
      listeners.add(listener);
      /** Nothing of the session shown or ended here: how it ended elsewhere, from the log. */
      let fromLog: PresenterState | null = null;
      const current = () =>
        registry.current.has(session.id) || registry.last.has(session.id) || !fromLog
          ? _stateOf(registry, session.id)
          : fromLog;
      const unsubscribe = deps.live.subscribe(session.orgId, (event) => {
        if (!("sessionId" in event) || event.sessionId !== session.id) return;
        if (event.kind === "log" && !registry.current.has(session.id)) {
          // A presentation's end written on another instance (the home moved from there).
          readLogLine(deps.db, event.logId).then((line) => {
            const end = line ? _endOfLine(line) : undefined;
            if (end === undefined) return;
            fromLog = { phase: "none", ended: end, size: null };
            listener(current());
          }).catch(() => {});
        }
        if (event.kind !== "session") return;
        loadSession(deps.db, session.id).then((now) => {
          customer = now.customerState === "connected" && !now.endedAt;
          listener(current());
        }).catch(() => {});
      });
      // Where the session's home goes, the tab's stream goes: closed here, the browser opens
      // it again and it is relayed to the new home, which runs what is shown from now on.
      const unwatch = watchHome(deps, session, { relayedTo: null, close: () => stream.close() });
      stream.onClose(() => {
        unwatch();
        unsubscribe();
        listeners.delete(listener);
        if (listeners.size === 0) registry.listeners.delete(session.id);
      });
      if (!registry.current.has(session.id) && !registry.last.has(session.id)) {
        fromLog = await _lastEndFromLog(deps, session.id).catch(() => null);
      }
      listener(current());
    });
  });

/** The technician's and the customer's routes (see the top). */
export const presentRoutes = new Hono<AppEnv>()
  .route("/", _customerRoutes)
  .route("/", _technicianRoutes);
