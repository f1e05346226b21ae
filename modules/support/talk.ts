/**
 * Talking (SPEC T1–T3, T5): the technician's chat, switching chat off, pushing a URL,
 * notes, inline edits of custom fields, and reading the log (files are in files.ts). Every
 * line is written before anyone is told, so a crash loses nothing that was acknowledged.
 */
import { and, asc, eq, gt } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { WORKING_STATUSES } from "../sessions/mod.ts";
import {
  type Entry,
  liveEntries,
  loadSession,
  logEvent,
  permissionRefusal,
  rearmInactivity,
  sessionRefusal,
  settingsFor,
  type SupportSession,
} from "./engine.ts";
import { CHAT_MAX } from "./customer.ts";
import { viewerFor, visibilityOf } from "./queue.ts";
import { sessionLog, sessionNotes, supportSessions } from "./schema.ts";

export type LogLine = typeof sessionLog.$inferSelect;

/**
 * The session if the user may work on it: its own row is in a working status (or, with
 * `monitor`, any row it can see, for reading). Anything else is "not found".
 */
export async function sessionForTechnician(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  mode: "work" | "read" = "work",
): Promise<{ session: SupportSession; entry: Entry }> {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) throw sessionRefusal("sessions.notFound", "id");
  const session = await loadSession(deps.db, sessionId);
  if (session.orgId !== user.orgId) throw sessionRefusal("sessions.notFound", "org");
  const viewer = await viewerFor(deps.db, user);
  const entries = await liveEntries(deps.db, sessionId);
  const own = entries.find((e) => visibilityOf(viewer, e) === "own");
  // A session the caller cannot see at all is "not found", exactly like a missing one;
  // only one it can see learns why it cannot work on it now.
  const seen = own ?? entries.find((e) => visibilityOf(viewer, e) !== null);
  if (!seen) throw sessionRefusal("sessions.notFound", "not visible");
  if (mode === "work") {
    if (!own || !WORKING_STATUSES.has(own.status)) {
      throw sessionRefusal("sessions.notWorking", "Start the session first");
    }
    return { session, entry: own };
  }
  return { session, entry: seen };
}

function _publishLog(deps: AppDeps, session: SupportSession, logId: number) {
  deps.live.publish({ kind: "log", orgId: session.orgId, sessionId: session.id, logId });
}

export async function technicianChat(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  text: string,
): Promise<number> {
  const body = text.trim();
  if (!body) throw sessionRefusal("chat.empty", "Empty message");
  if (body.length > CHAT_MAX) throw sessionRefusal("chat.tooLong", "Too long");
  const { session } = await sessionForTechnician(deps, user, sessionId);
  if (!session.chatEnabled) throw sessionRefusal("chat.disabled", "Chat is off");
  const now = deps.clock.now();
  const settings = await settingsFor(deps.db, session.groupId);
  const id = await deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(sessionLog).values({
      sessionId,
      at: now,
      kind: "chat",
      author: "technician",
      userId: user.id,
      authorName: user.name,
      body,
      data: {},
    }).returning({ id: sessionLog.id });
    await rearmInactivity(tx, sessionId, settings, now);
    return row.id;
  });
  _publishLog(deps, session, id);
  return id;
}

export async function setChatEnabled(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  enabled: boolean,
): Promise<void> {
  if (!can(user, "chatToggle")) {
    throw permissionRefusal("chatToggle");
  }
  const { session } = await sessionForTechnician(deps, user, sessionId);
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    await tx.update(supportSessions).set({ chatEnabled: enabled, updatedAt: now })
      .where(eq(supportSessions.id, sessionId));
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "session.chat_toggled",
      target: sessionId,
      details: { enabled },
      at: now,
    });
    return await logEvent(tx, sessionId, enabled ? "log.chatOn" : "log.chatOff", now, {}, {
      userId: user.id,
      name: user.name,
      author: "technician",
    });
  });
  deps.live.publish({ kind: "session", orgId: session.orgId, sessionId });
  _publishLog(deps, session, id);
}

