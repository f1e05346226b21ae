/**
 * The technician's buttons (SPEC Q5, Q6): Start (pick up, accept, resume, cancel a
 * transfer), Hold, End, Transfer to a technician / group / channel with a note, and giving
 * a transfer back. Each runs in one transaction over the rows it touches; the machine in
 * modules/sessions decides whether the move exists; the caller's permission is checked
 * here too, so the API and the console cannot disagree.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { type AuditAction, recordAudit } from "../audit/mod.ts";
import { users } from "../auth/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { groupMembers, technicianGroups } from "../org/mod.ts";
import { can } from "../permissions/mod.ts";
import {
  applyEvent,
  type Entry,
  liveEntries,
  loadSession,
  logEvent,
  permissionRefusal,
  sessionRefusal,
  settingsFor,
} from "./engine.ts";
import { type Viewer, viewerFor, visibilityOf } from "./queue.ts";
import {
  activeCount,
  holdCollaborators,
  resumeCollaborators,
  startCollaboratorRow,
} from "./collaborator_rows.ts";
import { channelGroups, channels } from "../channels/mod.ts";
import { queueEntries, supportSessions } from "./schema.ts";
import { sessionEnded } from "./end_hooks.ts";
import { queueSessionWebhook } from "./webhook_events.ts";

interface Acting {
  deps: AppDeps;
  user: CurrentUser;
  viewer: Viewer;
  now: Date;
}

async function _acting(deps: AppDeps, user: CurrentUser): Promise<Acting> {
  return { deps, user, viewer: await viewerFor(deps.db, user), now: deps.clock.now() };
}

/** The row of this session the user acts on: its own first, else its group's / channel's. */
function _rowFor(a: Acting, entries: Entry[]): Entry {
  const own = entries.find((e) => visibilityOf(a.viewer, e) === "own");
  if (own) return own;
  const shared = entries.find((e) => {
    const v = visibilityOf(a.viewer, e);
    return v === "group" || v === "channel";
  });
  if (shared) return shared;
  throw sessionRefusal("sessions.notFound", "Not in your queue");
}

function _publish(a: Acting, sessionId: string) {
  a.deps.live.publish({ kind: "session", orgId: a.user.orgId, sessionId });
}

interface OnRow {
  session: Awaited<ReturnType<typeof loadSession>>;
  settings: Awaited<ReturnType<typeof settingsFor>>;
  /** The session's live rows, read inside the transaction. */
  entries: Entry[];
  /** The one of them the user acts on. */
  row: Entry;
}

/** Runs `act` on the user's row of a session in one transaction, then tells the streams. */
async function _actOnRow(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  act: (tx: Database, a: Acting, on: OnRow) => Promise<void>,
) {
  const a = await _acting(deps, user);
  const session = await loadSession(deps.db, sessionId);
  const settings = await settingsFor(deps.db, session.groupId);
  await deps.db.transaction(async (tx) => {
    const entries = await liveEntries(tx, sessionId);
    await act(tx, a, { session, settings, entries, row: _rowFor(a, entries) });
  });
  _publish(a, sessionId);
}

/** The author of a session log line the technician `user` wrote. */
const _byTechnician = (user: CurrentUser) =>
  ({ userId: user.id, name: user.name, author: "technician" }) as const;

async function _audit(
  tx: Database,
  a: Acting,
  action: AuditAction,
  target: string,
  details = {},
) {
  await recordAudit(tx, {
    orgId: a.user.orgId,
    actorId: a.user.id,
    actorEmail: a.user.email,
    action,
    target,
    details,
    at: a.now,
  });
}

