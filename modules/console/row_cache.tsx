/**
 * What every console of one app shares, so a change seen by a hundred consoles costs one
 * database load and one render per distinct reader profile (SPEC Q3 at scale): the
 * per-event snapshot and log-line memos, and a bounded cache of rendered queue rows.
 */
import type { AppDeps } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import type { LiveEvent } from "../live/mod.ts";
import {
  type LogLine,
  type QueueRow,
  readLogLine,
  type SessionSnapshot,
  snapshotMemo,
} from "../support/mod.ts";
import type { RowContext } from "./queue_context.ts";
import { QueueRowView } from "./queue_views.tsx";
import { LogLineView } from "./workspace_views.tsx";

/** Enough for every row of a busy organisation in two languages and a few profiles. */
const MAX_CACHED_ROWS = 5_000;

type LogEvent = Extract<LiveEvent, { kind: "log" }>;

export interface ConsoleShared {
  snapshot: (event: { sessionId: string }) => Promise<SessionSnapshot | undefined>;
  logLine: (event: LogEvent) => Promise<LogLine | undefined>;
  logHtml: (event: LogEvent, line: LogLine, t: Translator) => Promise<string>;
  rows: Map<string, string>;
  /**
   * Renders under way by the same key: the consoles that see a new row all handle its event
   * at once and would each miss the cache and render it (50 renders of one row per group).
   */
  rendering: Map<string, Promise<string>>;
  /** Entry versions an auto-start is under way for, so two tabs do not both try. */
  autoStarting: Set<string>;
}

const shared = new WeakMap<AppDeps, ConsoleShared>();

export function consoleShared(deps: AppDeps): ConsoleShared {
  let found = shared.get(deps);
  if (found) return found;
  const lines = new WeakMap<object, Promise<LogLine | undefined>>();
  const lineHtml = new WeakMap<object, Map<string, Promise<string>>>();
  found = {
    // Never older than the latest notice, from whichever instance: the memo is keyed by the
    // event object, and each notice is a new object — a remote one is parsed afresh from its
    // NOTIFY (modules/live/bus.ts). A notice is published after its change committed, and
    // PostgreSQL delivers a NOTIFY only after the NOTIFY's own commit, so the load it starts
    // here sees that change or a later one. Rendered rows are keyed by the entry's version
    // and the session's update time (`_rowKey`), so a newer snapshot never meets an old row;
    // `resync` bypasses both and reads the whole queue (stream.ts).
    snapshot: snapshotMemo(deps.db),
    logLine: (event) => {
      let line = lines.get(event);
      if (!line) lines.set(event, line = readLogLine(deps.db, event.logId));
      return line;
    },
    logHtml: (event, line, t) => {
      let byLang = lineHtml.get(event);
      if (!byLang) lineHtml.set(event, byLang = new Map());
      let html = byLang.get(t.lang);
      if (!html) byLang.set(t.lang, html = _render(<LogLineView t={t} line={line} />));
      return html;
    },
    rows: new Map(),
    rendering: new Map(),
    autoStarting: new Set(),
  };
  shared.set(deps, found);
  return found;
}

function _rowKey(row: QueueRow, ctx: RowContext): string {
  const { entry, session, names } = row;
  return [
    entry.id,
    entry.version,
    session.updatedAt.getTime(),
    row.visibility,
    entry.fromUserId ? names.get(entry.fromUserId) : "",
    entry.userId ? names.get(entry.userId) : "",
    row.channelName ?? "",
    ctx.key,
  ].join("\u0000");
}

/** The rows' `<tr>` HTML, from the shared cache where another console rendered it already. */
export async function renderRows(
  deps: AppDeps,
  rows: readonly QueueRow[],
  ctx: RowContext,
): Promise<string[]> {
  const { rows: cache, rendering } = consoleShared(deps);
  const out: string[] = [];
  for (const row of rows) {
    const key = _rowKey(row, ctx);
    let html = cache.get(key);
    if (html === undefined) {
      let job = rendering.get(key);
      if (!job) {
        job = _render(<QueueRowView row={row} ctx={ctx} />).then((done) => {
          if (cache.size >= MAX_CACHED_ROWS) cache.delete(cache.keys().next().value!);
          cache.set(key, done);
          return done;
        }).finally(() => rendering.delete(key));
        rendering.set(key, job);
      }
      html = await job;
    }
    out.push(html);
  }
  return out;
}

async function _render(node: unknown): Promise<string> {
  return String(await (node as { toString(): string | Promise<string> }).toString());
}
