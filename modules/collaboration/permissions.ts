/**
 * A collaborator's rights in one session: its group's permissions intersected with the set
 * the lead gave it. The rule itself lives with the access check in modules/support
 * (`sessionGrant`), so the tool routes that only know support get it too.
 */
import type { AppDeps } from "../http/mod.ts";
import { type Entry, type Granted, sessionGrant } from "../support/mod.ts";

export function sessionPermissions(
  _deps: AppDeps,
  user: Granted,
  entry: Pick<Entry, "permissions">,
): Granted {
  return sessionGrant(user, entry);
}
