/**
 * Monitoring (SPEC K4): an admin watches one technician's console live. Who may be watched
 * is the admin's monitoring scope — the members of the groups it manages, everyone's for the
 * master admin (`viewerFor(...).monitored`, the same set as the console's Monitored tab).
 * With the group setting `monitoringAuthorisation` the technician is asked first and the
 * monitoring starts only when it allows; with `monitoringNotice` its console says it is
 * watched, with the group's text. Every start, answer and end is audited, and announced as an
 * `access` notice for both people (their open pages look again). A monitoring rests on the
 * technician being signed in and on the admin's right over it: `recheckMonitoring` closes it
 * when either is gone.
 */
import { and, desc, eq, gt, inArray, or } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import { toCurrentUser, userOfSession, users, usersWithLiveSession } from "../auth/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { groupMembers } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { settingsFor, viewerFor } from "../support/mod.ts";
import { monitorings, type MonitoringStatus } from "./schema.ts";

export type Monitoring = typeof monitorings.$inferSelect;

/** A monitor page keeps `seenAt` fresh every this often… */
export const SEEN_EVERY_MS = 15_000;
/** …and a monitoring not seen for this long no longer counts (its page is gone). */
const SEEN_WITHIN_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const OPEN: MonitoringStatus[] = ["asked", "active"];

function _admin(user: CurrentUser) {
  if (user.role !== "admin" && user.role !== "master_admin") {
    throw new Refusal(403, "monitoring.adminsOnly");
  }
}

/** The technicians `admin` may monitor, by name. */
export async function monitorableTechnicians(
  deps: AppDeps,
  admin: CurrentUser,
): Promise<{ id: string; name: string }[]> {
  _admin(admin);
  const ids = [...(await viewerFor(deps.db, admin)).monitored];
  if (ids.length === 0) return [];
  const rows = await deps.db.select({ id: users.id, name: users.name }).from(users)
    .where(and(inArray(users.id, ids), eq(users.active, true)));
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** The technician if `admin` may monitor it; "not found" otherwise (we do not confirm it). */
export async function technicianInScope(
  deps: AppDeps,
  admin: CurrentUser,
  technicianId: string,
): Promise<{ id: string; name: string; groupId: string | null }> {
  _admin(admin);
  if (!UUID.test(technicianId)) throw new Refusal(404, "monitoring.notFound");
  const viewer = await viewerFor(deps.db, admin);
  if (!viewer.monitored.has(technicianId)) throw new Refusal(404, "monitoring.notFound");
  const [row] = await deps.db.select({ id: users.id, name: users.name, active: users.active })
    .from(users).where(and(eq(users.id, technicianId), eq(users.orgId, admin.orgId)));
  if (!row?.active) throw new Refusal(404, "monitoring.notFound");
  const [member] = await deps.db.select({ groupId: groupMembers.groupId }).from(groupMembers)
    .where(eq(groupMembers.userId, technicianId));
  return { id: row.id, name: row.name, groupId: member?.groupId ?? null };
}

/**
 * Starts (or resumes) `admin` monitoring `technicianId`: `active` at once, or `asked` when the
 * technician's group wants its consent first. An open one of the same pair is reused.
 */
export async function startMonitoring(
  deps: AppDeps,
  admin: CurrentUser,
  technicianId: string,
): Promise<Monitoring> {
  const technician = await technicianInScope(deps, admin, technicianId);
  const now = deps.clock.now();
  const open = await openMonitoring(deps, admin, technicianId);
  if (open) return await touchMonitoring(deps, open);
  // The manual's monitoring needs the technician's console running: no sign-in, no console.
  if (!(await usersWithLiveSession(deps.db, [technicianId], now)).has(technicianId)) {
    throw new Refusal(409, "monitoring.offline", { params: { name: technician.name } });
  }
  const settings = await settingsFor(deps.db, technician.groupId);
  const status: MonitoringStatus = settings.monitoringAuthorisation ? "asked" : "active";
  const row = await deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(monitorings).values({
      orgId: admin.orgId,
      adminId: admin.id,
      technicianId,
      status,
      createdAt: now,
      seenAt: now,
    }).returning();
    await recordAudit(tx, {
      orgId: admin.orgId,
      actorId: admin.id,
      action: status === "asked" ? "monitoring.asked" : "monitoring.started",
      target: technicianId,
      details: { monitoringId: row.id },
      at: now,
    });
    return row;
  });
  _announce(deps, row);
  return row;
}

