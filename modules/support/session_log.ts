/**
 * The session log both sides read (SPEC T1–T3): reading it, and writing an event line that
 * everyone who shows the log hears about. Chat lines are written in chat.ts; every line is
 * written before anyone is told, so a crash loses nothing that was acknowledged.
 */
import { and, asc, desc, eq, gt, inArray } from "drizzle-orm";
import { type AuditAction, recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { logEvent, type SupportSession } from "./engine.ts";
import { sessionLog } from "./schema.ts";

export type LogLine = typeof sessionLog.$inferSelect;

/**
 * A session's log after place `after` (0: all), in commit order (`seq`, schema.ts): a reader
 * that pages by the last `seq` it got never misses a line that committed late.
 */
export async function readLog(db: Database, sessionId: string, after = 0): Promise<LogLine[]> {
  return await db.select().from(sessionLog)
    .where(and(eq(sessionLog.sessionId, sessionId), gt(sessionLog.seq, after)))
    .orderBy(asc(sessionLog.seq));
}

export async function readLogLine(db: Database, id: number): Promise<LogLine | undefined> {
  const [row] = await db.select().from(sessionLog).where(eq(sessionLog.id, id));
  return row;
}

/** The audit entry written with a log line (A10: remote view and control, screenshots). */
export interface SessionAudit {
  action: AuditAction;
  /** The technician who acted; none when the customer did (an answer, a revoke). */
  actor?: { id: string; email?: string | null };
  details?: Record<string, unknown>;
}

/**
 * Writes one event line to a session's log — and with `audit`, its audit entry in the same
 * transaction — and tells everyone who shows that log (the remote view's requests, answers
 * and screenshots use it).
 */
export async function logSessionEvent(
  deps: AppDeps,
  session: SupportSession,
  key: string,
  data: Record<string, string | number | boolean | null> = {},
  by?: { userId?: string | null; name?: string; author?: "technician" | "customer" | "system" },
  audit?: SessionAudit,
): Promise<void> {
  const now = deps.clock.now();
  const logId = await deps.db.transaction(async (tx) => {
    const id = await logEvent(tx, session.id, key, now, data, by);
    if (audit) {
      await recordAudit(tx, {
        orgId: session.orgId,
        actorId: audit.actor?.id ?? null,
        actorEmail: audit.actor?.email ?? null,
        action: audit.action,
        target: session.id,
        details: audit.details ?? {},
        at: now,
      });
    }
    return id;
  });
  publishLogLine(deps, session, logId);
}

/** Tells everyone who shows the session's log that line `logId` was written. */
export function publishLogLine(
  deps: AppDeps,
  session: Pick<SupportSession, "orgId" | "id">,
  logId: number,
) {
  deps.live.publish({ kind: "log", orgId: session.orgId, sessionId: session.id, logId });
}

/**
 * Whether the session's support app was connected and has not been quit since (its last word
 * in the log is a connection, not the customer leaving): if it is not attached anywhere now,
 * it dropped and is expected back — "reconnecting", not "absent".
 */
export async function agentExpectedBack(db: Database, sessionId: string): Promise<boolean> {
  const [last] = await db.select({ body: sessionLog.body }).from(sessionLog)
    .where(and(
      eq(sessionLog.sessionId, sessionId),
      inArray(sessionLog.body, ["log.agentConnected", "log.customerLeft"]),
    ))
    .orderBy(desc(sessionLog.seq)).limit(1);
  return last?.body === "log.agentConnected";
}
