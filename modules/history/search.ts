/**
 * Full-text search over past chats and notes (SPEC T5): PostgreSQL's own text search
 * (`to_tsvector('simple', …) @@ websearch_to_tsquery('simple', …)`, the expressions of the
 * GIN indexes on `session_log` and `session_notes`), so it runs the same on PGlite and on
 * a PostgreSQL server. The `simple` configuration does not stem: the product speaks
 * English and Dutch, and a word is found as it was typed in either. Filters narrow by
 * technician, group, channel, period (days in the viewer's time zone), outcome and whether it
 * has a screen recording; `visibleSessions` keeps what the reader
 * may see. Without words it lists the sessions the filters leave.
 */
import { and, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { recordings } from "../recording/mod.ts";
import { isTimeZone } from "../reports/mod.ts";
import { SESSION_OUTCOMES } from "../sessions/mod.ts";
import {
  queueEntries,
  sessionLog,
  sessionNotes,
  type SupportSession,
  supportSessions,
} from "../support/mod.ts";
import { historyScope, visibleSessions } from "./visibility.ts";

export const SEARCH_LIMIT = 50;
/** Marks around a matched word in a snippet: control characters no stored text contains. */
export const MARK_START = "\u0002";
export const MARK_END = "\u0003";

const uuid = z.union([z.literal(""), z.uuid()]).default("");
const day = z.union([z.literal(""), z.iso.date()]).default("");
const zone = z.union([z.literal(""), z.string().max(64).refine(isTimeZone)]).default("")
  .transform((value) => value || "UTC");

/** The search form; every field optional, a bad one refused with its name. */
export const SearchQuerySchema = z.object({
  q: z.string().trim().max(200).default(""),
  technician: uuid,
  group: uuid,
  channel: uuid,
  from: day,
  to: day,
  /** The days' time zone: the viewer's, as the reports take it (the page fills it in). */
  tz: zone,
  outcome: z.union([z.literal(""), z.literal("open"), z.enum(SESSION_OUTCOMES)]).default(""),
  /** "1": only sessions with a screen recording (modules/recording). */
  recorded: z.union([z.literal(""), z.literal("1")]).default(""),
});
export type SearchQuery = z.infer<typeof SearchQuerySchema>;

export interface SearchHit {
  source: "chat" | "note";
  snippet: string;
  at: Date;
}

export interface SearchResult {
  session: SupportSession;
  hits: SearchHit[];
  /** It has a screen recording (its record page lists the parts). */
  recorded?: boolean;
}

/**
 * The filters as conditions on `support_sessions`. Dates are whole days in the viewer's
 * time zone, `to` included: PostgreSQL turns a local midnight into its instant, so a day
 * of a DST change has its 23 or 25 hours.
 */
function _filters(query: SearchQuery): SQL[] {
  const s = supportSessions;
  const out: SQL[] = [];
  if (query.technician) {
    out.push(sql`exists (select 1 from ${queueEntries} where ${queueEntries.sessionId} = ${s.id}
      and ${queueEntries.userId} = ${query.technician})`);
  }
  if (query.group) out.push(eq(s.groupId, query.group));
  if (query.channel) out.push(eq(s.channelId, query.channel));
  if (query.from) {
    out.push(sql`${s.createdAt} >= (${query.from}::date::timestamp at time zone ${query.tz})`);
  }
  if (query.to) {
    out.push(
      sql`${s.createdAt} < ((${query.to}::date + 1)::timestamp at time zone ${query.tz})`,
    );
  }
  if (query.outcome === "open") out.push(isNull(s.endedAt));
  else if (query.outcome) out.push(eq(s.outcome, query.outcome));
  if (query.recorded) {
    out.push(sql`exists (select 1 from ${recordings} where ${recordings.sessionId} = ${s.id})`);
  }
  return out;
}

/**
 * The sessions whose chat or notes match `query.q` (newest hit first, at most SEARCH_LIMIT
 * sessions, three snippets each), or without words the newest sessions the filters leave.
 */
export async function searchSessions(
  deps: AppDeps,
  user: CurrentUser,
  query: SearchQuery,
): Promise<SearchResult[]> {
  const results = await _search(deps, user, query);
  const ids = results.map((r) => r.session.id);
  if (ids.length === 0) return results;
  const withParts = new Set(
    (await deps.db.selectDistinct({ id: recordings.sessionId }).from(recordings)
      .where(inArray(recordings.sessionId, ids))).map((row) => row.id),
  );
  return results.map((r) => ({ ...r, recorded: withParts.has(r.session.id) }));
}

async function _search(
  deps: AppDeps,
  user: CurrentUser,
  query: SearchQuery,
): Promise<SearchResult[]> {
  const scope = await historyScope(deps.db, user);
  const where = and(visibleSessions(scope), ..._filters(query))!;
  if (!query.q) {
    const rows = await deps.db.select().from(supportSessions).where(where)
      .orderBy(desc(supportSessions.createdAt)).limit(SEARCH_LIMIT);
    return rows.map((session) => ({ session, hits: [] }));
  }
  const q = sql`websearch_to_tsquery('simple', ${query.q})`;
  const chat = deps.db.select({
    sessionId: sessionLog.sessionId,
    source: sql<"chat" | "note">`'chat'`.as("source"),
    body: sessionLog.body,
    at: sessionLog.at,
  }).from(sessionLog).where(and(
    eq(sessionLog.kind, "chat"),
    sql`to_tsvector('simple', ${sessionLog.body}) @@ ${q}`,
  ));
  const notes = deps.db.select({
    sessionId: sessionNotes.sessionId,
    source: sql<"chat" | "note">`'note'`.as("source"),
    body: sessionNotes.body,
    at: sessionNotes.updatedAt,
  }).from(sessionNotes).where(sql`to_tsvector('simple', ${sessionNotes.body}) @@ ${q}`);
  const hits = chat.unionAll(notes).as("hits");
  // The newest hits the reader may see first; only they get a snippet (ts_headline re-reads
  // the text, which over every hit of a common word took seconds).
  const top = deps.db.select({
    sessionId: hits.sessionId,
    source: hits.source,
    body: hits.body,
    at: hits.at,
  }).from(hits).innerJoin(supportSessions, eq(supportSessions.id, hits.sessionId))
    .where(where).orderBy(desc(hits.at)).limit(SEARCH_LIMIT * 3).as("top");
  const rows = await deps.db.select({
    session: supportSessions,
    source: top.source,
    snippet: sql<string>`ts_headline('simple', ${top.body}, ${q},
      ${`StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=24, MinWords=8`})`,
    at: top.at,
  }).from(top).innerJoin(supportSessions, eq(supportSessions.id, top.sessionId))
    .orderBy(desc(top.at));
  const bySession = new Map<string, SearchResult>();
  for (const row of rows) {
    let result = bySession.get(row.session.id);
    if (!result) {
      if (bySession.size >= SEARCH_LIMIT) continue;
      result = { session: row.session, hits: [] };
      bySession.set(row.session.id, result);
    }
    if (result.hits.length < 3) {
      result.hits.push({ source: row.source, snippet: row.snippet, at: new Date(row.at) });
    }
  }
  return [...bySession.values()];
}
