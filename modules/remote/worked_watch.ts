/**
 * `whileWorked`: calls `stop` once a session is no longer worked — held, transferred or ended —
 * as the session's live notices say. What a technician started in a session that must not
 * outlive their working it (the customer's browser share, the technician's own screen shown to
 * the customer) follows the session with it, as agent view does (agent_gateway.ts).
 */
import type { AppDeps } from "../http/mod.ts";
import { isWorkedNow, loadSession, type SupportSession } from "../support/mod.ts";

/** Follows `session` until the returned function is called; `stop` may be called more than once. */
export function whileWorked(deps: AppDeps, session: SupportSession, stop: () => void): () => void {
  return deps.live.subscribe(session.orgId, (event) => {
    const concerned = event.kind === "session"
      ? event.sessionId === session.id
      : event.kind === "resync";
    if (!concerned) return;
    (async () => {
      const now = await loadSession(deps.db, session.id).catch(() => null);
      if (!now || now.endedAt || !(await isWorkedNow(deps, session.id))) stop();
    })().catch((error) => deps.log.error("session follow failed", { error: String(error) }));
  });
}
