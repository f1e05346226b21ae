/**
 * A viewer socket's rights read from the database as they are now: the browser session it
 * was opened from is still signed in and its user active, the user still works the support
 * session (a collaborator removed from it no longer does), and what it may do there — its
 * group's permissions narrowed to its session permission set (`granted`, modules/support) —
 * includes `remoteControl` or `desktopView`.
 */
import { toCurrentUser, userOfSession } from "../auth/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { withCurrentPermissions } from "../org/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { sessionForTechnician } from "../support/mod.ts";
import type { ViewerRights } from "./authority.ts";

/** What a permission set lets a viewer do (remoteControl includes the picture). */
export function rightsOf(user: Pick<CurrentUser, "permissions">): ViewerRights {
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
  if (rightsOf(fresh) === "none") return "none";
  try {
    // A collaborator's session permission set narrows its group's (modules/collaboration).
    const { granted } = await sessionForTechnician(deps, fresh, sessionId, "work");
    return rightsOf({ ...fresh, permissions: granted.permissions });
  } catch (error) {
    if (error instanceof Refusal) return "none";
    throw error;
  }
}
