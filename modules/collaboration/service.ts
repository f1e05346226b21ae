/**
 * Internal collaboration (SPEC K1, K3): a lead invites colleagues into its session with a
 * permission set and a note, withdraws an invitation, removes a collaborator, changes its
 * permissions, hands the lead over (and cancels that); a collaborator leaves; an admin
 * monitoring a technician joins straight into Collaborating. Every action checks the
 * caller, runs in one transaction (rows moved by `applyEvent`, a log line, an audit entry)
 * and is announced on `deps.live` after commit. Start on an invitation or an offered lead is
 * the ordinary Start (modules/support `startSession`).
 */
import { and, eq, sql } from "drizzle-orm";
import { type AuditAction, recordAudit } from "../audit/mod.ts";
import { users } from "../auth/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { groupMembers } from "../org/mod.ts";
import { can, normalisePermissions, type Permission } from "../permissions/mod.ts";
import {
  applyEvent,
  endSession,
  type Entry,
  isTechnicianAvailable,
  liveEntries,
  loadSession,
  logEvent,
  permissionRefusal,
  presenceOf,
  queueEntries,
  sessionForTechnician,
  sessionRefusal,
  settingsFor,
  startSession,
  type SupportSession,
  supportSessions,
  viewerFor,
} from "../support/mod.ts";

/** A row's version goes up with every change: the consoles' rendered rows are keyed by it. */
const _bumped = sql`${queueEntries.version} + 1`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const NOTE_MAX = 1000;

/** Rows that count as a technician in the session (the limit `maxTechniciansPerSession`). */
const PRESENT = new Set(["lead", "collaborator"]);

export interface Invitation {
  userId: string;
  /** The session permission set; null = the invitee's group permissions. */
  permissions: readonly string[] | null;
  note: string;
}

interface Ctx {
  deps: AppDeps;
  user: CurrentUser;
  now: Date;
  session: SupportSession;
}

/** Runs `act` in one transaction over the session's live rows, then tells the consoles. */
async function _inSession<T>(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  act: (tx: Database, ctx: Ctx, entries: Entry[]) => Promise<T>,
): Promise<T> {
  if (!UUID.test(sessionId)) throw sessionRefusal("sessions.notFound", "id");
  const session = await loadSession(deps.db, sessionId);
  if (session.orgId !== user.orgId) throw sessionRefusal("sessions.notFound", "other org");
  const ctx = { deps, user, now: deps.clock.now(), session };
  const result = await deps.db.transaction(async (tx) => {
    // One collaboration change at a time per session: the limit and "already in" hold.
    await tx.select({ id: supportSessions.id }).from(supportSessions)
      .where(eq(supportSessions.id, sessionId)).for("update");
    return await act(tx, ctx, await liveEntries(tx, sessionId));
  });
  deps.live.publish({ kind: "session", orgId: user.orgId, sessionId });
  return result;
}

/** The caller's own row when it leads the session in `statuses`; anything else is refused. */
function _leadRow(ctx: Ctx, entries: Entry[], statuses: readonly string[] = ["active"]): Entry {
  const own = entries.find((e) => e.userId === ctx.user.id);
  if (!own) throw sessionRefusal("sessions.notFound", "Not in this session");
  if (own.role !== "lead" || !statuses.includes(own.status)) {
    throw sessionRefusal("collaboration.notLead", `Your row is ${own.role}/${own.status}`);
  }
  return own;
}

function _target(entries: Entry[], userId: string, statuses: readonly string[]): Entry {
  const row = entries.find((e) =>
    e.userId === userId && e.role === "collaborator" && statuses.includes(e.status)
  );
  if (!row) throw sessionRefusal("collaboration.notCollaborator", `No such row for ${userId}`);
  return row;
}

