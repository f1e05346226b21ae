import { eq } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { groupMembers, technicianGroups } from "./schema.ts";

/**
 * Something of another module that needs the group (an active channel only it serves): the
 * sentence that says so, and where to fix it. Org imports none of those modules; the
 * composition hands their look-ups over with `groupDependentsFrom`.
 */
export interface GroupDependent {
  key: TranslationKey;
  params: Record<string, string | number>;
  links: { href: string; label: string }[];
}

/** Reads, in `db` (the deletion's transaction, or the confirmation page's), what needs the group. */
export type GroupDependents = (db: Database, groupId: string) => Promise<GroupDependent[]>;

const sources = new WeakMap<AppDeps, GroupDependents[]>();

/** Registers a look-up of what needs a group, asked before the group may be deleted. */
export function groupDependentsFrom(deps: AppDeps, source: GroupDependents): void {
  sources.set(deps, [...(sources.get(deps) ?? []), source]);
}

/** Everything other modules hang on the group, by every registered look-up. */
export async function groupDependents(
  deps: AppDeps,
  db: Database,
  groupId: string,
): Promise<GroupDependent[]> {
  const found: GroupDependent[] = [];
  for (const source of sources.get(deps) ?? []) found.push(...await source(db, groupId));
  return found;
}

/** What stands in the way of deleting a group, as its confirmation page says it. */
export interface GroupBlockers {
  members: number;
  subgroups: number;
  dependents: GroupDependent[];
  /** Support or Lens sessions were held in it: the history keeps pointing at it. */
  history: boolean;
}

export async function groupBlockers(
  deps: AppDeps,
  db: Database,
  id: string,
): Promise<GroupBlockers> {
  const { members, subgroups } = await groupContents(db, id);
  const dependents = await groupDependents(deps, db, id);
  const history = await _referencedElsewhere(db, id);
  return { members, subgroups, dependents, history };
}

export function isBlocked(b: GroupBlockers): boolean {
  return b.members > 0 || b.subgroups > 0 || b.dependents.length > 0 || b.history;
}

/** Its members and its subgroups. */
export async function groupContents(db: Database, id: string) {
  const members = await db.select({ userId: groupMembers.userId }).from(groupMembers)
    .where(eq(groupMembers.groupId, id));
  const subgroups = await db.select({ id: technicianGroups.id }).from(technicianGroups)
    .where(eq(technicianGroups.parentId, id));
  return { members: members.length, subgroups: subgroups.length };
}

class _DryRun extends Error {}

/**
 * Whether a row of another module (a support session, its history) still names the group: the
 * deletion is tried and always rolled back. The database knows every such reference, present
 * and future, where a list of tables here would not.
 */
async function _referencedElsewhere(db: Database, id: string): Promise<boolean> {
  try {
    await db.transaction(async (tx) => {
      // Members are said apart (and their rows would refuse it too): out of the way here.
      await tx.delete(groupMembers).where(eq(groupMembers.groupId, id));
      await tx.delete(technicianGroups).where(eq(technicianGroups.id, id));
      throw new _DryRun();
    });
    return false;
  } catch (error) {
    if (error instanceof _DryRun) return false;
    if (isForeignKeyViolation(error)) return true;
    throw error;
  }
}

/** PostgreSQL's foreign_key_violation (23503), from postgres.js or PGlite behind drizzle. */
export function isForeignKeyViolation(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === "23503") return true;
  }
  return false;
}
