/**
 * The console's live stream (`GET /console/events`, SPEC Q3–Q5): server-sent events that
 * keep the queue, the session tabs and an open session log current without a reload.
 *
 *   event: queue  the whole `<tbody>` — first thing on every (re)connect, so a console that
 *                 lost its connection catches up by itself (EventSource reconnects)
 *   event: rows   `<template data-session="ID">` + that session's rows for this reader; an
 *                 empty template removes them
 *   event: log    JSON `{sessionId, html, kind, author, name}` for a new log line
 *
 * Each stream computes who its technician is (`Viewer`) and what its rows may offer
 * (`RowContext`) when it opens, and again on an `access` notice (a group's permissions
 * edited, someone moved between groups): if either changed, the whole queue is sent anew.
 * A published change is loaded once per app and rendered once per reader profile (see
 * row_cache.tsx).
 */
import { toCurrentUser, userOfSession } from "../auth/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import type { LiveEvent } from "../live/mod.ts";
import { withCurrentPermissions } from "../org/mod.ts";
import { queueFor, startSession, type Viewer, viewerFor, visibleRows } from "../support/mod.ts";
import { type RowContext, rowContextFor } from "./queue_context.ts";
import { consoleShared, renderRows } from "./row_cache.tsx";

export const HEARTBEAT_MS = 15_000;

export interface ConsoleStreamOptions {
  user: CurrentUser;
  viewer: Viewer;
  ctx: RowContext;
  /** Start this technician's private sessions as soon as the customer is Waiting (SPEC Q7). */
  autoStart: boolean;
}

/** One SSE frame; every line of `data` gets its own `data:` prefix, as the format wants. */
export function sseFrame(event: string, data: string): string {
  return `event: ${event}\n${data.split("\n").map((line) => `data: ${line}`).join("\n")}\n\n`;
}

/** Opens one console's stream; it subscribes to `deps.live` until cancelled. */
export function openConsoleStream(
  deps: AppDeps,
  options: ConsoleStreamOptions,
): ReadableStream<Uint8Array> {
  let { user, viewer, ctx } = options;
  const shared = consoleShared(deps);
  const encoder = new TextEncoder();
  /** Sessions this reader has rows of, so it hears about their removal and their log. */
  const visible = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    clearInterval(heartbeat);
  };
  const write = (text: string) => {
    if (closed) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      close();
    }
  };
  // Events are handled one after another, so the reader sees them in publishing order.
  const run = (work: () => Promise<void>) => {
    chain = chain.then(() => (closed ? undefined : work())).catch((error) => {
      deps.log.error("console stream", { error: String(error) });
    });
  };

  // Deactivated, signed out (here or everywhere): the stream ends with the sign-in.
  // Otherwise the rights are read again; a different view or row buttons resend the queue.
  const onAccess = async (event: Extract<LiveEvent, { kind: "access" }>) => {
    if (!_concerns(event, user)) return;
    const { sessionId } = user;
    const row = sessionId ? await userOfSession(deps.db, sessionId, deps.clock.now()) : undefined;
    if (!row) {
      close();
      try {
        controller.close();
      } catch {
        // Already closed by the reader.
      }
      return;
    }
    const fresh = await withCurrentPermissions(deps.db, toCurrentUser(row, sessionId));
    const [nextViewer, nextCtx] = await Promise.all([
      viewerFor(deps.db, fresh),
      rowContextFor(deps, fresh, ctx.t),
    ]);
    user = fresh;
    if (_sameViewer(viewer, nextViewer) && nextCtx.key === ctx.key) return;
    viewer = nextViewer;
    ctx = nextCtx;
    await sendQueue();
  };

  const sendQueue = async () => {
    const rows = await queueFor(deps.db, viewer);
    const html = await renderRows(deps, rows, ctx);
    visible.clear();
    for (const row of rows) visible.add(row.session.id);
    write(sseFrame("queue", `<tbody>${html.join("")}</tbody>`));
  };

  const onSession = async (event: { sessionId: string }) => {
    const snapshot = await shared.snapshot(event);
    const rows = snapshot ? visibleRows(viewer, snapshot) : [];
    if (rows.length === 0 && !visible.has(event.sessionId)) return;
    const html = await renderRows(deps, rows, ctx);
    if (rows.length > 0) visible.add(event.sessionId);
    else visible.delete(event.sessionId);
    write(
      sseFrame("rows", `<template data-session="${event.sessionId}">${html.join("")}</template>`),
    );
    if (options.autoStart) await _autoStart(deps, user, rows, shared.autoStarting);
  };

  const onLog = async (event: Extract<LiveEvent, { kind: "log" }>) => {
    if (!visible.has(event.sessionId)) return;
    const line = await shared.logLine(event);
    if (!line) return;
    const html = await shared.logHtml(event, line, ctx.t);
    write(sseFrame(
      "log",
      JSON.stringify({
        sessionId: event.sessionId,
        html,
        kind: line.kind,
        author: line.author,
        name: line.authorName,
      }),
    ));
  };

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      // Subscribe before loading the queue: a change made meanwhile is queued behind it.
      unsubscribe = deps.live.subscribe(viewer.orgId, (event) => {
        if (event.kind === "session") run(() => onSession(event));
        else if (event.kind === "log") run(() => onLog(event));
        else if (event.kind === "access") run(() => onAccess(event));
      });
      write("retry: 3000\n\n");
      run(sendQueue);
      heartbeat = setInterval(() => write(": heartbeat\n\n"), HEARTBEAT_MS);
    },
    // The server cancels the body when the browser goes away (or a reader cancels it).
    cancel() {
      close();
    },
  });
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
