/**
 * Who may work on which session: the one access check behind every technician action on an
 * open session (chat, notes, files, field edits, remote view). What the caller cannot see
 * is "not found", exactly like a missing session.
 */
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { WORKING_STATUSES } from "../sessions/mod.ts";
import {
  type Entry,
  liveEntries,
  loadSession,
  sessionRefusal,
  type SupportSession,
} from "./engine.ts";
import { viewerFor, visibilityOf } from "./queue.ts";

/**
 * The session if the user may work on it: its own row is in a working status (or, with
 * `monitor`, any row it can see, for reading). Anything else is "not found".
 */
export async function sessionForTechnician(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  mode: "work" | "read" = "work",
): Promise<{ session: SupportSession; entry: Entry }> {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) throw sessionRefusal("sessions.notFound", "id");
  const session = await loadSession(deps.db, sessionId);
  if (session.orgId !== user.orgId) throw sessionRefusal("sessions.notFound", "org");
  const viewer = await viewerFor(deps.db, user);
  const entries = await liveEntries(deps.db, sessionId);
  const own = entries.find((e) => visibilityOf(viewer, e) === "own");
  // A session the caller cannot see at all is "not found", exactly like a missing one;
  // only one it can see learns why it cannot work on it now.
  const seen = own ?? entries.find((e) => visibilityOf(viewer, e) !== null);
  if (!seen) throw sessionRefusal("sessions.notFound", "not visible");
  if (mode === "work") {
    if (!own || !WORKING_STATUSES.has(own.status)) {
      throw sessionRefusal("sessions.notWorking", "Start the session first");
    }
    return { session, entry: own };
  }
  return { session, entry: seen };
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
