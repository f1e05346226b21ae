/**
 * The persisted deadlines of SPEC Q8 coming due. `fireDueDeadlines` takes what is due at
 * `now`, and for each one — in its own transaction, with the deadline row locked — fires
 * the event through the state machine and marks it fired. A deadline is cancelled when its
 * row changes status, so a restart neither loses one (it is in the database) nor fires one
 * twice (the fired mark commits with the change). `sessionActivity` pushes the inactivity
 * deadline back for work that is not chat (remote view or control in use).
 */
import { and, asc, eq, isNull, lte, sql } from "drizzle-orm";
import type { AppDeps } from "../http/mod.ts";
import { INACTIVITY_BLOCKERS, outcomeOfDeadline, type SessionEvent } from "../sessions/mod.ts";
import {
  applyEvent,
  loadSession,
  logEvent,
  rearmInactivity,
  settingsFor,
  type SupportSession,
} from "./engine.ts";
import { customerStreams } from "./customer_streams.ts";
import { sessionEnded } from "./end_hooks.ts";
import { queueEntries, sessionDeadlines, supportSessions } from "./schema.ts";

const BATCH = 100;

/**
 * Work that is not chat still counts as activity (remote view or control in use): the
 * session's inactivity deadline starts again.
 */
export async function sessionActivity(deps: AppDeps, session: SupportSession): Promise<void> {
  const settings = await settingsFor(deps.db, session.groupId);
  await deps.db.transaction((tx) => rearmInactivity(tx, session.id, settings, deps.clock.now()));
}

/** Fires every deadline due at `now`; returns how many were fired. */
export async function fireDueDeadlines(deps: AppDeps, now = deps.clock.now()): Promise<number> {
  let fired = 0;
  for (;;) {
    const due = await deps.db.select({ id: sessionDeadlines.id }).from(sessionDeadlines).where(
      and(
        lte(sessionDeadlines.at, now),
        isNull(sessionDeadlines.firedAt),
        isNull(sessionDeadlines.cancelledAt),
      ),
    ).orderBy(asc(sessionDeadlines.at)).limit(BATCH);
    if (due.length === 0) return fired;
    for (const { id } of due) if (await _fireOne(deps, id, now)) fired++;
    if (due.length < BATCH) return fired;
  }
}

/**
 * Ends the wait for a customer now, as the connecting deadline would: for a session whose
 * customer side can no longer come (LAN connect's push failed, modules/unattended) — the row
 * is removed, the PIN freed, the session ended. Says whether a deadline was fired.
 */
export async function expireConnecting(deps: AppDeps, sessionId: string): Promise<boolean> {
  const pending = await deps.db.select({ id: sessionDeadlines.id }).from(sessionDeadlines)
    .innerJoin(queueEntries, eq(queueEntries.id, sessionDeadlines.entryId)).where(and(
      eq(queueEntries.sessionId, sessionId),
      eq(sessionDeadlines.kind, "connecting_timeout"),
      isNull(sessionDeadlines.firedAt),
      isNull(sessionDeadlines.cancelledAt),
    ));
  let fired = false;
  for (const { id } of pending) fired = await _fireOne(deps, id, deps.clock.now()) || fired;
  return fired;
}

async function _fireOne(deps: AppDeps, deadlineId: string, now: Date): Promise<boolean> {
  const result = await deps.db.transaction(async (tx) => {
    const [deadline] = await tx.select().from(sessionDeadlines).where(and(
      eq(sessionDeadlines.id, deadlineId),
      isNull(sessionDeadlines.firedAt),
      isNull(sessionDeadlines.cancelledAt),
    )).for("update", { skipLocked: true });
    if (!deadline) return null;
    await tx.update(sessionDeadlines).set({ firedAt: now })
      .where(eq(sessionDeadlines.id, deadline.id));
    const [entry] = await tx.select().from(queueEntries).where(
      and(eq(queueEntries.id, deadline.entryId), isNull(queueEntries.removedAt)),
    );
    if (!entry) return null;
    const session = await loadSession(tx, entry.sessionId);
    const settings = await settingsFor(tx, session.groupId);
    const event = (deadline.kind === "inactivity_timeout"
      ? {
        type: "inactivity_timeout",
        // Remote control, file transfers and the like arrive with the agent (issue #5).
        open: Object.fromEntries(INACTIVITY_BLOCKERS.map((b) => [b, false])),
      }
      : { type: deadline.kind }) as SessionEvent;
    const moved = await applyEvent(tx, entry, event, now, { settings, lenient: true });
    if (!moved) return null;
    if (deadline.kind === "connecting_timeout") {
      await tx.update(supportSessions).set({ pin: null, pinExpiresAt: null, updatedAt: now })
        .where(eq(supportSessions.id, session.id));
    }
    await logEvent(tx, session.id, `log.deadline_${deadline.kind}`, now);
    if (moved.status === "removed" || moved.status === "timed_out") {
      // Nobody holds the session any more: the customer's page says it ended.
      const [{ live }] = await tx.select({ live: sql<number>`count(*)::int` }).from(queueEntries)
        .where(and(
          eq(queueEntries.sessionId, session.id),
          isNull(queueEntries.removedAt),
          sql`${queueEntries.status} not in ('removed', 'timed_out', 'closed', 'closed_by_waiting_customer')`,
        ));
      if (live === 0 && !session.endedAt) {
        const outcome = outcomeOfDeadline(deadline.kind);
        const [ended] = await tx.update(supportSessions).set({
          endedAt: now,
          outcome,
          pin: null,
          pinExpiresAt: null,
          updatedAt: now,
        })
          .where(eq(supportSessions.id, session.id)).returning();
        await sessionEnded(deps, tx, ended, { outcome, at: now });
      }
    }
    return { orgId: session.orgId, sessionId: session.id };
  });
  if (!result) return false;
  deps.live.publish({ kind: "session", ...result });
  return true;
}

/**
 * Checks for due deadlines every `everyMs` on the real clock; returns a stop function. First
 * it repairs what a crash left behind: customers still marked connected whom no instance
 * holds get the grace of a dropped stream (`CustomerStreams.reconcile`) — and again every
 * `sweepMs`, in case the instance that should have noticed a dead one died itself.
 */
export function startSessionTimers(deps: AppDeps, everyMs = 1000, sweepMs = 5000): () => void {
  const streams = customerStreams(deps);
  const failed = (error: unknown) =>
    deps.log.error("customer reconcile failed", { error: String(error) });
  streams.reconcile().catch(failed);
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await fireDueDeadlines(deps);
    } catch (error) {
      deps.log.error("session timers failed", { error: String(error) });
    } finally {
      running = false;
    }
  }, everyMs);
  let sweeping = false;
  const sweeper = setInterval(async () => {
    if (sweeping) return;
    sweeping = true;
    await streams.sweep().catch(failed);
    sweeping = false;
  }, sweepMs);
  return () => {
    clearInterval(timer);
    clearInterval(sweeper);
  };
}
