/**
 * Where the pure state machine meets the database: apply one event to one queue entry
 * inside the caller's transaction — check it with `transition`, store the new status, swap
 * the entry's persisted deadlines, write the status line to the session log, queue the
 * webhook event the move is (webhook_events.ts). Callers publish the change after their
 * transaction commits.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { defaultGroupSettings, type GroupSettings, technicianGroups } from "../org/mod.ts";
import {
  deadlinesFor,
  isSessionStatus,
  type SessionEvent,
  type SessionState,
  type SessionStatus,
  transition,
} from "../sessions/mod.ts";
import type { Permission } from "../permissions/mod.ts";
import { Refusal, type RefusalStatus } from "../refusal/mod.ts";
import { queueEntries, sessionDeadlines, sessionLog, supportSessions } from "./schema.ts";
import { queueSessionWebhook, sessionWebhookFor } from "./webhook_events.ts";

export type Entry = typeof queueEntries.$inferSelect;
export type SupportSession = typeof supportSessions.$inferSelect;

/** A session's rows that are still in some queue. */
export const LIVE = isNull(queueEntries.removedAt);

/** Refusals the caller fixes by changing what it sent (422), and the other special cases. */
const REFUSAL_STATUS: Partial<Record<TranslationKey, RefusalStatus>> = {
  "sessions.notFound": 404,
  "files.tooLarge": 413,
  "chat.empty": 422,
  "chat.tooLong": 422,
  "chat.badKey": 422,
  "files.empty": 422,
  "sessions.badUrl": 422,
  "sessions.noteTooLong": 422,
  "sessions.badName": 422,
  "sessions.fieldTooLong": 422,
};

/**
 * A refusal by the session rules: `key` is the i18n key of the message, its status the one
 * every surface (console, customer page, API) answers with — one table above, 409 unless
 * listed; `reason` says what happened, for logs and tests.
 */
export function sessionRefusal(key: TranslationKey, reason: string): Refusal {
  return new Refusal(REFUSAL_STATUS[key] ?? 409, key, { reason });
}

/** A refusal for a technician whose group lacks `permission` (403, names the permission). */
export function permissionRefusal(permission: Permission): Refusal {
  return new Refusal(403, "errors.permissionMissing", { params: { permission } });
}

export function stateOf(entry: Entry): SessionState {
  const status = isSessionStatus(entry.status) ? entry.status : "removed";
  const previous = entry.previous && isSessionStatus(entry.previous) ? entry.previous : null;
  return { status, previous };
}

export async function settingsFor(db: Database, groupId: string | null): Promise<GroupSettings> {
  if (!groupId) return defaultGroupSettings();
  const [row] = await db.select({ settings: technicianGroups.settings }).from(technicianGroups)
    .where(eq(technicianGroups.id, groupId));
  return { ...defaultGroupSettings(), ...(row?.settings ?? {}) };
}

/**
 * Applies `event` to `entry`. Returns the updated entry, or throws a `sessionRefusal` with
 * the machine's reason when SPEC Q8 has no such move (unless `lenient`, which returns
 * null: used when one customer event fans out to rows that may not all take it).
 */
export async function applyEvent(
  tx: Database,
  entry: Entry,
  event: SessionEvent,
  now: Date,
  options: { settings: GroupSettings; lenient?: boolean; actorName?: string },
): Promise<Entry | null> {
  const result = transition(stateOf(entry), event);
  if (!result.ok) {
    if (options.lenient) return null;
    throw sessionRefusal("sessions.notAllowedNow", result.reason);
  }
  const { status, previous } = result.state;
  const [updated] = await tx.update(queueEntries).set({
    status,
    previous,
    statusSince: now,
    version: entry.version + 1,
    removedAt: status === "removed" ? now : null,
  }).where(and(eq(queueEntries.id, entry.id), eq(queueEntries.version, entry.version)))
    .returning();
  if (!updated) {
    throw sessionRefusal("sessions.changedMeanwhile", `Entry ${entry.id} changed meanwhile`);
  }
  await replaceDeadlines(tx, updated, status, options.settings, now);
  await tx.insert(sessionLog).values({
    sessionId: entry.sessionId,
    at: now,
    kind: "status",
    author: "system",
    userId: entry.userId,
    authorName: options.actorName ?? "",
    body: `status.${status}`,
    data: { event: event.type, from: entry.status, to: status, entryId: entry.id },
  });
  const webhook = sessionWebhookFor(entry, event, status);
  if (webhook) {
    await queueSessionWebhook(tx, {
      ...webhook,
      sessionId: entry.sessionId,
      entry,
      to: status,
      at: now,
    });
  }
  return updated;
}

/** Cancels the entry's pending deadlines and starts those of its new status. */
export async function replaceDeadlines(
  tx: Database,
  entry: Entry,
  status: SessionStatus,
  settings: GroupSettings,
  now: Date,
): Promise<void> {
  await tx.update(sessionDeadlines).set({ cancelledAt: now }).where(and(
    eq(sessionDeadlines.entryId, entry.id),
    isNull(sessionDeadlines.firedAt),
    isNull(sessionDeadlines.cancelledAt),
  ));
  const rows = deadlinesFor(status, settings, now).map((d) => ({
    entryId: entry.id,
    kind: d.kind,
    at: d.at,
  }));
  if (rows.length > 0) await tx.insert(sessionDeadlines).values(rows);
}

/** Restarts the inactivity clock of the session's rows (chat or other activity). */
export async function rearmInactivity(
  tx: Database,
  sessionId: string,
  settings: GroupSettings,
  now: Date,
): Promise<void> {
  const entries = await tx.select({ id: queueEntries.id }).from(queueEntries)
    .where(and(eq(queueEntries.sessionId, sessionId), LIVE));
  if (entries.length === 0) return;
  const ids = entries.map((e) => e.id);
  const pending = await tx.update(sessionDeadlines).set({ cancelledAt: now }).where(and(
    inArray(sessionDeadlines.entryId, ids),
    eq(sessionDeadlines.kind, "inactivity_timeout"),
    isNull(sessionDeadlines.firedAt),
    isNull(sessionDeadlines.cancelledAt),
  )).returning({ entryId: sessionDeadlines.entryId });
  if (pending.length === 0) return;
  const at = new Date(now.getTime() + settings.inactivityTimeout * 60_000);
  await tx.insert(sessionDeadlines).values(
    pending.map((p) => ({ entryId: p.entryId, kind: "inactivity_timeout", at })),
  );
}

export async function liveEntries(db: Database, sessionId: string): Promise<Entry[]> {
  return await db.select().from(queueEntries)
    .where(and(eq(queueEntries.sessionId, sessionId), LIVE))
    .orderBy(queueEntries.createdAt);
}

export async function loadSession(db: Database, sessionId: string): Promise<SupportSession> {
  const [row] = await db.select().from(supportSessions).where(eq(supportSessions.id, sessionId));
  if (!row) throw sessionRefusal("sessions.notFound", `No session ${sessionId}`);
  return row;
}

/** Writes an event line (an i18n key with values) to the session log. */
export async function logEvent(
  tx: Database,
  sessionId: string,
  key: string,
  now: Date,
  data: Record<string, string | number | boolean | null> = {},
  by?: { userId?: string | null; name?: string; author?: "technician" | "customer" | "system" },
): Promise<number> {
  const [row] = await tx.insert(sessionLog).values({
    sessionId,
    at: now,
    kind: "event",
    author: by?.author ?? "system",
    userId: by?.userId ?? null,
    authorName: by?.name ?? "",
    body: key,
    data,
  }).returning({ id: sessionLog.id });
  return row.id;
}
