import { and, asc, eq, ne, notExists } from "drizzle-orm";
import type { GroupDependents } from "../org/mod.ts";
import { callingCardGroups, callingCards } from "./schema.ts";

/**
 * The calling cards that `groupId` alone may deploy: deleting the group would leave each
 * one with no group, so no technician could place it and the customers who keep it would
 * reach nobody. Given to org by the composition (`groupDependentsFrom`) beside the
 * channels' look-up, so the group's page and the API refuse alike, naming them.
 */
export const cardsNeedingGroup: GroupDependents = async (db, groupId) => {
  const other = db.select({ id: callingCardGroups.cardId }).from(callingCardGroups).where(and(
    eq(callingCardGroups.cardId, callingCards.id),
    ne(callingCardGroups.groupId, groupId),
  ));
  const rows = await db.select({ channelId: callingCards.channelId, name: callingCards.name })
    .from(callingCards)
    .innerJoin(callingCardGroups, eq(callingCardGroups.cardId, callingCards.id))
    .where(and(eq(callingCardGroups.groupId, groupId), notExists(other)))
    .orderBy(asc(callingCards.name));
  if (rows.length === 0) return [];
  return [{
    key: "callingCards.onlyGroupOf",
    params: { count: rows.length, names: rows.map((r) => r.name).join(", ") },
    links: rows.map((r) => ({ href: `/admin/calling-cards/${r.channelId}`, label: r.name })),
  }];
};
