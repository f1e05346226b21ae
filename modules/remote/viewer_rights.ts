/**
 * A viewer socket's rights read from the database as they are now: the browser session it
 * was opened from is still signed in and its user active, the user's group (fresh) grants
 * `remoteControl` or `desktopView`, and the user still works the support session.
 */
import { toCurrentUser, userOfSession } from "../auth/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { withCurrentPermissions } from "../org/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { sessionForTechnician } from "../support/mod.ts";
import type { ViewerRights } from "./authority.ts";

/** What `user`'s group lets a viewer do (remoteControl includes the picture). */
export function rightsOf(user: CurrentUser): ViewerRights {
  if (can(user, "remoteControl")) return "control";
  if (can(user, "desktopView")) return "view";
  return "none";
}

export async function readViewerRights(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
): Promise<ViewerRights> {
  if (!user.sessionId) return "none";
  const row = await userOfSession(deps.db, user.sessionId, deps.clock.now());
  if (!row) return "none";
  const fresh = await withCurrentPermissions(deps.db, toCurrentUser(row, user.sessionId));
  const rights = rightsOf(fresh);
  if (rights === "none") return rights;
  try {
    await sessionForTechnician(deps, fresh, sessionId, "work");
  } catch (error) {
    if (error instanceof Refusal) return "none";
    throw error;
  }
  return rights;
}
