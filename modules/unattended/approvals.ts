/**
 * The approval workflow of a group that asks for one (`unattendedApproval: "approval"`): a
 * technician asks to connect to a computer; another technician of the same group with
 * unattended access, or an admin who manages that group, approves or declines; the approval
 * is good for one connection by the requester within an hour (connect.ts). Nobody approves
 * their own request. Every step is audited.
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import { users } from "../auth/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { groupMembers } from "../org/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { grantsFor } from "./devices.ts";
import { devices, unattendedApprovals } from "./schema.ts";

export type Approval = typeof unattendedApprovals.$inferSelect;
export const APPROVAL_REASON_MAX = 200;

/** Asks for approval to connect to `deviceRef` (the requester must reach it). */
export async function requestApproval(
  deps: AppDeps,
  user: CurrentUser,
  deviceRef: string,
  reason: string,
): Promise<Approval> {
  const reachable = await grantsFor(deps.db, user, deviceRef);
  if (reachable.length === 0) {
    throw new Refusal(404, "unattended.unknownDevice", { reason: "not reachable" });
  }
  const now = deps.clock.now();
  return await deps.db.transaction(async (tx) => {
    const [approval] = await tx.insert(unattendedApprovals).values({
      orgId: user.orgId,
      deviceRef,
      requesterId: user.id,
      reason: reason.trim().slice(0, APPROVAL_REASON_MAX),
      state: "pending",
      requestedAt: now,
    }).returning();
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "unattended.approval_requested",
      target: deviceRef,
      details: { approval: approval.id, name: reachable[0].device.name },
      at: now,
    });
    return approval;
  });
}

/** Whether `decider` may decide on a request by someone of `requesterGroup`. */
function _mayDecide(decider: CurrentUser, requesterId: string, group: string | null): boolean {
  if (decider.id === requesterId) return false;
  if (decider.role === "master_admin") return true;
  if (decider.role === "admin") return group !== null && !!decider.managedGroupIds?.has(group);
  return decider.groupId !== null && decider.groupId === group &&
    can(decider, "unattendedAccess");
}

/** The pending requests `decider` may approve or decline. */
export async function pendingApprovalsFor(
  deps: AppDeps,
  decider: CurrentUser,
): Promise<{ approval: Approval; requester: string; device: string }[]> {
  const rows = await deps.db.select({
    approval: unattendedApprovals,
    requester: users.name,
    device: devices.name,
    group: groupMembers.groupId,
  }).from(unattendedApprovals)
    .innerJoin(users, eq(users.id, unattendedApprovals.requesterId))
    .innerJoin(devices, eq(devices.id, unattendedApprovals.deviceRef))
    .leftJoin(groupMembers, eq(groupMembers.userId, unattendedApprovals.requesterId))
    .where(and(
      eq(unattendedApprovals.orgId, decider.orgId),
      eq(unattendedApprovals.state, "pending"),
    )).orderBy(desc(unattendedApprovals.requestedAt)).limit(50);
  return rows.filter((row) => _mayDecide(decider, row.approval.requesterId, row.group));
}

/** The requester's own latest requests per device (to show "waiting" / "approved"). */
export async function myApprovals(
  deps: AppDeps,
  user: CurrentUser,
  deviceRefs: string[],
): Promise<Map<string, Approval>> {
  if (deviceRefs.length === 0) return new Map();
  const rows = await deps.db.select().from(unattendedApprovals).where(and(
    eq(unattendedApprovals.requesterId, user.id),
    inArray(unattendedApprovals.deviceRef, deviceRefs),
    inArray(unattendedApprovals.state, ["pending", "approved", "declined"]),
  )).orderBy(desc(unattendedApprovals.requestedAt));
  const latest = new Map<string, Approval>();
  for (const row of rows) if (!latest.has(row.deviceRef)) latest.set(row.deviceRef, row);
  return latest;
}

/** Approves or declines a pending request; refuses one's own and anyone out of scope. */
export async function decideApproval(
  deps: AppDeps,
  decider: CurrentUser,
  approvalId: string,
  approve: boolean,
): Promise<Approval> {
  const [row] = await deps.db.select({ approval: unattendedApprovals, group: groupMembers.groupId })
    .from(unattendedApprovals)
    .leftJoin(groupMembers, eq(groupMembers.userId, unattendedApprovals.requesterId))
    .where(and(
      eq(unattendedApprovals.id, approvalId),
      eq(unattendedApprovals.orgId, decider.orgId),
    ));
  if (!row || row.approval.state !== "pending") {
    throw new Refusal(404, "unattended.noSuchApproval", { reason: "none pending" });
  }
  if (!_mayDecide(decider, row.approval.requesterId, row.group)) {
    throw new Refusal(403, "unattended.mayNotApprove", { reason: "own request or other group" });
  }
  const now = deps.clock.now();
  return await deps.db.transaction(async (tx) => {
    const [done] = await tx.update(unattendedApprovals).set({
      state: approve ? "approved" : "declined",
      deciderId: decider.id,
      decidedAt: now,
    }).where(and(eq(unattendedApprovals.id, approvalId), eq(unattendedApprovals.state, "pending")))
      .returning();
    if (!done) throw new Refusal(409, "unattended.noSuchApproval", { reason: "decided meanwhile" });
    await recordAudit(tx, {
      orgId: decider.orgId,
      actorId: decider.id,
      actorEmail: decider.email,
      action: "unattended.approval_decided",
      target: done.deviceRef,
      details: { approval: done.id, approved: approve, requester: done.requesterId },
      at: now,
    });
    return done;
  });
}