async function _audit(tx: Database, ctx: Ctx, action: AuditAction, details = {}) {
  await recordAudit(tx, {
    orgId: ctx.user.orgId,
    actorId: ctx.user.id,
    actorEmail: ctx.user.email,
    action,
    target: ctx.session.id,
    details,
    at: ctx.now,
  });
}

/** Moves one row by the machine, under the session group's settings, as the caller. */
async function _move(
  tx: Database,
  ctx: Ctx,
  row: Entry,
  type: "invitation_withdrawn" | "collaborator_removed" | "lead_handed_over" | "handover_cancelled",
) {
  const settings = await settingsFor(tx, ctx.session.groupId);
  await applyEvent(tx, row, { type }, ctx.now, { settings, actorName: ctx.user.name });
}

async function _log(tx: Database, ctx: Ctx, key: string, data: Record<string, string> = {}) {
  await logEvent(tx, ctx.session.id, key, ctx.now, { name: ctx.user.name, ...data }, {
    userId: ctx.user.id,
    name: ctx.user.name,
    author: "technician",
  });
}

async function _nameOf(db: Database, orgId: string, userId: string): Promise<string | null> {
  if (!UUID.test(userId)) return null;
  const [person] = await db.select({ name: users.name }).from(users)
    .innerJoin(groupMembers, eq(groupMembers.userId, users.id))
    .where(and(eq(users.id, userId), eq(users.orgId, orgId), eq(users.active, true)));
  return person?.name ?? null;
}

/** A permission set from a form or the API: known, available names only; null stays null. */
export function parsePermissionSet(values: readonly string[] | null): Permission[] | null {
  if (values === null) return null;
  if (values.length > 100) throw sessionRefusal("collaboration.badPermissions", "too many");
  return normalisePermissions(values);
}

async function _roomFor(tx: Database, ctx: Ctx, entries: Entry[]) {
  const settings = await settingsFor(tx, ctx.session.groupId);
  const present = entries.filter((e) => e.userId && PRESENT.has(e.role)).length;
  if (present + 1 > settings.maxTechniciansPerSession) {
    throw sessionRefusal(
      "collaboration.tooMany",
      `${present} of ${settings.maxTechniciansPerSession} technicians`,
    );
  }
  return settings;
}

/**
 * Invites a colleague into a session the caller leads and works (Active): the colleague's
 * queue gets an Invitation row with the note and the session permission set. Refused:
 * oneself, someone not online (Away, signed out), someone already in the session, past the
 * group's `maxTechniciansPerSession`.
 */
export async function inviteTechnician(
  deps: AppDeps,
  lead: CurrentUser,
  sessionId: string,
  invitation: Invitation,
): Promise<{ entry: Entry; name: string }> {
  if (!can(lead, "inviteInternal")) throw permissionRefusal("inviteInternal");
  if (!can(lead, "seeOtherTechnicians")) throw permissionRefusal("seeOtherTechnicians");
  const note = invitation.note.trim();
  if (note.length > NOTE_MAX) throw sessionRefusal("sessions.noteTooLong", "Note too long");
  const permissions = parsePermissionSet(invitation.permissions);
  // Who cannot see the session learns nothing about the colleague either.
  await sessionForTechnician(deps, lead, sessionId, "read");
  if (invitation.userId === lead.id) throw sessionRefusal("collaboration.self", "self");
  const name = await _nameOf(deps.db, lead.orgId, invitation.userId);
  if (!name) throw sessionRefusal("collaboration.unknownTechnician", "no such technician");
  return await _inSession(deps, lead, sessionId, async (tx, ctx, entries) => {
    _leadRow(ctx, entries);
    if (entries.some((e) => e.userId === invitation.userId)) {
      throw sessionRefusal("collaboration.alreadyIn", "already in the session");
    }
    await _roomFor(tx, ctx, entries);
    if (!(await isTechnicianAvailable(tx, invitation.userId, ctx.now))) {
      // Busy (at its own limit) still counts as there; Start checks the limit.
      const [member] = await tx.select({ groupId: groupMembers.groupId }).from(groupMembers)
        .where(eq(groupMembers.userId, invitation.userId));
      const presence = member
        ? (await presenceOf(tx, [member.groupId], ctx.now)).get(invitation.userId)
        : undefined;
      if (presence !== "busy") {
        throw sessionRefusal("collaboration.unavailable", `presence ${presence ?? "none"}`);
      }
    }
    const [entry] = await tx.insert(queueEntries).values({
      sessionId,
      orgId: lead.orgId,
      userId: invitation.userId,
      role: "collaborator",
      status: "invitation",
      statusSince: ctx.now,
      fromUserId: lead.id,
      note,
      permissions,
      createdAt: ctx.now,
    }).returning();
    await _log(tx, ctx, "log.collaboratorInvited", { invitee: name });
    await _audit(tx, ctx, "session.collaborator_invited", {
      userId: invitation.userId,
      permissions,
    });
    return { entry, name };
  });
}

