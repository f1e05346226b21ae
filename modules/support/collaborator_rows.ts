/**
 * The collaborator's side of the technician's buttons (SPEC K1, K3), kept beside actions.ts:
 * Start on an Invitation (→ Collaborating), Start on an offered lead (`lead_accepted`: roles
 * swap, `leadUserId` moves), Start on a collaborator's own hold (`collaborator_resumed`), and
 * the lead's Hold and Start carrying its collaborators along (DECISIONS.md 18 in
 * modules/sessions). Runs inside the caller's transaction.
 */
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import type { CurrentUser } from "../http/mod.ts";
import type { GroupSettings } from "../org/mod.ts";
import { LIMITED_STATUSES } from "../sessions/mod.ts";
import { applyEvent, type Entry, logEvent, sessionRefusal, type SupportSession } from "./engine.ts";
import { queueEntries, supportSessions } from "./schema.ts";

/** How many of the technician's rows count against its group's active-session limit. */
export async function activeCount(tx: Database, userId: string): Promise<number> {
  const rows = await tx.select({ id: queueEntries.id }).from(queueEntries).where(and(
    eq(queueEntries.userId, userId),
    isNull(queueEntries.removedAt),
    inArray(queueEntries.status, [...LIMITED_STATUSES]),
  ));
  return rows.length;
}

interface StartOn {
  user: CurrentUser;
  now: Date;
  session: SupportSession;
  settings: GroupSettings;
  entries: Entry[];
  row: Entry;
}

/**
 * Start on a collaborator's row; false when the row is not one (the ordinary Start goes
 * on). An invitation counts against the active-session limit like a pick-up; accepting the
 * lead does not (the row already counts).
 */
export async function startCollaboratorRow(tx: Database, on: StartOn): Promise<boolean> {
  const { user, now, settings, row } = on;
  const opts = { settings, actorName: user.name };
  if (row.status === "invitation") {
    if (await activeCount(tx, user.id) >= on.settings.maxActiveSessions) {
      throw sessionRefusal("sessions.tooManyActive", "At the active-session limit");
    }
    await applyEvent(tx, row, { type: "start" }, now, opts);
    await _log(tx, on, "log.collaboratorJoined");
    await _audit(tx, on, "session.collaborator_joined");
    return true;
  }
  if (row.status === "collaborating" && row.leadOfferedAt) {
    await applyEvent(tx, row, { type: "lead_accepted" }, now, opts);
    const old = on.entries.filter((e) => e.id !== row.id && e.role === "lead");
    for (const lead of old) {
      await tx.update(queueEntries).set({
        role: "collaborator",
        version: sql`${queueEntries.version} + 1`,
      }).where(
        eq(queueEntries.id, lead.id),
      );
    }
    await tx.update(queueEntries).set({
      role: "lead",
      leadOfferedAt: null,
      permissions: null,
      version: sql`${queueEntries.version} + 1`,
    })
      .where(eq(queueEntries.id, row.id));
    await tx.update(supportSessions).set({ leadUserId: user.id, updatedAt: now })
      .where(eq(supportSessions.id, on.session.id));
    await _log(tx, on, "log.leadAccepted");
    await _audit(tx, on, "session.lead_accepted");
    return true;
  }
  if (row.status === "on_hold" && row.role === "collaborator") {
    if (await activeCount(tx, user.id) >= on.settings.maxActiveSessions) {
      throw sessionRefusal("sessions.tooManyActive", "At the active-session limit");
    }
    await applyEvent(tx, row, { type: "collaborator_resumed" }, now, opts);
    await _audit(tx, on, "session.started");
    return true;
  }
  return false;
}

/** The lead's Hold holds everyone: its collaborators that work the session go On hold too. */
export async function holdCollaborators(
  tx: Database,
  now: Date,
  settings: GroupSettings,
  entries: Entry[],
): Promise<void> {
  for (const e of entries) {
    if (e.role === "collaborator" && e.status === "collaborating") {
      await applyEvent(tx, e, { type: "hold" }, now, { settings, lenient: true });
    }
  }
}

/** The lead's Start after its hold brings its held collaborators back to Collaborating. */
export async function resumeCollaborators(
  tx: Database,
  now: Date,
  settings: GroupSettings,
  entries: Entry[],
): Promise<void> {
  for (const e of entries) {
    if (e.role === "collaborator" && e.status === "on_hold") {
      await applyEvent(tx, e, { type: "collaborator_resumed" }, now, { settings, lenient: true });
    }
  }
}

async function _log(tx: Database, on: StartOn, key: string) {
  await logEvent(tx, on.session.id, key, on.now, { name: on.user.name }, {
    userId: on.user.id,
    name: on.user.name,
    author: "technician",
  });
}

async function _audit(
  tx: Database,
  on: StartOn,
  action: "session.collaborator_joined" | "session.lead_accepted" | "session.started",
) {
  await recordAudit(tx, {
    orgId: on.user.orgId,
    actorId: on.user.id,
    actorEmail: on.user.email,
    action,
    target: on.session.id,
    details: { from: on.row.status },
    at: on.now,
  });
}
