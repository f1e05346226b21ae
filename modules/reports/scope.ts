/**
 * Who reads which sessions: the master admin the whole organisation, an admin the sessions
 * of the groups it manages (`CurrentUser.managedGroupIds`: assigned groups and everything
 * below), nobody else. The filter lists offered on the page keep to the same scope, and a
 * filter naming a group, technician or channel outside it is refused, not silently widened.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { CurrentUser } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import type { ReportQuery } from "./query.ts";
import type { ReportScope } from "./service.ts";

export function scopeOf(user: CurrentUser): ReportScope {
  if (user.role === "master_admin") return { orgId: user.orgId, groupIds: "all" };
  if (user.role === "admin") {
    return { orgId: user.orgId, groupIds: [...(user.managedGroupIds ?? [])] };
  }
  throw new Refusal(403, "errors.forbidden");
}

export interface Choice {
  id: string;
  name: string;
}

export interface FilterChoices {
  groups: Choice[];
  technicians: Choice[];
  channels: Choice[];
}

async function _choices(db: Database, query: ReturnType<typeof sql>): Promise<Choice[]> {
  const result = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Choice[];
}

const _inScope = (scope: ReportScope, column: string) =>
  scope.groupIds === "all"
    ? sql`true`
    : scope.groupIds.length === 0
    ? sql`false`
    : sql`${sql.raw(column)} in (${sql.join(scope.groupIds.map((g) => sql`${g}::uuid`), sql`, `)})`;

/** The groups, technicians and channels the filters may name (names sorted). */
export async function filterChoices(db: Database, scope: ReportScope): Promise<FilterChoices> {
  const [groups, technicians, channels] = await Promise.all([
    _choices(
      db,
      sql`select id::text as id, name from technician_groups
        where org_id = ${scope.orgId} and ${_inScope(scope, "id")} order by name`,
    ),
    _choices(
      db,
      scope.groupIds === "all"
        ? sql`select id::text as id, name from users where org_id = ${scope.orgId} order by name`
        : sql`select u.id::text as id, u.name from users u
          join group_members m on m.user_id = u.id
          where u.org_id = ${scope.orgId} and ${_inScope(scope, "m.group_id")} order by u.name`,
    ),
    _choices(
      db,
      sql`select distinct c.id::text as id, c.name from channels c
        left join channel_groups cg on cg.channel_id = c.id
        where c.org_id = ${scope.orgId} and ${_inScope(scope, "cg.group_id")} order by c.name`,
    ),
  ]);
  return { groups, technicians, channels };
}

/**
 * Refuses a filter that names something outside the caller's scope: a 422, the same whether
 * it exists or not.
 */
export function checkFilters(q: ReportQuery, choices: FilterChoices): void {
  const known = (list: Choice[], id?: string) => !id || list.some((c) => c.id === id);
  if (!known(choices.groups, q.group)) throw new Refusal(422, "reports.unknownFilter");
  if (!known(choices.technicians, q.technician)) throw new Refusal(422, "reports.unknownFilter");
  if (!known(choices.channels, q.channel)) throw new Refusal(422, "reports.unknownFilter");
}