/** Start: pick up a waiting session, accept a transfer, resume a hold, cancel own transfer. */
export async function startSession(deps: AppDeps, user: CurrentUser, sessionId: string) {
  const a = await _acting(deps, user);
  const session = await loadSession(deps.db, sessionId);
  if (session.orgId !== user.orgId) throw sessionRefusal("sessions.notFound", "other org");
  const settings = await settingsFor(deps.db, user.groupId ?? session.groupId);
  await deps.db.transaction(async (tx) => {
    const entries = await liveEntries(tx, sessionId);
    let row = _rowFor(a, entries);
    if (await startCollaboratorRow(tx, { user, now: a.now, session, settings, entries, row })) {
      return;
    }
    if (
      row.status !== "outgoing" && await activeCount(tx, user.id) >= settings.maxActiveSessions
    ) {
      throw sessionRefusal("sessions.tooManyActive", "At the active-session limit");
    }
    if (!row.userId) {
      // Claim the group's / channel's row: it becomes this technician's.
      const [claimed] = await tx.update(queueEntries).set({ userId: user.id })
        .where(and(eq(queueEntries.id, row.id), isNull(queueEntries.userId))).returning();
      if (!claimed) throw sessionRefusal("sessions.changedMeanwhile", "Taken by someone");
      row = claimed;
    }
    const wasIncoming = row.status === "incoming";
    const wasOutgoing = row.status === "outgoing";
    await applyEvent(tx, row, { type: "start" }, a.now, { settings, actorName: user.name });
    if (row.role === "lead") await resumeCollaborators(tx, a.now, settings, entries);
    let accepted = false;
    for (const other of entries.filter((e) => e.id !== row.id)) {
      if (wasIncoming && other.status === "outgoing") {
        await applyEvent(tx, other, { type: "transfer_accepted" }, a.now, { settings });
        accepted = true;
      }
      if (wasOutgoing && other.status === "incoming") {
        await applyEvent(tx, other, { type: "transfer_cancelled_by_sender" }, a.now, {
          settings,
        });
      }
    }
    await tx.update(supportSessions).set({
      leadUserId: user.id,
      groupId: session.groupId ?? user.groupId,
      // A transfer counts (reports) when its recipient takes the session: one the sender
      // cancelled or the recipient gave back handed nothing over.
      ...(accepted ? { transfers: sql`${supportSessions.transfers} + 1` } : {}),
      // The first Start ends the wait (later ones resume a hold or accept a transfer).
      pickedUpAt: sql`coalesce(${supportSessions.pickedUpAt}, ${a.now.toISOString()}::timestamptz)`,
      updatedAt: a.now,
    }).where(eq(supportSessions.id, sessionId));
    if (wasIncoming) {
      await tx.update(queueEntries).set({ role: "lead" }).where(eq(queueEntries.id, row.id));
    }
    await _audit(tx, a, "session.started", sessionId, { from: row.status });
  });
  _publish(a, sessionId);
}

/** Hold: a lead's hold holds its collaborators too; a collaborator's holds only itself. */
export async function holdSession(deps: AppDeps, user: CurrentUser, sessionId: string) {
  if (!can(user, "hold")) throw permissionRefusal("hold");
  await _actOnRow(deps, user, sessionId, async (tx, a, { settings, entries, row }) => {
    await applyEvent(tx, row, { type: "hold" }, a.now, { settings, actorName: user.name });
    if (row.role === "lead") await holdCollaborators(tx, a.now, settings, entries);
    await _audit(tx, a, "session.held", sessionId);
  });
}

/**
 * End: this technician's row goes to Removed; a lead ending a live session ends it for all,
 * and then the end's hooks run in the same transaction (end_hooks.ts: the customer survey's
 * offer, whose line reaches the customer's page before the page hears the session ended).
 */
export async function endSession(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
) {
  await _actOnRow(deps, user, sessionId, async (tx, a, { session, settings, entries, row }) => {
    const wasLive = !["closed", "timed_out", "closed_by_waiting_customer"].includes(row.status);
    // A collaborator's End leaves; the session goes on without it (modules/collaboration).
    const leaves = row.role === "collaborator" && wasLive;
    await applyEvent(tx, row, { type: leaves ? "collaborator_left" : "end" }, a.now, {
      settings,
      actorName: user.name,
    });
    if (leaves) {
      await logEvent(tx, sessionId, "log.collaboratorLeft", a.now, { name: user.name }, {
        userId: user.id,
        name: user.name,
        author: "technician",
      });
    }
    if (wasLive && row.role === "lead" && !session.endedAt) {
      for (const other of entries.filter((e) => e.id !== row.id)) {
        await applyEvent(tx, other, { type: "closed_by_lead" }, a.now, {
          settings,
          lenient: true,
        });
      }
      await tx.update(supportSessions).set({
        endedAt: a.now,
        outcome: "closed_by_technician",
        pin: null,
        pinExpiresAt: null,
        updatedAt: a.now,
      }).where(eq(supportSessions.id, sessionId));
      await logEvent(tx, sessionId, "log.endedByTechnician", a.now, {}, _byTechnician(user));
      await sessionEnded(deps, tx, session, {
        outcome: "closed_by_technician",
        by: { id: user.id, name: user.name },
        at: a.now,
      });
    }
    await _audit(tx, a, "session.ended", sessionId, { from: row.status });
  });
}

export type TransferTarget =
  | { kind: "technician"; id: string }
  | { kind: "group"; id: string }
  | { kind: "channel"; id: string };

/**
 * Transfer with a note: this row → Outgoing, the target gets an Incoming row. A technician
 * target must be online (not Away, Busy or signed out): `isAvailable` says so.
 */
