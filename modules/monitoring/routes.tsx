/**
 * Monitoring's HTTP side (SPEC K4). For admins (every route checks the role and the
 * technician's place in the admin's scope, service.ts):
 *
 * - `GET /monitoring` — the technicians it may monitor (presence, open sessions, whom it
 *   monitors now); `GET /monitoring/mine` — the console's Monitored tab (those it monitors);
 *   `POST /monitoring/:userId/start`;
 * - `GET /monitoring/:userId` — the monitor page (or how the last monitoring ended);
 *   `GET …/events` its live stream: the console's own stream narrowed to that technician,
 *   and the monitoring's status — everything it rests on read again on every event, an end
 *   sent with the reason worded before the stream closes; `POST …/stop`;
 * - `POST …/sessions/:id/join` — join the session as a collaborator (modules/collaboration);
 * - `GET …/sessions/:id` — one session's card (a session that opened while watching);
 * - `GET …/sessions/:id/remote/ws` — the picture as an extra viewer, never control.
 *
 * For the monitored technician: `GET /monitoring/me` (the notice, the asks — read when the
 * console's own stream sends `monitoring`, see modules/console/stream.ts) and
 * `POST /monitoring/me/asks/:id/allow|refuse`.
 */
import { type Context, Hono } from "hono";
import { type AppEnv, type AuthedEnv, liveStream, requireUser } from "../http/mod.ts";
import { joinAsCollaborator } from "../collaboration/mod.ts";
import { rowContextFor, startConsoleStream } from "../console/mod.ts";
import { viewerSocket } from "../remote/mod.ts";
import { TAB_STATUSES } from "../sessions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { liveEntries, loadSession, queueFor, readLog, viewerFor } from "../support/mod.ts";
import {
  decideMonitoring,
  endMonitoring,
  isWatching,
  lastMonitoring,
  monitoringOfTechnician,
  openMonitoring,
  type OverReason,
  recheckMonitoring,
  SEEN_EVERY_MS,
  startMonitoring,
  technicianInScope,
  touchMonitoring,
} from "./service.ts";
import { teamOf } from "./team.ts";
import {
  MonitoredList,
  type MonitoredSession,
  MonitoredSessionCard,
  MonitorListPage,
  MonitorPage,
} from "./views.tsx";

type C = Context<AuthedEnv>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The technician, and the admin's open monitoring of it (404 / 409 otherwise). */
async function _monitoring(c: C, opts: { active: boolean }) {
  const deps = c.get("deps");
  const admin = c.get("user");
  const technician = await technicianInScope(deps, admin, c.req.param("userId") ?? "");
  const monitoring = await openMonitoring(deps, admin, technician.id);
  if (!monitoring) throw new Refusal(409, "monitoring.notActive");
  if (opts.active && !isWatching(monitoring, deps.clock.now())) {
    throw new Refusal(409, "monitoring.notActive");
  }
  return { deps, admin, technician, monitoring };
}

/** The technician's open sessions (a console tab each), with their logs so far. */
async function _sessions(c: C, technicianId: string, only?: string) {
  const deps = c.get("deps");
  const viewer = await viewerFor(deps.db, c.get("user"));
  const narrowed = { ...viewer, groupId: null, channelIds: new Set<string>() };
  narrowed.monitored = new Set(viewer.monitored.has(technicianId) ? [technicianId] : []);
  const rows = (await queueFor(deps.db, narrowed)).filter((row) =>
    row.entry.userId === technicianId && TAB_STATUSES.has(row.entry.status) &&
    (!only || row.session.id === only)
  );
  return await Promise.all(rows.map(async (row): Promise<MonitoredSession> => ({
    session: row.session,
    entry: row.entry,
    log: await readLog(deps.db, row.session.id),
  })));
}

/** The monitored technician still works this session: the monitor's picture may go on. */
async function _monitoredSession(c: C, technicianId: string, sessionId: string) {
  const deps = c.get("deps");
  if (!UUID.test(sessionId)) throw new Refusal(404, "sessions.notFound");
  const session = await loadSession(deps.db, sessionId);
  const entries = await liveEntries(deps.db, sessionId);
  const works = entries.some((e) => e.userId === technicianId && TAB_STATUSES.has(e.status));
  if (session.orgId !== c.get("user").orgId || !works) {
    throw new Refusal(404, "sessions.notFound");
  }
  return session;
}

/** A monitoring admin's extra viewer: the picture only, while the monitoring is on. */
const _monitorSocket = viewerSocket(async (c) => {
  const check = async () => {
    const { technician } = await _monitoring(c, { active: true });
    return await _monitoredSession(c, technician.id, c.req.param("id") ?? "");
  };
  const session = await check();
  return {
    session,
    user: c.get("user"),
    monitor: true,
    rights: "view",
    read: () => check().then(() => "view" as const, () => "none" as const),
    lead: false,
    isLead: () => Promise.resolve(false),
  };
});

