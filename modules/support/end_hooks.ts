/**
 * What other modules do in the transaction that ends a session for everyone — the customer
 * survey's offer (modules/surveys), whose line must reach the customer's page before the
 * page hears that the session ended. Support cannot import those modules (they import it),
 * so the app's composition registers them per app (`whenSessionEnds`) and every way a
 * session ends runs them: a technician's End, the customer leaving, a deadline firing.
 */
import type { Database } from "../db/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { SessionOutcome } from "../sessions/mod.ts";
import type { SupportSession } from "./engine.ts";

/** How the session ended: its outcome, and the technician whose End it was (if one). */
export interface SessionEnd {
  outcome: SessionOutcome;
  by?: { id: string; name: string };
  at: Date;
}

/** Runs in the ending transaction, after the session's end is written. */
export type WhenEnded = (tx: Database, session: SupportSession, end: SessionEnd) => Promise<void>;

const registered = new WeakMap<AppDeps, Set<WhenEnded>>();

/** Registers `hook` for the sessions of this app (once, however often it is called). */
export function whenSessionEnds(deps: AppDeps, hook: WhenEnded): void {
  let hooks = registered.get(deps);
  if (!hooks) registered.set(deps, hooks = new Set());
  hooks.add(hook);
}

/** Runs the registered hooks in `tx`, in the order they were registered. */
export async function sessionEnded(
  deps: AppDeps,
  tx: Database,
  session: SupportSession,
  end: SessionEnd,
): Promise<void> {
  for (const hook of registered.get(deps) ?? []) await hook(tx, session, end);
}
