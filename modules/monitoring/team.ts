/**
 * The admin's team as the "Monitor technician" list shows it (SPEC K4, the manual's dialog of
 * the same name): every technician it may monitor with their group, presence (SPEC A5) and
 * number of open sessions, and whether this admin monitors them now — the same rows feed the
 * console's Monitored tab, which lists only the ones being monitored.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { groupMembers, type Presence, technicianGroups } from "../org/mod.ts";
import { TAB_STATUSES } from "../sessions/mod.ts";
import { presenceOf, queueEntries } from "../support/mod.ts";
import { monitorableTechnicians } from "./service.ts";
import { monitorings, type MonitoringStatus } from "./schema.ts";

export interface TeamMember {
  id: string;
  name: string;
  groupName: string;
  presence: Presence;
  /** Sessions with a console tab (Active, On hold, Collaborating …). */
  openSessions: number;
  /** This admin's open monitoring of them, if any. */
  monitoring: Extract<MonitoringStatus, "asked" | "active"> | null;
}

export async function teamOf(deps: AppDeps, admin: CurrentUser): Promise<TeamMember[]> {
  const people = await monitorableTechnicians(deps, admin);
  if (people.length === 0) return [];
  const ids = people.map((p) => p.id);
  const [groups, entries, mine] = await Promise.all([
    deps.db.select({
      userId: groupMembers.userId,
      groupId: groupMembers.groupId,
      name: technicianGroups.name,
    }).from(groupMembers)
      .innerJoin(technicianGroups, eq(technicianGroups.id, groupMembers.groupId))
      .where(inArray(groupMembers.userId, ids)),
    deps.db.select({ userId: queueEntries.userId }).from(queueEntries).where(and(
      inArray(queueEntries.userId, ids),
      isNull(queueEntries.removedAt),
      inArray(queueEntries.status, [...TAB_STATUSES]),
    )),
    deps.db.select({ id: monitorings.technicianId, status: monitorings.status })
      .from(monitorings).where(and(
        eq(monitorings.adminId, admin.id),
        inArray(monitorings.technicianId, ids),
        inArray(monitorings.status, ["asked", "active"]),
      )),
  ]);
  const presence = await presenceOf(
    deps.db,
    [...new Set(groups.map((g) => g.groupId))],
    deps.clock.now(),
  );
  return people.map((person) => {
    const status = mine.find((m) => m.id === person.id)?.status;
    return {
      ...person,
      groupName: groups.find((g) => g.userId === person.id)?.name ?? "",
      presence: presence.get(person.id) ?? "offline",
      openSessions: entries.filter((e) => e.userId === person.id).length,
      monitoring: status === "asked" || status === "active" ? status : null,
    };
  });
}