/** The lead (or whoever invited) takes back an invitation nobody accepted yet. */
export async function withdrawInvitation(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  userId: string,
): Promise<void> {
  await _inSession(deps, user, sessionId, async (tx, ctx, entries) => {
    const row = _target(entries, userId, ["invitation"]);
    if (row.fromUserId !== user.id) _leadRow(ctx, entries, ["active", "on_hold"]);
    await _move(tx, ctx, row, "invitation_withdrawn");
    await _log(tx, ctx, "log.invitationWithdrawn");
    await _audit(tx, ctx, "session.invitation_withdrawn", { userId });
  });
}

/** The lead removes a collaborator (working, held or rebooting): its row goes at once. */
export async function removeCollaborator(
  deps: AppDeps,
  lead: CurrentUser,
  sessionId: string,
  userId: string,
): Promise<void> {
  await _inSession(deps, lead, sessionId, async (tx, ctx, entries) => {
    _leadRow(ctx, entries, ["active", "on_hold"]);
    const row = _target(entries, userId, ["collaborating", "on_hold", "rebooting"]);
    await _move(tx, ctx, row, "collaborator_removed");
    await _log(tx, ctx, "log.collaboratorRemoved");
    await _audit(tx, ctx, "session.collaborator_removed", { userId });
  });
}

/** A collaborator leaves; the session goes on without it (the same as its End button). */
export async function leaveSession(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
): Promise<void> {
  const { entry } = await sessionForTechnician(deps, user, sessionId, "read");
  if (entry.userId !== user.id || entry.role !== "collaborator") {
    throw sessionRefusal("collaboration.notCollaborator", "Only a collaborator leaves");
  }
  await endSession(deps, user, sessionId);
}

/**
 * The lead changes a collaborator's (or an invitee's) session permission set; the tool
 * routes read it on their next request (`sessionPermissions`).
 */
export async function setCollaboratorPermissions(
  deps: AppDeps,
  lead: CurrentUser,
  sessionId: string,
  userId: string,
  permissions: readonly string[] | null,
): Promise<void> {
  const set = parsePermissionSet(permissions);
  await _inSession(deps, lead, sessionId, async (tx, ctx, entries) => {
    _leadRow(ctx, entries, ["active", "on_hold"]);
    const row = _target(entries, userId, ["invitation", "collaborating", "on_hold", "rebooting"]);
    const [updated] = await tx.update(queueEntries)
      .set({ permissions: set, version: row.version + 1 })
      .where(and(eq(queueEntries.id, row.id), eq(queueEntries.version, row.version)))
      .returning({ id: queueEntries.id });
    if (!updated) throw sessionRefusal("sessions.changedMeanwhile", "changed meanwhile");
    await _log(tx, ctx, "log.collaboratorPermissions");
    await _audit(tx, ctx, "session.collaborator_permissions", { userId, permissions: set });
  });
}