export const monitoringRoutes = new Hono<AppEnv>()
  .use("/monitoring", requireUser())
  .use("/monitoring/*", requireUser())
  // --- the monitored technician ----------------------------------------------------------
  .get("/monitoring/me", async (c) => {
    // Read once, when the console's own stream says to look (no stream of its own: over plain
    // http every held request takes one of the browser's six connections).
    const view = await monitoringOfTechnician(
      c.get("deps"),
      c.get("user"),
      c.get("t")(
        "monitoring.defaultNotice",
      ),
    );
    c.header("cache-control", "no-store");
    return c.json(view);
  })
  .post("/monitoring/me/asks/:id/:answer{allow|refuse}", async (c) => {
    const answer = c.req.param("answer");
    await decideMonitoring(c.get("deps"), c.get("user"), c.req.param("id"), answer === "allow");
    return c.body(null, 204);
  })
  // --- the admin -------------------------------------------------------------------------
  .get("/monitoring", async (c) => {
    const team = await teamOf(c.get("deps"), c.get("user"));
    return c.html(<MonitorListPage c={c} team={team} />);
  })
  .get("/monitoring/mine", async (c) => {
    const team = await teamOf(c.get("deps"), c.get("user"));
    const watching = team.filter((m) => m.monitoring);
    return c.html(<MonitoredList c={c} watching={watching} panel />);
  })
  .post("/monitoring/:userId/start", async (c) => {
    const row = await startMonitoring(c.get("deps"), c.get("user"), c.req.param("userId"));
    return c.redirect(`/monitoring/${row.technicianId}`, 303);
  })
  .post("/monitoring/:userId/stop", async (c) => {
    const deps = c.get("deps");
    const technician = await technicianInScope(deps, c.get("user"), c.req.param("userId"));
    await endMonitoring(deps, c.get("user"), technician.id);
    if (c.req.query("panel") && c.req.header("HX-Request")) {
      // The console's Monitored tab: the list redrawn in place, the console stays.
      const team = await teamOf(deps, c.get("user"));
      const watching = team.filter((m) => m.monitoring);
      return c.html(<MonitoredList c={c} watching={watching} panel />);
    }
    return c.redirect("/monitoring", 303);
  })
  .get("/monitoring/:userId", async (c) => {
    const deps = c.get("deps");
    const admin = c.get("user");
    const technician = await technicianInScope(deps, admin, c.req.param("userId"));
    const last = await lastMonitoring(deps, admin, technician.id);
    if (!last) return c.redirect("/monitoring", 303);
    const monitoring = last.reason ? last : await touchMonitoring(deps, last);
    const [ctx, sessions] = await Promise.all([
      rowContextFor(deps, admin, c.get("t")),
      monitoring.status === "active" ? _sessions(c, technician.id) : [],
    ]);
    return c.html(
      <MonitorPage
        c={c}
        technician={technician}
        monitoring={monitoring}
        over={last.reason}
        now={deps.clock.now()}
        ctx={ctx}
        sessions={sessions}
      />,
    );
  })
  .get("/monitoring/:userId/events", async (c) => {
    const { deps, admin, technician, monitoring } = await _monitoring(c, { active: false });
    const t = c.get("t");
    const [viewer, ctx] = await Promise.all([
      viewerFor(deps.db, admin),
      rowContextFor(deps, admin, c.get("t")),
    ]);
    return await liveStream(c, (stream) => {
      // Every event this stream reads re-reads what the monitoring rests on (the admin's
      // sign-in and role, the technician in its scope and signed in); the page reloads when
      // the technician allows, and is told why when it is over, before the stream ends.
      const tell = (status: string, reason: OverReason | null) => {
        const message = reason ? t(`monitoring.over.${reason}`, { name: technician.name }) : "";
        stream.send({ event: "monitoring", data: JSON.stringify({ status, reason, message }) });
      };
      let known = monitoring.status;
      let checking: Promise<void> | null = null;
      let again = false;
      const check = async () => {
        const { row, reason } = await recheckMonitoring(deps, admin, monitoring);
        if (reason) {
          tell(row.status, reason);
          stream.close();
        } else {
          if (row.status !== known) tell(known = row.status, null);
          await touchMonitoring(deps, row);
        }
      };
      const look = () => {
        if (stream.closed) return;
        if (checking) return void (again = true);
        checking = check().catch((e) => deps.log.error("monitoring watch", { e })).finally(() => {
          checking = null;
          if (again) (again = false, look());
        });
      };
      const unsubscribe = deps.live.subscribe(admin.orgId, look);
      const timer = setInterval(look, SEEN_EVERY_MS);
      stream.onClose(() => (unsubscribe(), clearInterval(timer)));
      look();
      if (monitoring.status !== "active") return;
      startConsoleStream(deps, stream, {
        user: admin,
        viewer,
        ctx,
        autoStart: false,
        onlyTechnician: technician.id,
      });
    });
  })
  .get("/monitoring/:userId/sessions/:id", async (c) => {
    const { technician } = await _monitoring(c, { active: true });
    const [item] = await _sessions(c, technician.id, c.req.param("id"));
    if (!item) throw new Refusal(404, "sessions.notFound");
    return c.html(<MonitoredSessionCard c={c} technicianId={technician.id} item={item} />);
  })
  .post("/monitoring/:userId/sessions/:id/join", async (c) => {
    const { deps, admin, technician } = await _monitoring(c, { active: true });
    const session = await _monitoredSession(c, technician.id, c.req.param("id"));
    await joinAsCollaborator(deps, admin, session.id);
    return c.redirect("/console", 303);
  })
  .get("/monitoring/:userId/sessions/:id/remote/ws", ..._monitorSocket);
