/**
 * Who may work on which session: the one access check behind every technician action on an
 * open session (chat, notes, files, field edits, remote view). What the caller cannot see
 * is "not found", exactly like a missing session.
 */
import { findUserById, toCurrentUser } from "../auth/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { withCurrentPermissions } from "../org/mod.ts";
import type { Permission } from "../permissions/mod.ts";
import { WORKING_STATUSES } from "../sessions/mod.ts";
import {
  type Entry,
  liveEntries,
  loadSession,
  sessionRefusal,
  type SupportSession,
} from "./engine.ts";
import { type Viewer, viewerFor, visibilityOf } from "./queue.ts";

/** What a `can()` check reads: a set of permissions. */
export interface Granted {
  permissions: ReadonlySet<Permission>;
}

/**
 * The permissions `user` holds in the session of `entry` (its own row): its group's
 * permissions, narrowed to the row's session permission set when it has one (a collaborator
 * invited with fewer rights, SPEC K1/K3). Every tool check for a session reads this, never
 * the group's permissions alone, so a lead's change applies on the next request.
 */
export function sessionGrant(user: Granted, entry: Pick<Entry, "permissions">): Granted {
  if (!entry.permissions) return { permissions: user.permissions };
  const allowed = new Set(entry.permissions);
  return { permissions: new Set([...user.permissions].filter((p) => allowed.has(p))) };
}

/**
 * What someone outside the organisation, invited by `inviterId` with the session permission
 * set `permissions` (modules/external), may do in the session: the inviter's group's
 * permissions as they are now narrowed to that set — `sessionGrant`, the collaborators' rule,
 * so an admin taking a permission from the inviter's group takes it from its guests on their
 * next request too. An inviter who is gone or deactivated grants nothing.
 */
export async function invitedGrant(
  deps: AppDeps,
  inviterId: string,
  permissions: readonly string[],
): Promise<Granted> {
  const row = await findUserById(deps.db, inviterId);
  if (!row?.active) return { permissions: new Set() };
  const inviter = await withCurrentPermissions(deps.db, toCurrentUser(row));
  return sessionGrant(inviter, { permissions: [...permissions] });
}

/**
 * The session if the user may work on it: its own row is in a working status (or, with
 * `read`, any row it can see, for reading). Anything else is "not found". `granted` is what
 * the user may do in it (`sessionGrant`; its group's permissions when reading another's row).
 */
export async function sessionForTechnician(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  mode: "work" | "read" = "work",
): Promise<{ session: SupportSession; entry: Entry; granted: Granted }> {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) throw sessionRefusal("sessions.notFound", "id");
  const session = await loadSession(deps.db, sessionId);
  if (session.orgId !== user.orgId) throw sessionRefusal("sessions.notFound", "org");
  const entries = await liveEntries(deps.db, sessionId);
  // The caller's own row is known by its user id alone. Whom else it sees (the channels and
  // groups it serves or manages: two or three more queries) is read only when that row does
  // not settle it — every viewer socket re-reads its rights through here (remote/authority.ts).
  const mine = entries.find((e) => visibilityOf(_ownRowsOnly(user), e) === "own");
  if (mine && (mode === "read" || WORKING_STATUSES.has(mine.status))) {
    return { session, entry: mine, granted: sessionGrant(user, mine) };
  }
  const viewer = await viewerFor(deps.db, user);
  const own = entries.find((e) => visibilityOf(viewer, e) === "own");
  // A session the caller cannot see at all is "not found", exactly like a missing one;
  // only one it can see learns why it cannot work on it now.
  const seen = own ?? entries.find((e) => visibilityOf(viewer, e) !== null);
  if (!seen) throw sessionRefusal("sessions.notFound", "not visible");
  if (mode === "work") {
    if (!own || !WORKING_STATUSES.has(own.status)) {
      throw sessionRefusal("sessions.notWorking", "Start the session first");
    }
    return { session, entry: own, granted: sessionGrant(user, own) };
  }
  return { session, entry: seen, granted: own ? sessionGrant(user, own) : user };
}

/** A viewer that sees its own rows and nothing else (`visibilityOf` says "own" or null). */
function _ownRowsOnly(user: CurrentUser): Viewer {
  return {
    userId: user.id,
    orgId: user.orgId,
    groupId: null,
    channelIds: new Set(),
    monitored: new Set(),
  };
}

/**
 * Whether a technician works the session right now and has not put it on hold: what remote
 * view and control need to go on. A hold, a transfer (the sender's row Outgoing, the
 * recipient's Incoming until accepted) or an end makes this false.
 */
export async function isWorkedNow(deps: AppDeps, sessionId: string): Promise<boolean> {
  const entries = await liveEntries(deps.db, sessionId);
  return entries.some((e) => e.status !== "on_hold" && WORKING_STATUSES.has(e.status));
}