/**
 * The lead offers the lead to a collaborator: its own row goes Collaborating
 * (`lead_handed_over`), the collaborator's row shows "Accept lead" until it presses Start
 * (`acceptLead`) or the lead takes the offer back (`cancelHandOver`). One offer at a time.
 */
export async function handOverLead(
  deps: AppDeps,
  lead: CurrentUser,
  sessionId: string,
  userId: string,
): Promise<void> {
  await _inSession(deps, lead, sessionId, async (tx, ctx, entries) => {
    const own = _leadRow(ctx, entries);
    const row = _target(entries, userId, ["collaborating"]);
    await _move(tx, ctx, own, "lead_handed_over");
    await tx.update(queueEntries).set({ leadOfferedAt: ctx.now, version: _bumped }).where(
      eq(queueEntries.id, row.id),
    );
    await _log(tx, ctx, "log.leadOffered", { to: row.userId ?? "" });
    await _audit(tx, ctx, "session.lead_offered", { userId });
  });
}

/** The lead takes back an offer nobody accepted: its row is Active again. */
export async function cancelHandOver(
  deps: AppDeps,
  lead: CurrentUser,
  sessionId: string,
): Promise<void> {
  await _inSession(deps, lead, sessionId, async (tx, ctx, entries) => {
    const own = _leadRow(ctx, entries, ["collaborating"]);
    const offered = entries.filter((e) => e.leadOfferedAt !== null);
    if (offered.length === 0) throw sessionRefusal("collaboration.noHandOver", "no offer");
    await _move(tx, ctx, own, "handover_cancelled");
    for (const row of offered) {
      await tx.update(queueEntries).set({ leadOfferedAt: null, version: _bumped }).where(
        eq(queueEntries.id, row.id),
      );
    }
    await _log(tx, ctx, "log.leadOfferCancelled");
    await _audit(tx, ctx, "session.lead_offer_cancelled");
  });
}

/** The collaborator offered the lead accepts it: Start on its row (roles swap there). */
export async function acceptLead(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
): Promise<void> {
  const { entry } = await sessionForTechnician(deps, user, sessionId, "read");
  if (entry.userId !== user.id || !entry.leadOfferedAt) {
    throw sessionRefusal("collaboration.noHandOver", "No lead offered to you");
  }
  await startSession(deps, user, sessionId);
}

/**
 * An admin monitoring the session's technician joins it straight into Collaborating, with
 * its own group's permissions (K4). The same refusals as an invitation: already in, full.
 */
export async function joinAsCollaborator(
  deps: AppDeps,
  admin: CurrentUser,
  sessionId: string,
): Promise<Entry> {
  if (!UUID.test(sessionId)) throw sessionRefusal("sessions.notFound", "id");
  const viewer = await viewerFor(deps.db, admin);
  return await _inSession(deps, admin, sessionId, async (tx, ctx, entries) => {
    const lead = entries.find((e) => e.role === "lead" && e.userId);
    if (!lead?.userId || !viewer.monitored.has(lead.userId)) {
      throw sessionRefusal("sessions.notFound", "not a session of a monitored technician");
    }
    if (entries.some((e) => e.userId === admin.id)) {
      throw sessionRefusal("collaboration.alreadyIn", "already in the session");
    }
    const settings = await _roomFor(tx, ctx, entries);
    const [invited] = await tx.insert(queueEntries).values({
      sessionId,
      orgId: admin.orgId,
      userId: admin.id,
      role: "collaborator",
      status: "invitation",
      statusSince: ctx.now,
      fromUserId: admin.id,
      createdAt: ctx.now,
    }).returning();
    const joined = await applyEvent(tx, invited, { type: "start" }, ctx.now, {
      settings,
      actorName: admin.name,
    });
    await _log(tx, ctx, "log.collaboratorJoined");
    await _audit(tx, ctx, "session.collaborator_joined", { monitored: lead.userId });
    return joined!;
  });
}
