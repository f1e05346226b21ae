/**
 * The Rebooting status (SPEC Q8, R8): a restart of the customer's computer as the session
 * sees it. The technician's request and its outcome are log lines (and audit entries); the
 * agent's `restarting` announcement moves every live row that takes it to Rebooting (its
 * deadline: Offline after 5 minutes, which the machine keeps returnable); the same device
 * coming back moves them to their previous status (`agent_back`), from Rebooting or from
 * that Offline. While a restart is pending the customer's dropped streams do not make the
 * session Reconnecting (customer.ts asks `rebooting`).
 *
 * What a restart is pending is read from the log, the session's one record of it: the last
 * of its reboot lines is `log.rebootStarted` (with the device id that announced it).
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { applyEvent, LIVE, liveEntries, loadSession, logEvent, settingsFor } from "./engine.ts";
import { publishLogLine } from "./session_log.ts";
import { queueEntries, sessionLog, supportSessions } from "./schema.ts";

/** The log lines that start and settle a restart, newest decides. Service mode (SPEC R9,
 * modules/unattended) is the agent alone restarting, as a service: the same machinery. */
const STARTED = ["log.rebootStarted", "log.serviceRestarting"];
const SETTLED = ["log.rebootBack", "log.rebootFailed"];

export type RebootModeName = "normal" | "safe" | "forced";

/** The device id of the restart still pending on `sessionId`, or null. */
export async function rebootPending(db: Database, sessionId: string): Promise<string | null> {
  const [line] = await db.select({ body: sessionLog.body, data: sessionLog.data })
    .from(sessionLog)
    .where(and(
      eq(sessionLog.sessionId, sessionId),
      eq(sessionLog.kind, "event"),
      inArray(sessionLog.body, [...STARTED, ...SETTLED]),
    ))
    .orderBy(desc(sessionLog.id)).limit(1);
  if (!line || !STARTED.includes(line.body)) return null;
  const device = (line.data as Record<string, unknown> | null)?.deviceId;
  return typeof device === "string" ? device : "";
}

/** The technician asked for a restart (the customer still has to confirm at the agent). */
export async function rebootRequested(
  deps: AppDeps,
  sessionId: string,
  user: CurrentUser,
  mode: RebootModeName,
): Promise<void> {
  const session = await loadSession(deps.db, sessionId);
  const now = deps.clock.now();
  const logId = await deps.db.transaction(async (tx) => {
    const id = await logEvent(tx, session.id, `log.rebootRequested.${mode}`, now, { mode }, {
      userId: user.id,
      name: user.name,
      author: "technician",
    });
    // Recorded last: the audit chain's head stays locked until the transaction ends.
    await recordAudit(tx, {
      orgId: session.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "session.reboot_requested",
      target: session.id,
      details: { mode },
      at: now,
    });
    return id;
  });
  publishLogLine(deps, session, logId);
}

/**
 * The agent announced the restart: the request's line, the audit entry, and every live row
 * that takes `reboot_started` goes Rebooting — one transaction, the session row locked.
 */
export async function rebootAnnounced(
  deps: AppDeps,
  sessionId: string,
  announced: { mode: RebootModeName; deviceId: string; by: CurrentUser; service?: boolean },
): Promise<void> {
  const session = await loadSession(deps.db, sessionId);
  if (session.endedAt) return;
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const settings = await settingsFor(tx, session.groupId);
    for (const entry of await liveEntries(tx, session.id)) {
      await applyEvent(tx, entry, { type: "reboot_started" }, now, {
        settings,
        lenient: true,
        actorName: announced.by.name,
      });
    }
    await logEvent(tx, session.id, STARTED[announced.service ? 1 : 0], now, {
      mode: announced.mode,
      deviceId: announced.deviceId,
    });
    await recordAudit(tx, {
      orgId: session.orgId,
      actorId: announced.by.id,
      actorEmail: announced.by.email,
      action: announced.service ? "unattended.service_mode" : "session.rebooted",
      target: session.id,
      details: { mode: announced.mode, deviceId: announced.deviceId },
      at: now,
    });
  });
  deps.live.publish({ kind: "session", orgId: session.orgId, sessionId: session.id });
}

/**
 * The restart did not happen or did not start: `key` says why (declined by the customer, not
 * granted, refused by the OS, …). If the session went Rebooting, the agent never left: its
 * rows go back to where they were.
 */
export async function rebootNotDone(
  deps: AppDeps,
  sessionId: string,
  outcome: { code: string; reason: string },
): Promise<void> {
  const session = await loadSession(deps.db, sessionId);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await _lock(tx, session.id);
    const pending = await rebootPending(tx, session.id);
    if (pending !== null) await _back(tx, session, now);
    await logEvent(
      tx,
      session.id,
      pending !== null
        ? "log.rebootFailed"
        : outcome.code === "declined"
        ? "log.rebootDeclined"
        : "log.rebootNotStarted",
      now,
      { code: outcome.code, reason: outcome.reason.slice(0, 300) },
    );
  });
  deps.live.publish({ kind: "session", orgId: session.orgId, sessionId: session.id });
}

/**
 * An agent said hello: when a restart is pending and it is the device that announced it, the
 * session's rows go back to their previous status (from Rebooting, or from the Offline five
 * minutes of it led to). Returns whether it was such a return.
 */
export async function agentReturned(
  deps: AppDeps,
  sessionId: string,
  deviceId: string,
): Promise<boolean> {
  if ((await rebootPending(deps.db, sessionId)) !== deviceId) return false;
  const session = await loadSession(deps.db, sessionId);
  const now = deps.clock.now();
  // Decided again on the locked row: two hellos of one device change the session once.
  const back = await deps.db.transaction(async (tx) => {
    await _lock(tx, session.id);
    if ((await rebootPending(tx, session.id)) !== deviceId) return false;
    await _back(tx, session, now);
    await logEvent(tx, session.id, "log.rebootBack", now, { deviceId });
    return true;
  });
  if (back) deps.live.publish({ kind: "session", orgId: session.orgId, sessionId: session.id });
  return back;
}

/** Whether a row of the session is Rebooting: its customer's dropped streams are expected. */
export async function rebooting(db: Database, sessionId: string): Promise<boolean> {
  const rows = await db.select({ id: queueEntries.id }).from(queueEntries).where(and(
    eq(queueEntries.sessionId, sessionId),
    eq(queueEntries.status, "rebooting"),
    LIVE,
  )).limit(1);
  return rows.length > 0;
}

async function _lock(tx: Database, sessionId: string): Promise<void> {
  await tx.select({ id: supportSessions.id }).from(supportSessions)
    .where(eq(supportSessions.id, sessionId)).for("update");
}

async function _back(
  tx: Database,
  session: Awaited<ReturnType<typeof loadSession>>,
  now: Date,
): Promise<void> {
  const settings = await settingsFor(tx, session.groupId);
  for (const entry of await liveEntries(tx, session.id)) {
    if (entry.status !== "rebooting" && entry.status !== "offline") continue;
    await applyEvent(tx, entry, { type: "agent_back" }, now, {
      settings,
      lenient: true,
      actorName: session.customerName,
    });
  }
}
