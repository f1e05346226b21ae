/**
 * The console's live stream (`GET /console/events`, SPEC Q3–Q5): server-sent events that
 * keep the queue, the session tabs and an open session log current without a reload.
 *
 *   event: queue  the whole `<tbody>` — first thing on every (re)connect, so a console that
 *                 lost its connection catches up by itself (EventSource reconnects)
 *   event: rows   `<template data-session="ID">` + that session's rows for this reader; an
 *                 empty template removes them
 *   event: log    JSON `{sessionId, html, kind, author, name}` for a new log line
 *   event: monitoring  "look": something about this technician's monitoring may have changed:
 *                 the page reads `GET /monitoring/me` (the notice, the asks). The console
 *                 keeps one held request for itself: over plain http the browser has six
 *                 connections per server, shared by every window of the technician.
 *
 * Each stream computes who its technician is (`Viewer`) and what its rows may offer
 * (`RowContext`) when it opens, and again on an `access` notice (a group's permissions
 * edited, someone moved between groups): if either changed, the whole queue is sent anew.
 * On `resync` (notices of other instances may have been missed) both are read again and
 * the whole queue is sent anew.
 * A published change is loaded once per app and rendered once per reader profile (see
 * row_cache.tsx).
 */
import { toCurrentUser, userOfSession } from "../auth/mod.ts";
import type { AppDeps, CurrentUser, LiveStream } from "../http/mod.ts";
import type { LiveEvent } from "../live/mod.ts";
import { withCurrentPermissions } from "../org/mod.ts";
import { queueFor, startSession, type Viewer, viewerFor, visibleRows } from "../support/mod.ts";
import { type RowContext, rowContextFor } from "./queue_context.ts";
import { consoleShared, renderRows } from "./row_cache.tsx";

export interface ConsoleStreamOptions {
  user: CurrentUser;
  viewer: Viewer;
  ctx: RowContext;
  /** Start this technician's private sessions as soon as the customer is Waiting (SPEC Q7). */
  autoStart: boolean;
  /**
   * Only the rows of this technician, as a monitoring admin sees them (modules/monitoring,
   * SPEC K4): kept after every re-read of the admin's rights, empty once out of its scope.
   */
  onlyTechnician?: string;
}

/**
 * Runs one console's stream on `stream` (opened by `liveStream`): it listens to `deps.live`
 * until the stream closes.
 */
