/**
 * Who sees which queue row (SPEC Q2, Q8). A technician sees its own rows, rows transferred
 * to its group, and the waiting rows of the channels its group serves; an admin also
 * monitors the rows of technicians in the groups it manages. `Viewer` is computed once per
 * request or console stream; `visibleRows` is pure, so one change can be fanned out to a
 * hundred consoles without a query per console.
 */
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import { channelGroups, channels } from "../channels/mod.ts";
import type { Database } from "../db/mod.ts";
import type { CurrentUser } from "../http/mod.ts";
import { groupMembers, managedGroupIds } from "../org/mod.ts";
import { type Entry, LIVE, type SupportSession } from "./engine.ts";
import { queueEntries, supportSessions } from "./schema.ts";

export interface Viewer {
  userId: string;
  orgId: string;
  groupId: string | null;
  channelIds: ReadonlySet<string>;
  /** Technicians whose rows this admin monitors (empty for technicians). */
  monitored: ReadonlySet<string>;
}

export type Visibility = "own" | "group" | "channel" | "monitored";

export async function viewerFor(db: Database, user: CurrentUser): Promise<Viewer> {
  const served = user.groupId
    ? await db.select({ id: channelGroups.channelId }).from(channelGroups)
      .innerJoin(channels, eq(channels.id, channelGroups.channelId))
      .where(and(eq(channelGroups.groupId, user.groupId), eq(channels.active, true)))
    : [];
  const managed = [...await managedGroupIds(db, user)];
  const monitored = managed.length === 0 ? [] : await db.select({ id: groupMembers.userId })
    .from(groupMembers).where(inArray(groupMembers.groupId, managed));
  return {
    userId: user.id,
    orgId: user.orgId,
    groupId: user.groupId,
    channelIds: new Set(served.map((s) => s.id)),
    monitored: new Set(monitored.map((m) => m.id).filter((id) => id !== user.id)),
  };
}

export function visibilityOf(viewer: Viewer, entry: Entry): Visibility | null {
  if (entry.removedAt) return null;
  if (entry.userId === viewer.userId) return "own";
  if (!entry.userId && entry.groupId && entry.groupId === viewer.groupId) return "group";
  if (!entry.userId && entry.channelId && viewer.channelIds.has(entry.channelId)) {
    return "channel";
  }
  if (entry.userId && viewer.monitored.has(entry.userId)) return "monitored";
  return null;
}

/** One session with everything a queue row shows. */
export interface SessionSnapshot {
  session: SupportSession;
  entries: Entry[];
  names: ReadonlyMap<string, string>;
  channelName: string | null;
}

export interface QueueRow {
  session: SupportSession;
  entry: Entry;
  visibility: Visibility;
  names: ReadonlyMap<string, string>;
  channelName: string | null;
}

export function visibleRows(viewer: Viewer, snapshot: SessionSnapshot): QueueRow[] {
  const rows: QueueRow[] = [];
  for (const entry of snapshot.entries) {
    const visibility = visibilityOf(viewer, entry);
    if (visibility) {
      rows.push({
        session: snapshot.session,
        entry,
        visibility,
        names: snapshot.names,
        channelName: snapshot.channelName,
      });
    }
  }
  return rows;
}

export async function loadSnapshots(
  db: Database,
  sessionIds: readonly string[],
): Promise<SessionSnapshot[]> {
  if (sessionIds.length === 0) return [];
  const sessions = await db.select().from(supportSessions)
    .where(inArray(supportSessions.id, [...sessionIds]));
  const entries = await db.select().from(queueEntries)
    .where(and(inArray(queueEntries.sessionId, [...sessionIds]), LIVE))
    .orderBy(queueEntries.createdAt);
  const userIds = new Set<string>();
  for (const e of entries) {
    if (e.userId) userIds.add(e.userId);
    if (e.fromUserId) userIds.add(e.fromUserId);
  }
  for (const s of sessions) if (s.leadUserId) userIds.add(s.leadUserId);
  const people = userIds.size === 0 ? [] : await db.select({ id: users.id, name: users.name })
    .from(users).where(inArray(users.id, [...userIds]));
  const names = new Map(people.map((p) => [p.id, p.name]));
  const channelIds = [...new Set(sessions.map((s) => s.channelId).filter((c) => c !== null))];
  const channelRows = channelIds.length === 0 ? [] : await db.select({
    id: channels.id,
    name: channels.name,
  }).from(channels).where(inArray(channels.id, channelIds as string[]));
  const channelNames = new Map(channelRows.map((c) => [c.id, c.name]));
  // One pass over the entries (a filter per session was sessions × entries: 25 million
  // comparisons for a console opening on 5,000 waiting sessions).
  const bySession = new Map<string, Entry[]>();
  for (const e of entries) {
    const list = bySession.get(e.sessionId);
    if (list) list.push(e);
    else bySession.set(e.sessionId, [e]);
  }
  return sessions.map((session) => ({
    session,
    entries: bySession.get(session.id) ?? [],
    names,
    channelName: session.channelId ? channelNames.get(session.channelId) ?? null : null,
  }));
}

/**
 * Every row the viewer sees now, oldest session first. Only sessions with an entry the
 * viewer may see are loaded — the same rules as `visibilityOf`, loosened to a superset it
 * then applies exactly — so a console opening on a busy organisation (5,000 waiting
 * sessions over 20 channels) loads its own 250, not all of them.
 */
export async function queueFor(db: Database, viewer: Viewer): Promise<QueueRow[]> {
  const mine = [eq(queueEntries.userId, viewer.userId)];
  if (viewer.groupId) mine.push(eq(queueEntries.groupId, viewer.groupId));
  if (viewer.channelIds.size > 0) {
    mine.push(inArray(queueEntries.channelId, [...viewer.channelIds]));
  }
  if (viewer.monitored.size > 0) mine.push(inArray(queueEntries.userId, [...viewer.monitored]));
  const live = await db.selectDistinct({ id: queueEntries.sessionId }).from(queueEntries)
    .where(and(eq(queueEntries.orgId, viewer.orgId), isNull(queueEntries.removedAt), or(...mine)));
  const snapshots = await loadSnapshots(db, live.map((l) => l.id));
  return snapshots
    .sort((a, b) => a.session.number - b.session.number)
    .flatMap((s) => visibleRows(viewer, s));
}

/**
 * One snapshot per published change, shared by every stream that asks: a change seen by a
 * hundred consoles costs one load. Keyed by the event object the hub hands to all of them.
 */
export function snapshotMemo(db: Database) {
  const memo = new WeakMap<object, Promise<SessionSnapshot | undefined>>();
  return (event: { sessionId: string }): Promise<SessionSnapshot | undefined> => {
    let promise = memo.get(event);
    if (!promise) {
      promise = loadSnapshots(db, [event.sessionId]).then((s) => s[0]);
      memo.set(event, promise);
    }
    return promise;
  };
}
