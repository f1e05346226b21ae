/**
 * Who can take a session now (SPEC A5 meets Q6/C5): a technician is available when signed
 * in, not Away (chosen or idle) and below the group's active-session limit. Used to refuse
 * transfers to Away/Busy people and to send channel customers to the "nobody available"
 * message or callback form.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import { users, usersWithLiveSession } from "../auth/mod.ts";
import { channelGroups } from "../channels/mod.ts";
import type { Database } from "../db/mod.ts";
import {
  defaultGroupSettings,
  effectivePresence,
  groupMembers,
  type Presence,
  technicianGroups,
  technicianStatus,
} from "../org/mod.ts";
import { LIMITED_STATUSES } from "../sessions/mod.ts";
import { queueEntries } from "./schema.ts";

/** Presence of every active member of `groupIds`, by user id. */
export async function presenceOf(
  db: Database,
  groupIds: readonly string[],
  now: Date,
): Promise<Map<string, Presence>> {
  if (groupIds.length === 0) return new Map();
  const members = await db.select({
    userId: groupMembers.userId,
    settings: technicianGroups.settings,
  }).from(groupMembers)
    .innerJoin(technicianGroups, eq(technicianGroups.id, groupMembers.groupId))
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(and(inArray(groupMembers.groupId, [...groupIds]), eq(users.active, true)));
  const ids = members.map((m) => m.userId);
  if (ids.length === 0) return new Map();
  const live = await usersWithLiveSession(db, ids, now);
  const statuses = await db.select().from(technicianStatus)
    .where(inArray(technicianStatus.userId, ids));
  const active = await db.select({ userId: queueEntries.userId }).from(queueEntries).where(and(
    inArray(queueEntries.userId, ids),
    isNull(queueEntries.removedAt),
    inArray(queueEntries.status, [...LIMITED_STATUSES]),
  ));
  const result = new Map<string, Presence>();
  for (const member of members) {
    const status = statuses.find((s) => s.userId === member.userId) ?? null;
    result.set(
      member.userId,
      effectivePresence(status, {
        signedIn: live.has(member.userId),
        settings: { ...defaultGroupSettings(), ...member.settings },
        activeSessions: active.filter((a) => a.userId === member.userId).length,
        now,
      }),
    );
  }
  return result;
}

export async function isTechnicianAvailable(
  db: Database,
  userId: string,
  now: Date,
): Promise<boolean> {
  const [member] = await db.select({ groupId: groupMembers.groupId }).from(groupMembers)
    .where(eq(groupMembers.userId, userId));
  if (!member) return false;
  return (await presenceOf(db, [member.groupId], now)).get(userId) === "online";
}

/** The groups serving a channel, and whether any of their technicians is available. */
export async function channelAvailability(
  db: Database,
  channelId: string,
  now: Date,
): Promise<{ groupIds: string[]; available: boolean }> {
  const rows = await db.select({ groupId: channelGroups.groupId }).from(channelGroups)
    .where(eq(channelGroups.channelId, channelId));
  const groupIds = rows.map((r) => r.groupId);
  const presence = await presenceOf(db, groupIds, now);
  return { groupIds, available: [...presence.values()].some((p) => p === "online") };
}
