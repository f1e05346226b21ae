/**
 * Who is calling a session's tool routes and what it may do there: the one answer for a
 * signed-in technician (`sessionForTechnician`: its row, its group narrowed to its session
 * set) and for an external technician on the same routes under `/x` (`guest`: the one
 * session it was invited into, its invitation narrowed to its inviter's group, as
 * modules/external read it for this request). A tool route asks this, checks its permission
 * in `granted` and writes `actor` into the session log and the audit log.
 */
import type { AppDeps, CurrentUser, SessionGuest } from "../http/mod.ts";
import { type Granted, sessionForTechnician } from "./access.ts";
import { type Entry, loadSession, sessionRefusal, type SupportSession } from "./engine.ts";

/** Who did something in a session, for its log line and audit entry. */
export interface SessionActor {
  /** The technician; null for an external technician (it is no user). */
  userId: string | null;
  /** The external technician's invitation (`external_guests.id`); null for a technician. */
  externalId: string | null;
  name: string;
  email: string | null;
}

export interface CallerInSession {
  session: SupportSession;
  /** What the caller may do in this session now. */
  granted: Granted;
  actor: SessionActor;
  /** The technician, when the caller is one (its own row); absent for a guest. */
  user?: CurrentUser;
  entry?: Entry;
}

/**
 * The session `sessionId` if the caller may use its tools: a guest only its own session (any
 * other is "not found", exactly like a missing one), a technician as `sessionForTechnician`.
 * A guest on the request wins: its routes are under `/x`, where nothing else is let in.
 */
export async function sessionForCaller(
  deps: AppDeps,
  caller: { user?: CurrentUser; guest?: SessionGuest },
  sessionId: string,
  mode: "work" | "read" = "work",
): Promise<CallerInSession> {
  const { guest, user } = caller;
  if (guest) {
    if (guest.sessionId !== sessionId) throw sessionRefusal("sessions.notFound", "not invited");
    const session = await loadSession(deps.db, sessionId);
    if (session.orgId !== guest.orgId) throw sessionRefusal("sessions.notFound", "org");
    if (session.endedAt) throw sessionRefusal("sessions.notWorking", "Session ended");
    return {
      session,
      granted: { permissions: guest.permissions },
      actor: { userId: null, externalId: guest.id, name: guest.name, email: guest.email },
    };
  }
  if (!user) throw sessionRefusal("sessions.notFound", "no caller");
  const { session, entry, granted } = await sessionForTechnician(deps, user, sessionId, mode);
  return { session, entry, granted, user, actor: technicianActor(user) };
}

export function technicianActor(user: CurrentUser): SessionActor {
  return { userId: user.id, externalId: null, name: user.name, email: user.email ?? null };
}

/**
 * How an actor goes into an audit entry: a technician as the entry's actor, an external
 * technician named in its details (`external`: invitation id, name, e-mail) — it has no user id.
 */
export function auditActor(actor: SessionActor, details: Record<string, unknown> = {}): {
  actor?: { id: string; email: string | null };
  details: Record<string, unknown>;
} {
  if (actor.userId) return { actor: { id: actor.userId, email: actor.email }, details };
  return {
    details: {
      ...details,
      external: { id: actor.externalId, name: actor.name, email: actor.email },
    },
  };
}
