/**
 * Past sessions (SPEC T5): a session's whole record, and the earlier sessions of the same
 * device (the support app's id) or customer (e-mail or phone, name, custom field values) —
 * each only where `visibleSessions` lets the reader see it.
 */
import { and, asc, desc, eq, getTableColumns, inArray, ne, or, type SQL, sql } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import { channels } from "../channels/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { technicianGroups } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  type Entry,
  type LogLine,
  queueEntries,
  sessionFiles,
  sessionForTechnician,
  sessionLog,
  sessionNotes,
  type SupportSession,
  supportSessions,
} from "../support/mod.ts";
import { answersFor, type SurveyAnswerRow } from "../surveys/mod.ts";
import { listParts, type RecordingRow } from "../recording/mod.ts";
import { historyScope, visibleSessions } from "./visibility.ts";

export const HISTORY_LIMIT = 20;
/** A custom field value this short ("1", "NL") says nothing about who the customer is. */
const FIELD_MATCH_MIN = 3;

export type MatchReason = "device" | "contact" | "name" | "field";

export interface NoteLine {
  id: string;
  body: string;
  author: string;
  updatedAt: Date;
}

/** An earlier session as the History tab lists it, with its log and notes. */
export interface PastSession {
  session: SupportSession;
  matchedBy: MatchReason[];
  technicians: string[];
  lines: LogLine[];
  notes: NoteLine[];
}

/** A session the person may read (history, record, search), or "not found". */
export async function readableSession(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
): Promise<SupportSession> {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) throw new Refusal(404, "history.notFound");
  const scope = await historyScope(deps.db, user);
  const [row] = await deps.db.select().from(supportSessions)
    .where(and(eq(supportSessions.id, sessionId), visibleSessions(scope)));
  if (!row) throw new Refusal(404, "history.notFound");
  return row;
}

/** What makes another session the same device or customer as `current`. */
function _sameCustomer(current: SupportSession): SQL | null {
  const s = supportSessions;
  const conds: SQL[] = [];
  if (current.deviceId) conds.push(eq(s.deviceId, current.deviceId));
  const contact = current.customerContact.trim().toLowerCase();
  if (contact) conds.push(sql`lower(${s.customerContact}) = ${contact}`);
  const name = current.customerName.trim().toLowerCase();
  if (name.length >= 2) conds.push(sql`lower(${s.customerName}) = ${name}`);
  for (const [key, value] of _fieldPairs(current)) {
    conds.push(sql`lower(${s.fields} ->> ${key}) = ${value}`);
  }
  return conds.length ? or(...conds)! : null;
}

function _fieldPairs(session: SupportSession): [string, string][] {
  return Object.entries(session.fields ?? {})
    .map(([k, v]) => [k, String(v ?? "").trim().toLowerCase()] as [string, string])
    .filter(([, v]) => v.length >= FIELD_MATCH_MIN);
}

function _reasons(current: SupportSession, other: SupportSession): MatchReason[] {
  const out: MatchReason[] = [];
  if (current.deviceId && other.deviceId === current.deviceId) out.push("device");
  const low = (v: string) => v.trim().toLowerCase();
  if (low(current.customerContact) && low(other.customerContact) === low(current.customerContact)) {
    out.push("contact");
  }
  if (
    low(current.customerName).length >= 2 && low(other.customerName) === low(current.customerName)
  ) {
    out.push("name");
  }
  const theirs = new Map(_fieldPairs(other));
  if (_fieldPairs(current).some(([k, v]) => theirs.get(k) === v)) out.push("field");
  return out;
}

/**
 * The History tab of an open session: the earlier sessions of its device or customer that
 * the technician may read, newest first, each with its log and notes.
 */
export async function sessionHistory(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
): Promise<{ current: SupportSession; past: PastSession[] }> {
  const { session: current } = await sessionForTechnician(deps, user, sessionId, "read");
  const same = _sameCustomer(current);
  if (!same) return { current, past: [] };
  const scope = await historyScope(deps.db, user);
  const rows = await deps.db.select().from(supportSessions).where(and(
    visibleSessions(scope),
    ne(supportSessions.id, current.id),
    same,
  )).orderBy(desc(supportSessions.createdAt)).limit(HISTORY_LIMIT);
  const ids = rows.map((r) => r.id);
  const [lines, notes, technicians] = await Promise.all([
    _lines(deps.db, ids),
    _notes(deps.db, ids),
    _technicians(deps.db, ids),
  ]);
  return {
    current,
    past: rows.map((session) => ({
      session,
      matchedBy: _reasons(current, session),
      technicians: technicians.get(session.id) ?? [],
      lines: lines.filter((l) => l.sessionId === session.id),
      notes: notes.get(session.id) ?? [],
    })),
  };
}

