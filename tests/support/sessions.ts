/** Builds technicians as `CurrentUser`s (with their group's permissions) for service tests. */
import { eq } from "drizzle-orm";
import { toCurrentUser, users } from "../../modules/auth/mod.ts";
import type { CurrentUser } from "../../modules/http/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  findByToken,
  startSession,
} from "../../modules/support/mod.ts";
import { defaultPermissions, type Permission } from "../../modules/permissions/mod.ts";
import type { TestApp } from "./app.ts";
import { makeGroup, makePerson } from "./org.ts";

export async function technician(
  t: TestApp,
  options: { groupId?: string; permissions?: Permission[]; name?: string } = {},
): Promise<CurrentUser> {
  const permissions = options.permissions ?? defaultPermissions();
  const groupId = options.groupId ?? (await makeGroup(t, { permissions })).id;
  let row = await makePerson(t, { groupId });
  // Stored too: a signed-in page and the log name the person as the database does.
  if (options.name) {
    [row] = await t.deps.db.update(users).set({ name: options.name })
      .where(eq(users.id, row.id)).returning();
  }
  return {
    ...toCurrentUser(row),
    name: row.name,
    permissions: new Set(permissions),
    groupId,
  };
}

/** A private session `tech` created for the customer Carol (no customer has come yet). */
export async function carolSession(
  t: TestApp,
  tech: CurrentUser,
  method: "link" | "pin" = "link",
) {
  const { session } = await createPrivateSession(t.deps, tech, {
    method,
    customerName: "Carol",
    fields: {},
  });
  return session;
}

/** A session `tech` created and started, with its customer connected (the row as stored). */
export async function workingSession(
  t: TestApp,
  tech: CurrentUser,
  method: "link" | "pin" = "link",
) {
  const created = await carolSession(t, tech, method);
  const session = (await findByToken(t.deps, created.token))!;
  await customerConnected(t.deps, session);
  await startSession(t.deps, tech, session.id);
  return session;
}