export async function pushUrl(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  url: string,
): Promise<void> {
  if (!can(user, "pushUrls")) throw permissionRefusal("pushUrls");
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw sessionRefusal("sessions.badUrl", "Not a URL");
  }
  if (!["http:", "https:"].includes(parsed.protocol) || url.length > 2000) {
    throw sessionRefusal("sessions.badUrl", "Only http(s) URLs");
  }
  const { session } = await sessionForTechnician(deps, user, sessionId);
  const now = deps.clock.now();
  const [row] = await deps.db.insert(sessionLog).values({
    sessionId,
    at: now,
    kind: "url",
    author: "technician",
    userId: user.id,
    authorName: user.name,
    body: parsed.href,
    data: {},
  }).returning({ id: sessionLog.id });
  _publishLog(deps, session, row.id);
}

/** The log after `afterId` (0 = from the start), oldest first. */
export async function readLog(db: Database, sessionId: string, afterId = 0): Promise<LogLine[]> {
  return await db.select().from(sessionLog)
    .where(and(eq(sessionLog.sessionId, sessionId), gt(sessionLog.id, afterId)))
    .orderBy(asc(sessionLog.id));
}

export async function readLogLine(db: Database, id: number): Promise<LogLine | undefined> {
  const [row] = await db.select().from(sessionLog).where(eq(sessionLog.id, id));
  return row;
}

export async function saveNote(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  body: string,
): Promise<void> {
  const text = body.trim();
  if (text.length > 10_000) throw sessionRefusal("sessions.noteTooLong", "Too long");
  await sessionForTechnician(deps, user, sessionId, "read");
  const now = deps.clock.now();
  const [existing] = await deps.db.select().from(sessionNotes).where(
    and(eq(sessionNotes.sessionId, sessionId), eq(sessionNotes.userId, user.id)),
  );
  if (existing) {
    await deps.db.update(sessionNotes).set({ body: text, updatedAt: now })
      .where(eq(sessionNotes.id, existing.id));
  } else {
    await deps.db.insert(sessionNotes).values({
      sessionId,
      userId: user.id,
      body: text,
      createdAt: now,
      updatedAt: now,
    });
  }
}

export async function readNotes(db: Database, sessionId: string) {
  return await db.select().from(sessionNotes).where(eq(sessionNotes.sessionId, sessionId))
    .orderBy(asc(sessionNotes.createdAt));
}

/** Inline edit (SPEC Q3): the name and custom fields of a session in a working status. */
export async function editFields(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  patch: { customerName?: string; fields?: Record<string, string> },
): Promise<void> {
  if (!can(user, "inlineEdit")) {
    throw permissionRefusal("inlineEdit");
  }
  const { session } = await sessionForTechnician(deps, user, sessionId);
  const name = patch.customerName?.trim();
  if (name !== undefined && (name.length < 1 || name.length > 100)) {
    throw sessionRefusal("sessions.badName", "Name 1–100 characters");
  }
  for (const value of Object.values(patch.fields ?? {})) {
    if (value.length > 500) throw sessionRefusal("sessions.fieldTooLong", "Too long");
  }
  await deps.db.update(supportSessions).set({
    customerName: name ?? session.customerName,
    fields: { ...session.fields, ...(patch.fields ?? {}) },
    updatedAt: deps.clock.now(),
  }).where(eq(supportSessions.id, sessionId));
  deps.live.publish({ kind: "session", orgId: session.orgId, sessionId });
}

/**
 * Writes one event line to a session's log and tells everyone who shows that log (the
 * remote view's requests, answers and screenshots use it).
 */
export async function logSessionEvent(
  deps: AppDeps,
  session: SupportSession,
  key: string,
  data: Record<string, string | number | boolean | null> = {},
  by?: { userId?: string | null; name?: string; author?: "technician" | "customer" | "system" },
): Promise<void> {
  const logId = await logEvent(deps.db, session.id, key, deps.clock.now(), data, by);
  _publishLog(deps, session, logId);
}

/**
 * Work that is not chat still counts as activity (remote view or control in use): the
 * session's inactivity deadline starts again.
 */
export async function sessionActivity(deps: AppDeps, session: SupportSession): Promise<void> {
  const settings = await settingsFor(deps.db, session.groupId);
  await deps.db.transaction((tx) => rearmInactivity(tx, session.id, settings, deps.clock.now()));
}