async function _lines(db: Database, ids: string[]): Promise<LogLine[]> {
  if (ids.length === 0) return [];
  return await db.select().from(sessionLog).where(inArray(sessionLog.sessionId, ids))
    .orderBy(asc(sessionLog.id));
}

async function _notes(db: Database, ids: string[]): Promise<Map<string, NoteLine[]>> {
  const out = new Map<string, NoteLine[]>();
  if (ids.length === 0) return out;
  const rows = await db.select({
    id: sessionNotes.id,
    sessionId: sessionNotes.sessionId,
    body: sessionNotes.body,
    author: users.name,
    updatedAt: sessionNotes.updatedAt,
  }).from(sessionNotes).innerJoin(users, eq(users.id, sessionNotes.userId))
    .where(inArray(sessionNotes.sessionId, ids)).orderBy(asc(sessionNotes.createdAt));
  for (const { sessionId, ...note } of rows) {
    if (!note.body.trim()) continue;
    out.set(sessionId, [...out.get(sessionId) ?? [], note]);
  }
  return out;
}

/** Who took part in each session: the technicians of its queue rows, first come first. */
async function _technicians(db: Database, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = await db.select({ sessionId: queueEntries.sessionId, name: users.name })
    .from(queueEntries).innerJoin(users, eq(users.id, queueEntries.userId))
    .where(inArray(queueEntries.sessionId, ids)).orderBy(asc(queueEntries.createdAt));
  for (const { sessionId, name } of rows) {
    const list = out.get(sessionId) ?? [];
    if (!list.includes(name)) list.push(name);
    out.set(sessionId, list);
  }
  return out;
}

export type FileRow = Omit<typeof sessionFiles.$inferSelect, "content">;

/** Everything kept of one session (SPEC T5), for its record page. */
export interface SessionRecord {
  session: SupportSession;
  groupName: string | null;
  channelName: string | null;
  /** Every queue row it had, removed ones too, with the technician's name. */
  entries: (Entry & { userName: string | null })[];
  lines: LogLine[];
  notes: NoteLine[];
  files: FileRow[];
  /** Its screen recording's parts (modules/recording). */
  recordings: RecordingRow[];
  survey?: SurveyAnswerRow;
}

export async function sessionRecord(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
): Promise<SessionRecord> {
  const session = await readableSession(deps, user, sessionId);
  const db = deps.db;
  const { content: _content, ...fileColumns } = getTableColumns(sessionFiles);
  const [entries, lines, notes, files, survey, group, channel, parts] = await Promise.all([
    db.select({ entry: queueEntries, userName: users.name }).from(queueEntries)
      .leftJoin(users, eq(users.id, queueEntries.userId))
      .where(eq(queueEntries.sessionId, session.id)).orderBy(asc(queueEntries.createdAt)),
    _lines(db, [session.id]),
    _notes(db, [session.id]),
    db.select(fileColumns).from(sessionFiles).where(eq(sessionFiles.sessionId, session.id))
      .orderBy(asc(sessionFiles.createdAt)),
    answersFor(db, session.id),
    session.groupId
      ? db.select({ name: technicianGroups.name }).from(technicianGroups)
        .where(eq(technicianGroups.id, session.groupId))
      : [],
    session.channelId
      ? db.select({ name: channels.name }).from(channels).where(eq(channels.id, session.channelId))
      : [],
    listParts(db, "session", session.id),
  ]);
  return {
    session,
    groupName: group[0]?.name ?? null,
    channelName: channel[0]?.name ?? null,
    entries: entries.map((r) => ({ ...r.entry, userName: r.userName })),
    lines,
    notes: notes.get(session.id) ?? [],
    files: files as FileRow[],
    recordings: parts,
    survey,
  };
}
