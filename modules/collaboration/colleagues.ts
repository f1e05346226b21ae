/**
 * Whom the Invite dialog lists: the organisation's active technicians (never the caller),
 * online ones first — only for a technician whose group may see other technicians
 * (`seeOtherTechnicians`, as in the Transfer dialog); null when it may not.
 */
import { and, asc, eq, ne } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { groupMembers, type Presence, technicianGroups } from "../org/mod.ts";
import { can } from "../permissions/mod.ts";
import { presenceOf } from "../support/mod.ts";

export interface Colleague {
  id: string;
  name: string;
  presence: Presence;
}

const ORDER: Record<Presence, number> = { online: 0, busy: 1, away: 2, offline: 3 };

export async function colleaguesFor(
  deps: AppDeps,
  user: CurrentUser,
): Promise<Colleague[] | null> {
  if (!can(user, "seeOtherTechnicians")) return null;
  const { db } = deps;
  const people = await db.select({ id: users.id, name: users.name, groupId: groupMembers.groupId })
    .from(users)
    .innerJoin(groupMembers, eq(groupMembers.userId, users.id))
    .innerJoin(technicianGroups, eq(technicianGroups.id, groupMembers.groupId))
    .where(and(eq(users.orgId, user.orgId), eq(users.active, true), ne(users.id, user.id)))
    .orderBy(asc(users.name));
  const groups = [...new Set(people.map((p) => p.groupId))];
  const presence = await presenceOf(db, groups, deps.clock.now());
  return people
    .map((p) => ({ id: p.id, name: p.name, presence: presence.get(p.id) ?? "offline" }))
    .sort((a, b) => ORDER[a.presence] - ORDER[b.presence]);
}