export async function transferSession(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  target: TransferTarget,
  note: string,
  isAvailable: (userId: string) => Promise<boolean>,
) {
  if (!can(user, "transfer")) throw permissionRefusal("transfer");
  if (note.length > 1000) throw sessionRefusal("sessions.noteTooLong", "Note too long");
  const a = await _acting(deps, user);
  const session = await loadSession(deps.db, sessionId);
  if (session.orgId !== user.orgId) throw sessionRefusal("sessions.notFound", "other org");
  // Who cannot see the session learns nothing about it, not even whether the target is valid.
  _rowFor(a, await liveEntries(deps.db, sessionId));
  const to = await _checkTarget(deps.db, user, target, isAvailable);
  const settings = await settingsFor(deps.db, session.groupId);
  await deps.db.transaction(async (tx) => {
    const entries = await liveEntries(tx, sessionId);
    const row = _rowFor(a, entries);
    if (entries.some((e) => e.status === "incoming" && e.id !== row.id)) {
      throw sessionRefusal("sessions.alreadyTransferred", "A transfer is pending");
    }
    await applyEvent(tx, row, { type: "transfer" }, a.now, { settings, actorName: user.name });
    await tx.insert(queueEntries).values({
      sessionId,
      orgId: user.orgId,
      userId: target.kind === "technician" ? target.id : null,
      groupId: target.kind === "group" ? target.id : null,
      channelId: target.kind === "channel" ? target.id : null,
      role: "transfer",
      status: "incoming",
      statusSince: a.now,
      fromUserId: user.id,
      note: note.trim(),
      createdAt: a.now,
    });
    // `to` and the note are for technicians; the customer's line names only the sender.
    await logEvent(tx, sessionId, "log.transferred", a.now, {
      target: target.kind,
      to,
      note: note.trim(),
    }, _byTechnician(user));
    // Other systems hear who handed the session to whom (the technician, group or channel).
    await queueSessionWebhook(tx, {
      type: "session.transferred",
      key: `session.transferred:${row.id}:${row.version}`,
      sessionId,
      entry: row,
      to: "outgoing",
      at: a.now,
      extra: {
        transfer: {
          from: { id: user.id, name: user.name, email: user.email },
          to: { kind: target.kind, id: target.id, name: to },
          note: note.trim(),
        },
      },
    });
    await _audit(tx, a, "session.transferred", sessionId, { target });
  });
  _publish(a, sessionId);
  return { to };
}

async function _checkTarget(
  db: Database,
  user: CurrentUser,
  target: TransferTarget,
  isAvailable: (userId: string) => Promise<boolean>,
): Promise<string> {
  if (!/^[0-9a-f-]{36}$/.test(target.id)) {
    throw sessionRefusal("sessions.unknownTarget", "bad id");
  }
  if (target.kind === "technician") {
    if (target.id === user.id) throw sessionRefusal("sessions.unknownTarget", "self");
    const [person] = await db.select({ name: users.name }).from(users).innerJoin(
      groupMembers,
      eq(groupMembers.userId, users.id),
    ).where(and(eq(users.id, target.id), eq(users.orgId, user.orgId), eq(users.active, true)));
    if (!person) throw sessionRefusal("sessions.unknownTarget", "no such technician");
    if (!(await isAvailable(target.id))) {
      throw sessionRefusal("sessions.targetUnavailable", "not online");
    }
    return person.name;
  } else if (target.kind === "group") {
    const [group] = await db.select({ name: technicianGroups.name }).from(technicianGroups)
      .where(and(eq(technicianGroups.id, target.id), eq(technicianGroups.orgId, user.orgId)));
    if (!group) throw sessionRefusal("sessions.unknownTarget", "no such group");
    return group.name;
  }
  const [served] = await db.select({ name: channels.name }).from(channelGroups)
    .innerJoin(channels, eq(channels.id, channelGroups.channelId))
    .where(eq(channelGroups.channelId, target.id)).limit(1);
  if (!served) throw sessionRefusal("sessions.unknownTarget", "no such channel");
  return served.name;
}

/** The recipient gives a transfer back: its row goes, the sender's Outgoing → Incoming. */
export async function returnTransfer(deps: AppDeps, user: CurrentUser, sessionId: string) {
  await _actOnRow(deps, user, sessionId, async (tx, a, { settings, entries, row }) => {
    if (row.status !== "incoming") {
      throw sessionRefusal("sessions.notAllowedNow", "Only an Incoming row can be returned");
    }
    await tx.update(queueEntries).set({
      status: "removed",
      removedAt: a.now,
      statusSince: a.now,
      version: row.version + 1,
    }).where(eq(queueEntries.id, row.id));
    for (const other of entries.filter((e) => e.status === "outgoing")) {
      await applyEvent(tx, other, { type: "transfer_returned" }, a.now, { settings });
    }
    await logEvent(tx, sessionId, "log.transferReturned", a.now, {}, _byTechnician(user));
    await _audit(tx, a, "session.transfer_returned", sessionId);
  });
}