export function startConsoleStream(
  deps: AppDeps,
  stream: LiveStream,
  options: ConsoleStreamOptions,
): void {
  let { user, ctx } = options;
  const narrow = (v: Viewer): Viewer => {
    const only = options.onlyTechnician;
    if (!only) return v;
    const monitored = new Set(v.monitored.has(only) ? [only] : []);
    return { ...v, groupId: null, channelIds: new Set(), monitored };
  };
  let viewer = narrow(options.viewer);
  const shared = consoleShared(deps);
  /** Sessions this reader has rows of, so it hears about their removal and their log. */
  const visible = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  // Events are handled one after another, so the reader sees them in publishing order.
  const run = (work: () => Promise<void>) => {
    chain = chain.then(() => (stream.closed ? undefined : work())).catch((error) => {
      deps.log.error("console stream", { error: String(error) });
    });
  };

  // Deactivated, signed out (here or everywhere): the stream ends with the sign-in.
  // Otherwise the rights are read again; a different view or row buttons resend the queue.
  const onAccess = async (event: Extract<LiveEvent, { kind: "access" }>) => {
    if (!_concerns(event, user)) return;
    if (await rereadRights() === "changed") await sendQueue();
  };

  // Notices of the organisation may have been missed (another instance's, while the bus's
  // LISTEN connection was down): rights and every row may have changed, so both are read again.
  const onResync = async () => {
    if (await rereadRights() !== "closed") await sendQueue();
  };

  const rereadRights = async (): Promise<"closed" | "same" | "changed"> => {
    const { sessionId } = user;
    const row = sessionId ? await userOfSession(deps.db, sessionId, deps.clock.now()) : undefined;
    if (!row) {
      stream.close();
      return "closed";
    }
    const fresh = await withCurrentPermissions(deps.db, toCurrentUser(row, sessionId));
    const [nextViewer, nextCtx] = await Promise.all([
      viewerFor(deps.db, fresh).then(narrow),
      rowContextFor(deps, fresh, ctx.t),
    ]);
    user = fresh;
    if (_sameViewer(viewer, nextViewer) && nextCtx.key === ctx.key) return "same";
    viewer = nextViewer;
    ctx = nextCtx;
    return "changed";
  };

  const sendQueue = async () => {
    const rows = await queueFor(deps.db, viewer);
    const html = await renderRows(deps, rows, ctx);
    visible.clear();
    for (const row of rows) visible.add(row.session.id);
    stream.send({ event: "queue", data: `<tbody>${html.join("")}</tbody>` });
  };

  const onSession = async (event: { sessionId: string }) => {
    const snapshot = await shared.snapshot(event);
    const rows = snapshot ? visibleRows(viewer, snapshot) : [];
    if (rows.length === 0 && !visible.has(event.sessionId)) return;
    const html = await renderRows(deps, rows, ctx);
    if (rows.length > 0) visible.add(event.sessionId);
    else visible.delete(event.sessionId);
    stream.send({
      event: "rows",
      data: `<template data-session="${event.sessionId}">${html.join("")}</template>`,
    });
    if (options.autoStart) await _autoStart(deps, user, rows, shared.autoStarting);
  };

  const onLog = async (event: Extract<LiveEvent, { kind: "log" }>) => {
    if (!visible.has(event.sessionId)) return;
    const line = await shared.logLine(event);
    if (!line) return;
    const html = await shared.logHtml(event, line, ctx.t);
    stream.send({
      event: "log",
      data: JSON.stringify({
        sessionId: event.sessionId,
        html,
        kind: line.kind,
        author: line.author,
        name: line.authorName,
      }),
    });
  };

  // Subscribe before loading the queue: a change made meanwhile is queued behind it.
  // An admin started, stopped or asked to monitor this technician (or notices were missed):
  // the console's monitoring notice looks again. Not for a monitoring admin's narrowed view.
  const nudge = (event: LiveEvent) => {
    if (options.onlyTechnician || stream.closed) return;
    const mine = event.kind === "access" && event.userId === user.id;
    if (mine || event.kind === "resync") stream.send({ event: "monitoring", data: "look" });
  };

  const unsubscribe = deps.live.subscribe(viewer.orgId, (event) => {
    nudge(event);
    if (event.kind === "session") run(() => onSession(event));
    else if (event.kind === "log") run(() => onLog(event));
    else if (event.kind === "access") run(() => onAccess(event));
    else if (event.kind === "resync") run(onResync);
  }, { kind: "console" });
  stream.onClose(unsubscribe);
  run(sendQueue);
}

/**
 * Whether an access notice may change what `user`'s console shows: their own, the whole
 * organisation's, or — for an admin, who monitors the members of their groups — anyone's.
 */
function _concerns(event: Extract<LiveEvent, { kind: "access" }>, user: CurrentUser): boolean {
  return !event.userId || event.userId === user.id || user.role !== "technician";
}

function _sameViewer(a: Viewer, b: Viewer): boolean {
  const same = (x: ReadonlySet<string>, y: ReadonlySet<string>) =>
    x.size === y.size && [...x].every((v) => y.has(v));
  return a.groupId === b.groupId && same(a.channelIds, b.channelIds) &&
    same(a.monitored, b.monitored);
}

/** A private session of this technician that just became Waiting is picked up at once. */
async function _autoStart(
  deps: AppDeps,
  user: CurrentUser,
  rows: ReturnType<typeof visibleRows>,
  inFlight: Set<string>,
) {
  const row = rows.find((r) =>
    r.visibility === "own" && r.session.kind === "private" && r.entry.status === "waiting"
  );
  if (!row) return;
  const key = `${row.entry.id}:${row.entry.version}`;
  if (inFlight.has(key)) return;
  inFlight.add(key);
  try {
    await startSession(deps, user, row.session.id);
  } catch (error) {
    // Another tab or a click got there first, or the technician is at the limit: it waits.
    deps.log.info("auto-start skipped", { sessionId: row.session.id, error: String(error) });
  } finally {
    inFlight.delete(key);
  }
}