/** The open monitoring of this admin over this technician (asked or active), if any. */
export async function openMonitoring(
  deps: AppDeps,
  admin: CurrentUser,
  technicianId: string,
): Promise<Monitoring | null> {
  if (!UUID.test(technicianId)) return null;
  const [row] = await deps.db.select().from(monitorings).where(and(
    eq(monitorings.adminId, admin.id),
    eq(monitorings.technicianId, technicianId),
    inArray(monitorings.status, OPEN),
  ));
  return row ?? null;
}

/** The monitor page is still open: the monitoring keeps counting. */
export async function touchMonitoring(deps: AppDeps, row: Monitoring): Promise<Monitoring> {
  const [fresh] = await deps.db.update(monitorings).set({ seenAt: deps.clock.now() })
    .where(eq(monitorings.id, row.id)).returning();
  return fresh ?? row;
}

/** The technician allows or refuses a monitoring it was asked about. */
export async function decideMonitoring(
  deps: AppDeps,
  technician: CurrentUser,
  monitoringId: string,
  allow: boolean,
): Promise<Monitoring> {
  if (!UUID.test(monitoringId)) throw new Refusal(404, "monitoring.notFound");
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const [row] = await tx.update(monitorings)
      .set(allow ? { status: "active" } : { status: "refused", endedAt: now })
      .where(and(
        eq(monitorings.id, monitoringId),
        eq(monitorings.technicianId, technician.id),
        eq(monitorings.status, "asked"),
      )).returning();
    if (!row) throw new Refusal(409, "monitoring.notAsked");
    await recordAudit(tx, {
      orgId: technician.orgId,
      actorId: technician.id,
      action: allow ? "monitoring.allowed" : "monitoring.refused",
      target: row.adminId,
      details: { monitoringId },
      at: now,
    });
    return row;
  });
  _announce(deps, row);
  return row;
}

/** The admin stops monitoring (its Stop button). Ending one already over changes nothing. */
export async function endMonitoring(
  deps: AppDeps,
  admin: CurrentUser,
  technicianId: string,
): Promise<void> {
  const open = await openMonitoring(deps, admin, technicianId);
  if (open) await _close(deps, open, "ended", { actorId: admin.id, reason: "stopped" });
}

/** Why a monitoring is over, as the admin's page words it (`monitoring.over.*`). */
export type OverReason =
  | "stopped"
  | "refused"
  | "signedOut"
  | "outOfScope"
  | "notAdmin"
  | "gone";

/** The monitoring as it stands after re-reading what it rests on; `reason` once it is over. */
export interface Recheck {
  row: Monitoring;
  reason: OverReason | null;
}

/**
 * Reads again everything monitoring `row` rests on, for the admin's live stream (on every
 * event it reads): the admin still signed in and an admin, the technician still in its scope
 * and signed in. The first that fails closes the monitoring — `closed` when the technician
 * signed out (the manual's Active → Closed), `revoked` when the admin's right went, `ended`
 * when the admin signed out — audited and announced once, whichever stream saw it first.
 */
export async function recheckMonitoring(
  deps: AppDeps,
  admin: CurrentUser,
  row: Monitoring,
): Promise<Recheck> {
  const [now] = await deps.db.select().from(monitorings).where(eq(monitorings.id, row.id));
  if (!now) return { row: { ...row, status: "ended" }, reason: "gone" };
  if (!OPEN.includes(now.status)) return { row: now, reason: OVER_REASON[now.status] };
  const fresh = admin.sessionId
    ? await userOfSession(deps.db, admin.sessionId, deps.clock.now())
    : undefined;
  let reason: OverReason | null = null;
  if (!fresh) reason = "stopped";
  else if (fresh.role !== "admin" && fresh.role !== "master_admin") reason = "notAdmin";
  else {
    const user = { ...toCurrentUser(fresh, admin.sessionId), groupId: admin.groupId };
    const inScope = await technicianInScope(deps, user, now.technicianId).then(
      () => true,
      () => false,
    );
    const live = await usersWithLiveSession(deps.db, [now.technicianId], deps.clock.now());
    if (!inScope) reason = "outOfScope";
    else if (!live.has(now.technicianId)) reason = "signedOut";
  }
  if (!reason) return { row: now, reason };
  const status = reason === "signedOut" ? "closed" : reason === "stopped" ? "ended" : "revoked";
  const closed = await _close(deps, now, status, { actorId: admin.id, reason });
  return { row: closed ?? now, reason };
}

