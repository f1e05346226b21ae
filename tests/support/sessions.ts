/** Builds technicians as `CurrentUser`s (with their group's permissions) for service tests. */
import { toCurrentUser } from "../../modules/auth/mod.ts";
import type { CurrentUser } from "../../modules/http/mod.ts";
import { defaultPermissions, type Permission } from "../../modules/permissions/mod.ts";
import type { TestApp } from "./app.ts";
import { makeGroup, makePerson } from "./org.ts";

export async function technician(
  t: TestApp,
  options: { groupId?: string; permissions?: Permission[]; name?: string } = {},
): Promise<CurrentUser> {
  const permissions = options.permissions ?? defaultPermissions();
  const groupId = options.groupId ?? (await makeGroup(t, { permissions })).id;
  const row = await makePerson(t, { groupId });
  return {
    ...toCurrentUser(row),
    name: options.name ?? row.name,
    permissions: new Set(permissions),
    groupId,
  };
}
