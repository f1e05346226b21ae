/**
 * Which past sessions a person may read (SPEC T5), as one SQL condition on
 * `support_sessions` so history, records and search all use the same rule:
 *
 * - everyone: the sessions it took part in (a queue row of its own, now or ever);
 * - with `seeOtherTechnicians`: also its group's — sessions of its group, moved to it, worked
 *   by a member of it, or come through a channel the group serves;
 * - an admin: also those of the groups it manages (the same three ways); the master admin
 *   every session of the organisation.
 *
 * Anything else is "not found", exactly like a session that does not exist.
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import { channelGroups } from "../channels/mod.ts";
import type { Database } from "../db/mod.ts";
import type { CurrentUser } from "../http/mod.ts";
import { groupMembers, managedGroupIds } from "../org/mod.ts";
import { can } from "../permissions/mod.ts";
import { queueEntries, supportSessions } from "../support/mod.ts";

export interface HistoryScope {
  userId: string;
  orgId: string;
  all: boolean;
  /** Groups whose sessions the person reads besides its own (its group, managed groups). */
  groupIds: string[];
}

/** The person's scope, read fresh (permissions and managed groups are per request). */
export async function historyScope(db: Database, user: CurrentUser): Promise<HistoryScope> {
  const groups = new Set<string>();
  if (user.role !== "master_admin") {
    if (user.groupId && can(user, "seeOtherTechnicians")) groups.add(user.groupId);
    for (const id of user.managedGroupIds ?? await managedGroupIds(db, user)) groups.add(id);
  }
  return {
    userId: user.id,
    orgId: user.orgId,
    all: user.role === "master_admin",
    groupIds: [...groups],
  };
}

/** The condition on `support_sessions` (not aliased) that keeps what `scope` may read. */
export function visibleSessions(scope: HistoryScope): SQL {
  const org = eq(supportSessions.orgId, scope.orgId);
  if (scope.all) return org;
  const e = queueEntries;
  const own = sql`exists (select 1 from ${e}
    where ${e.sessionId} = ${supportSessions.id} and ${e.userId} = ${scope.userId})`;
  if (scope.groupIds.length === 0) return and(org, own)!;
  const groups = sql.join(scope.groupIds.map((id) => sql`${id}::uuid`), sql`, `);
  const members = sql`select ${groupMembers.userId} from ${groupMembers}
    where ${groupMembers.groupId} in (${groups})`;
  const served = sql`select ${channelGroups.channelId} from ${channelGroups}
    where ${channelGroups.groupId} in (${groups})`;
  const ofGroups = sql`(${supportSessions.groupId} in (${groups})
    or ${supportSessions.channelId} in (${served})
    or exists (select 1 from ${e} where ${e.sessionId} = ${supportSessions.id}
      and (${e.groupId} in (${groups}) or ${e.userId} in (${members}))))`;
  return and(org, sql`(${own} or ${ofGroups})`)!;
}