/** What a monitoring over in `status` says when nobody saw it end (another tab, a reload). */
const OVER_REASON: Record<MonitoringStatus, OverReason | null> = {
  asked: null,
  active: null,
  refused: "refused",
  ended: "stopped",
  closed: "signedOut",
  revoked: "outOfScope",
};

/** The last monitoring of this admin over this technician, open or over (its page says so). */
export async function lastMonitoring(
  deps: AppDeps,
  admin: CurrentUser,
  technicianId: string,
): Promise<(Monitoring & { reason: OverReason | null }) | null> {
  if (!UUID.test(technicianId)) return null;
  const [row] = await deps.db.select().from(monitorings).where(and(
    eq(monitorings.adminId, admin.id),
    eq(monitorings.technicianId, technicianId),
  )).orderBy(
    desc(inArray(monitorings.status, OPEN)),
    desc(monitorings.createdAt),
  ).limit(1);
  return row ? { ...row, reason: OVER_REASON[row.status] } : null;
}

/** Moves an open monitoring to `status` (audited), unless another move got there first. */
async function _close(
  deps: AppDeps,
  open: Monitoring,
  status: "ended" | "closed" | "revoked",
  by: { actorId: string; reason: OverReason },
): Promise<Monitoring | null> {
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const [row] = await tx.update(monitorings).set({ status, endedAt: now })
      .where(and(eq(monitorings.id, open.id), inArray(monitorings.status, OPEN))).returning();
    if (!row) return null;
    await recordAudit(tx, {
      orgId: open.orgId,
      actorId: by.actorId,
      action: `monitoring.${status}`,
      target: open.technicianId,
      details: { monitoringId: row.id, reason: by.reason },
      at: now,
    });
    return row;
  });
  if (row) _announce(deps, row);
  return row;
}

/** Whether `row` is on and its page was seen lately. */
export function isWatching(row: Monitoring | null, now: Date): boolean {
  return row?.status === "active" && now.getTime() - row.seenAt.getTime() <= SEEN_WITHIN_MS;
}

/** What the monitored technician's console shows: the notice, and the questions to answer. */
export interface TechnicianView {
  /** The group's notice while someone watches (null: no notice, or nobody watches). */
  notice: string | null;
  asks: { id: string; adminName: string }[];
}

export async function monitoringOfTechnician(
  deps: AppDeps,
  technician: CurrentUser,
  defaultNotice: string,
): Promise<TechnicianView> {
  const since = new Date(deps.clock.now().getTime() - SEEN_WITHIN_MS);
  const rows = await deps.db.select({
    id: monitorings.id,
    status: monitorings.status,
    adminName: users.name,
  }).from(monitorings).innerJoin(users, eq(users.id, monitorings.adminId)).where(and(
    eq(monitorings.technicianId, technician.id),
    or(
      eq(monitorings.status, "asked"),
      and(eq(monitorings.status, "active"), gt(monitorings.seenAt, since)),
    ),
  ));
  const settings = await settingsFor(deps.db, technician.groupId);
  const watched = rows.some((r) => r.status === "active");
  return {
    notice: watched && settings.monitoringNotice
      ? settings.monitoringNoticeText.trim() || defaultNotice
      : null,
    asks: rows.filter((r) => r.status === "asked").map((r) => ({
      id: r.id,
      adminName: r.adminName,
    })),
  };
}

function _announce(deps: AppDeps, row: Monitoring) {
  deps.live.publish({ kind: "access", orgId: row.orgId, userId: row.technicianId });
  deps.live.publish({ kind: "access", orgId: row.orgId, userId: row.adminId });
}
