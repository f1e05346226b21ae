import { and, asc, eq, ne, notExists } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { GroupDependent } from "../org/mod.ts";
import { channelGroups, channels } from "./schema.ts";

/**
 * The active channels that `groupId` alone serves: deleting the group would leave each one
 * sending its customers to nobody (an active channel must have a group, as its form says).
 * Given to org by the composition (`groupDependentsFrom`), so the group's page and the API
 * refuse alike, naming them.
 */
export async function channelsNeedingGroup(
  db: Database,
  groupId: string,
): Promise<GroupDependent[]> {
  const other = db.select({ id: channelGroups.channelId }).from(channelGroups).where(and(
    eq(channelGroups.channelId, channels.id),
    ne(channelGroups.groupId, groupId),
  ));
  const rows = await db.select({ id: channels.id, name: channels.name }).from(channels)
    .innerJoin(channelGroups, eq(channelGroups.channelId, channels.id))
    .where(and(eq(channelGroups.groupId, groupId), eq(channels.active, true), notExists(other)))
    .orderBy(asc(channels.name));
  if (rows.length === 0) return [];
  return [{
    key: "channels.onlyGroupOf",
    params: { count: rows.length, names: rows.map((r) => r.name).join(", ") },
    links: rows.map((r) => ({ href: `/admin/channels/${r.id}`, label: r.name })),
  }];
}
